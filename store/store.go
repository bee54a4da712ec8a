// Package store is mitra's PostgreSQL: embedded numbered migrations, the
// connection pool with pgvector types, the job queue (River), inbound
// dedupe, conversations, the outbox, delivery statuses, certificates and
// their log, and the pgvector catalogue index. All SQL lives here, and no
// pgx or River type leaves it.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// ingest is the webhook's own pool: jobs, issuance and verification
	// can take every connection of pool, never these.
	ingest *pgxpool.Pool
	// queue inserts jobs: an insert-only River client until StartWork
	// swaps in the one that also runs them.
	queue   atomic.Pointer[river.Client[pgx.Tx]]
	working *river.Client[pgx.Tx]
	// lane answers plain messages ingested here, from StartWork on
	// (lane.go).
	lane atomic.Pointer[lane]
	// ingestQueue commits webhook deliveries in batches (ingest.go), and
	// sentQueue the records of replies the Graph API accepted
	// (messages.go); both stop, once closing is closed, after the
	// batches under way.
	ingestQueue batcher[ingestCall]
	sentQueue   batcher[sentRecord]
	closing     chan struct{}
	batchers    sync.WaitGroup
	stopOnce    sync.Once
}

// Option tunes Open.
type Option func(*options)

type options struct{ jobs int }

// ForJobs sizes the general pool for n processing jobs running at once in
// each of River's process queue and the lane (lane.go): a processing job
// holds a connection for its transaction while the dialog may need a
// second (the pgvector index, "my certificates"), so the pool keeps room
// for every job and for the queue's own work, and jobs never wait on each
// other for connections.
func ForJobs(n int) Option { return func(o *options) { o.jobs = n } }

// Open connects, applies mitra's and River's migrations, and returns a
// pool whose connections know the pgvector types (registered only after
// the migrations created the extension).
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	// The pool's parse first: it takes the pool_* settings out of the
	// URL, which a plain connection would send to the server as unknown
	// parameters and fail on.
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	err = Migrate(ctx, conn)
	conn.Close(ctx)
	if err != nil {
		return nil, err
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error { return pgxvec.RegisterTypes(ctx, c) }
	// The general pool keeps pgx's size (the machine's cores, at least 4;
	// a URL's pool_max_conns wins), or room for the jobs (ForJobs): more
	// parallel database work than that only takes the CPU from the
	// webhook (measured: ingest fell from about 1,400 to 800 a second with
	// 16 connections on two cores).
	if need := int32(2*o.jobs + 4); o.jobs > 0 && !strings.Contains(url, "pool_max_conns") && cfg.MaxConns < need {
		cfg.MaxConns = need
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	icfg := cfg.Copy()
	icfg.MaxConns = ingestPoolConns
	ingest, err := pgxpool.NewWithConfig(ctx, icfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open ingest pool: %w", err)
	}
	s := &Store{pool: pool, ingest: ingest}
	if err := s.migrateRiver(ctx); err != nil {
		s.closePools()
		return nil, err
	}
	inserter, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		s.closePools()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	s.queue.Store(inserter)
	s.startBatchers()
	return s, nil
}

// Close lets running jobs finish (for up to 15 seconds; then they are
// cancelled, and given as long again as a sender takes to record a send
// the Graph API accepted) and closes the pool.
func (s *Store) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	s.stopWork(ctx)
	s.stopBatchers()
	s.closePools()
}

// startBatchers starts the goroutines that commit writes in batches.
func (s *Store) startBatchers() {
	s.closing = make(chan struct{})
	s.ingestQueue = batcher[ingestCall]{closing: s.closing, write: s.ingestTx, max: maxIngestBatch}
	s.ingestQueue.start(ingestBatchers, &s.batchers)
	s.sentQueue = batcher[sentRecord]{closing: s.closing, write: s.recordSent, max: maxSentBatch}
	s.sentQueue.start(sentBatchers, &s.batchers)
}

// stopBatchers ends the batchers once the batches under way are
// committed. Jobs stop first (Close), since their sends are recorded
// through the batchers.
func (s *Store) stopBatchers() {
	s.stopOnce.Do(func() { close(s.closing) })
	s.batchers.Wait()
}

func (s *Store) closePools() {
	s.ingest.Close()
	s.pool.Close()
}

// ingestPoolConns sizes the webhook's own pool: jobs, issuance and
// verification share the general one.
const ingestPoolConns = 8

// migrationLock is the advisory lock key that serialises migrators, so
// that several mitra processes starting at once migrate once.
const migrationLock = 0x6d69747261 // "mitra"

// Migrate applies the embedded migrations that have not been applied, each
// in its own transaction, under an advisory lock.
func Migrate(ctx context.Context, conn *pgx.Conn) error {
	return migrateTo(ctx, conn, LatestMigration())
}

// migrateTo applies the migrations up to version upTo: tests use it to
// write rows as an older mitra did, then migrate them.
func migrateTo(ctx context.Context, conn *pgx.Conn, upTo int) error {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS mitra_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	files, err := migrationFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.version > upTo {
			break
		}
		var done bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM mitra_migrations WHERE version = $1)", f.version).Scan(&done); err != nil {
			return fmt.Errorf("migration %s: %w", f.name, err)
		}
		if done {
			continue
		}
		sql, err := migrations.ReadFile("migrations/" + f.name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO mitra_migrations (version, name) VALUES ($1, $2)", f.version, f.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", f.name, err)
		}
	}
	return nil
}

type migrationFile struct {
	version int
	name    string
}

func migrationFiles() ([]migrationFile, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migrationFile
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q is not NNNN_name.sql", e.Name())
		}
		out = append(out, migrationFile{v, e.Name()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// LatestMigration is the highest embedded migration version.
func LatestMigration() int {
	files, err := migrationFiles()
	if err != nil || len(files) == 0 {
		return 0
	}
	return files[len(files)-1].version
}

func (s *Store) migrateRiver(ctx context.Context) error {
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// Ready reports whether the database answers and the migrations are all
// applied.
func (s *Store) Ready(ctx context.Context) error {
	var v *int
	if err := s.pool.QueryRow(ctx, "SELECT max(version) FROM mitra_migrations").Scan(&v); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if v == nil || *v < LatestMigration() {
		return errors.New("database: migrations not applied")
	}
	return nil
}
