package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// CampaignConfig paces campaigns.
type CampaignConfig struct {
	// Rate is the campaign messages a second, shared by every process and
	// campaign (default: four fifths of the number's send rate, leaving
	// the rest to citizens' replies, which share the number's throughput).
	Rate float64
	// Tier is the portfolio's daily messaging limit: unique recipients
	// of business-initiated messages in a rolling 24 hours (250, 2,000,
	// 10,000, 100,000; 0: unlimited).
	Tier int64
	// FanOutBatch is the recipients added a transaction (default 5,000).
	FanOutBatch int
	// Ahead is how far the fan-out runs ahead of the sending, in time at
	// Rate (default two minutes): far enough never to hold it up, near
	// enough that a crore of inserts does not take the cores from the
	// sends and replies in the first minutes.
	Ahead time.Duration
	// InFlight is how many sends may wait on the Graph API at once
	// (default 64: at 1,000/s, room for answers of up to 64 ms on
	// average; raise it for a slower API).
	InFlight int
	// Grace is how long a claimed message may go without a result or a
	// status before it is sent again (default 10 minutes).
	Grace time.Duration
	// Slice is how long one run of the job works before it snoozes
	// (default 20 s, under the job timeout).
	Slice time.Duration
}

func (c CampaignConfig) withDefaults(sendRate float64) CampaignConfig {
	if c.Rate <= 0 {
		c.Rate = max(1, sendRate*4/5)
	}
	if c.FanOutBatch <= 0 {
		c.FanOutBatch = 5000
	}
	if c.Ahead <= 0 {
		c.Ahead = 2 * time.Minute
	}
	if c.InFlight <= 0 {
		c.InFlight = 64
	}
	if c.Grace <= 0 {
		c.Grace = 10 * time.Minute
	}
	if c.Slice <= 0 {
		c.Slice = 20 * time.Second
	}
	return c
}

// campaignAttempts bounds the tries of one campaign message: a message
// Meta keeps refusing (throttled, failing) is counted failed after it.
const campaignAttempts = 5

// CampaignWorker fans a campaign out and sends it.
type CampaignWorker struct {
	river.WorkerDefaults[store.CampaignArgs]
	deps Deps
}

// Timeout gives a slice its time plus the in-flight sends' drain.
func (w *CampaignWorker) Timeout(*river.Job[store.CampaignArgs]) time.Duration {
	return w.deps.Campaigns.Slice + 10*time.Second
}

// Work runs one slice of a campaign: the fan-out as far as needed, then
// claimed batches sent at the paced rate within the daily limit; results
// are recorded in batches as they come. It snoozes at the end of the slice
// and finishes the campaign once nothing is left to send.
func (w *CampaignWorker) Work(ctx context.Context, job *river.Job[store.CampaignArgs]) error {
	cfg := w.deps.Campaigns
	c, err := w.deps.Store.Campaign(ctx, job.Args.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != store.CampaignScheduled && c.Status != store.CampaignRunning {
		return nil
	}
	if err := w.deps.Store.StartCampaign(ctx, c.ID); err != nil {
		return err
	}
	t, ok := w.deps.Catalog.Template(c.Template)
	if !ok || t.Use != catalog.UseAlert {
		_, err := w.deps.Store.MoveCampaign(ctx, c.ID, []string{store.CampaignRunning}, store.CampaignCancelled)
		w.deps.Log.Error("campaign cancelled: not an alert template", "campaign", c.ID, "template", c.Template)
		return err
	}
	approved, err := w.approvedLangs(ctx, c.Template)
	if err != nil {
		return err
	}
	if _, err := w.deps.Store.RequeueStale(ctx, c.ID, cfg.Grace); err != nil {
		return err
	}
	s := &campaignSend{w: w, c: c, t: t, approved: approved, results: make(chan store.SendResult, cfg.InFlight*4)}
	finished, err := s.run(ctx)
	if err != nil && ctx.Err() != nil {
		// Shutting down: carry on at the next start, no attempt spent.
		return river.JobSnooze(0)
	}
	if err != nil {
		return err
	}
	if finished {
		_, err := w.deps.Store.MoveCampaign(ctx, c.ID, []string{store.CampaignRunning}, store.CampaignDone)
		return err
	}
	return river.JobSnooze(0)
}

// approvedLangs are the languages (WhatsApp codes) the registry has the
// template approved in: a recipient in another is failed before Meta.
func (w *CampaignWorker) approvedLangs(ctx context.Context, name string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, l := range catalog.Langs {
		code := catalog.TemplateLang[l]
		tpl, err := w.deps.Store.TemplateByName(ctx, name, code)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out[code] = tpl.Approved()
		}
	}
	return out, nil
}

