package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// clientLimits is a token bucket per client address for the public,
// anonymous pages, so that one client cannot harvest names or tie up the
// database. It is per process: a client spread over replicas gets each
// replica's allowance, which still bounds it.
type clientLimits struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	reset   time.Time
}

// maxClients bounds the table: when it is full it starts afresh, which at
// worst gives every client a fresh burst once a minute.
const maxClients = 100_000

func newClientLimits(perSecond float64, burst int) *clientLimits {
	return &clientLimits{rate: rate.Limit(perSecond), burst: burst, clients: map[string]*rate.Limiter{}, reset: time.Now()}
}

func (l *clientLimits) allow(client string) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.clients) >= maxClients || time.Since(l.reset) > 10*time.Minute {
		l.clients, l.reset = map[string]*rate.Limiter{}, time.Now()
	}
	lim, ok := l.clients[client]
	if !ok {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.clients[client] = lim
	}
	return lim.Allow()
}