// campaignSend is one slice's sending.
type campaignSend struct {
	w        *CampaignWorker
	c        store.Campaign
	t        *catalog.Template
	approved map[string]bool
	results  chan store.SendResult
	// fannedOut is set once the whole audience is in campaign_messages.
	fannedOut atomic.Bool
}

// run sends until the slice ends, the campaign is paused or cancelled, or
// nothing is left; finished reports the last.
func (s *campaignSend) run(ctx context.Context) (finished bool, err error) {
	cfg := s.w.deps.Campaigns
	slice, cancel := context.WithTimeout(ctx, cfg.Slice)
	defer cancel()
	work := make(chan store.Recipient)
	var senders sync.WaitGroup
	for range cfg.InFlight {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for r := range work {
				s.results <- s.send(ctx, r)
			}
		}()
	}
	recorded := make(chan error, 1)
	go func() { recorded <- s.record(ctx) }()
	// The fan-out runs beside the sending, so that adding the next
	// recipients never holds up the pace of sending to the last ones.
	fanned := make(chan error, 1)
	s.fannedOut.Store(s.c.FannedOut)
	go func() { fanned <- s.fanOut(slice) }()
	finished, err = s.dispatch(slice, work)
	cancel()
	close(work)
	senders.Wait()
	close(s.results)
	if rerr := <-recorded; err == nil {
		err = rerr
	}
	if ferr := <-fanned; err == nil && !errors.Is(ferr, context.Canceled) && !errors.Is(ferr, context.DeadlineExceeded) {
		err = ferr
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = nil // the slice's end, not a failure
	}
	return finished, err
}

// dispatch claims batches and hands each message to a sender at its
// paced time: a batch's sends are reserved at once in the shared bucket,
// then spread evenly until the reservation is due.
func (s *campaignSend) dispatch(ctx context.Context, work chan<- store.Recipient) (bool, error) {
	cfg, st := s.w.deps.Campaigns, s.w.deps.Store
	batch := max(1, min(500, int(cfg.Rate/5)))
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	lastCheck := time.Now()
	limit := store.Limit{Rate: cfg.Rate, Burst: float64(batch)}
	for ctx.Err() == nil {
		if time.Since(lastCheck) > 2*time.Second {
			lastCheck = time.Now()
			if c, err := st.Campaign(ctx, s.c.ID); err != nil || c.Status != store.CampaignRunning {
				return false, err
			}
		}
		fannedOut := s.fannedOut.Load()
		n, err := st.TakeQuota(ctx, cfg.Tier, batch)
		if err != nil {
			return false, err
		}
		if n == 0 {
			// The daily limit is used up: wait for the oldest minute of
			// the 24 hours to fall out of it.
			return false, sleep(ctx, time.Minute)
		}
		// The claim and the reservation are not cut short by the slice's
		// end: a claim whose answer was lost would leave its rows waiting
		// for the grace.
		whole := context.WithoutCancel(ctx)
		claimed, _, err := st.ClaimRecipients(whole, s.c.ID, n)
		if err != nil {
			return false, err
		}
		if len(claimed) == 0 {
			if !fannedOut {
				// The fan-out has not caught up yet.
				if err := sleep(ctx, 50*time.Millisecond); err != nil {
					return false, err
				}
				continue
			}
			queued, sending, err := st.CampaignPending(ctx, s.c.ID)
			if err != nil || queued+sending == 0 {
				return err == nil, err
			}
			// Messages still out, or waiting for their grace to pass.
			if err := sleep(ctx, time.Second); err != nil {
				return false, err
			}
			if _, err := st.RequeueStale(ctx, s.c.ID, cfg.Grace); err != nil {
				return false, err
			}
			continue
		}
		wait, err := st.ReserveSends(whole, "campaign:"+s.w.deps.SenderKey, limit, len(claimed))
		if err != nil {
			s.giveBack(claimed)
			return false, err
		}
		next := time.Now().Add(wait - time.Duration(len(claimed)-1)*interval)
		for i, r := range claimed {
			if err := sleep(ctx, time.Until(next)); err != nil {
				// The slice ended: what was claimed and not handed over
				// goes back to the queue at once (its try counted).
				s.giveBack(claimed[i:])
				return false, err
			}
			work <- r
			next = next.Add(interval)
		}
	}
	return false, ctx.Err()
}

// fanOut adds the audience batch by batch, keeping Ahead of the sending,
// until it is all in or the slice ends.
func (s *campaignSend) fanOut(ctx context.Context) error {
	cfg, st := s.w.deps.Campaigns, s.w.deps.Store
	ahead := max(cfg.FanOutBatch, int(cfg.Rate*cfg.Ahead.Seconds()))
	for !s.fannedOut.Load() {
		queued, err := st.QueuedAtLeast(ctx, s.c.ID, ahead)
		if err != nil {
			return err
		}
		if queued >= ahead {
			if err := sleep(ctx, time.Second); err != nil {
				return err
			}
			continue
		}
		_, done, err := st.FanOut(ctx, s.c, cfg.FanOutBatch)
		if err != nil {
			return err
		}
		s.fannedOut.Store(done)
	}
	return nil
}

// giveBack returns claimed messages to the queue.
func (s *campaignSend) giveBack(rs []store.Recipient) {
	for _, r := range rs {
		s.results <- store.SendResult{WAID: r.WAID}
	}
}

// send sends one message and says what came of it.
func (s *campaignSend) send(ctx context.Context, r store.Recipient) store.SendResult {
	lang := catalog.LangOfTemplateCode(catalog.TemplateLang[catalog.Lang(r.Lang)])
	code := catalog.TemplateLang[lang]
	if !s.approved[code] {
		return store.SendResult{WAID: r.WAID, Code: 132001, Final: true}
	}
	m, err := whatsapp.TemplateMessage(r.WAID, s.t.Name, code, s.c.Params[string(lang)]...)
	if err != nil {
		return store.SendResult{WAID: r.WAID, Code: 131009, Final: true}
	}
	var buttons []string
	for _, b := range s.t.Buttons {
		buttons = append(buttons, b.ID)
	}
	m = m.WithQuickReplies(buttons...).WithCallback(store.CampaignCallback(s.c.ID, r.WAID))
	wamid, err := s.w.deps.Sender.Send(ctx, m)
	if err == nil {
		return store.SendResult{WAID: r.WAID, WAMID: wamid}
	}
	var se *whatsapp.SendError
	if errors.As(err, &se) {
		return store.SendResult{WAID: r.WAID, Code: se.Code, Final: !se.Retryable() || r.Attempts >= campaignAttempts}
	}
	return store.SendResult{WAID: r.WAID, Final: r.Attempts >= campaignAttempts}
}

// record writes results in batches: every 500, or every quarter second.
func (s *campaignSend) record(ctx context.Context) error {
	var pending []store.SendResult
	flush := func() error {
		err := s.w.deps.Store.RecordSends(context.WithoutCancel(ctx), s.c.ID, pending)
		pending = pending[:0]
		return err
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("campaign %d: %w", s.c.ID, err)
		}
	}
	for {
		select {
		case r, ok := <-s.results:
			if !ok {
				keep(flush())
				return firstErr
			}
			if pending = append(pending, r); len(pending) >= 500 {
				keep(flush())
			}
		case <-tick.C:
			if len(pending) > 0 {
				keep(flush())
			}
		}
	}
}

// sleep waits d, or until ctx ends (its error then); a d of zero or less
// returns at once.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
