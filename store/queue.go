package store

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// The job queue is River, on this database: a job is inserted in the same
// transaction as the rows it refers to, so a message is never stored
// without its job, nor a job queued for a message that was rolled back.
// Job arguments and queue names live here; the workers that run them live
// in package worker.

// Queue names.
const (
	// QueueProcess answers inbound messages. It is apart from sending so
	// that a backlog of sends never delays reading new messages.
	QueueProcess = "process"
	// QueueSend sends replies and certificates.
	QueueSend = "send"
	// QueueCampaign sends campaigns, apart so that a crore of alerts never
	// holds up a citizen's reply.
	QueueCampaign = "campaign"
)

// ProcessArgs asks for one inbound message to be answered.
type ProcessArgs struct {
	WAMessageID string `json:"wa_message_id"`
	// Plain marks a message with nothing to fetch or hear before its
	// transaction (text, a tap): the worker reads it once, locked. Jobs
	// queued without it take the longer way, which is always right.
	Plain bool `json:"plain,omitempty"`
	// From is the sender, and Silent says the message gets no reply (a
	// reaction): with them the worker locks the message and the
	// conversation and takes the citizen's turn in one round trip.
	From   string `json:"from,omitempty"`
	Silent bool   `json:"silent,omitempty"`
}

func (ProcessArgs) Kind() string { return "process_inbound" }

func (ProcessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueProcess, MaxAttempts: 10}
}

// SendArgs asks for the replies to one inbound message to be sent, in
// order: a welcome text must not overtake the buttons that follow it.
type SendArgs struct {
	InboundID string `json:"inbound_id"`
}

func (SendArgs) Kind() string { return "send_outbox" }

// InsertOpts: one live job a message, so that the outbox sweep and a
// sender that gave up never queue a second job that would send the same
// rows at once. Every key is fresh (an inbound message, a handover's
// notice), so a finished job never stands in the way of new rows.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

// liveStates are the states of a job waiting or running.
var liveStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// liveStateNames are liveStates as SQL takes them.
func liveStateNames() []string {
	names := make([]string, len(liveStates))
	for i, st := range liveStates {
		names[i] = string(st)
	}
	return names
}

// RecoverySweepArgs asks for the recovery sweep: messages left unanswered
// get their process job (Store.SweepInbound), replies left unsent their
// send job (Store.SweepOutbox).
type RecoverySweepArgs struct{}

func (RecoverySweepArgs) Kind() string { return "recovery_sweep" }

// InsertOpts: one sweep at a time, whatever the replicas.
func (RecoverySweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Second}}
}

// DeliverArgs asks for a certificate to be sent to its holder.
type DeliverArgs struct {
	CertID string `json:"cert_id"`
}

func (DeliverArgs) Kind() string { return "deliver_certificate" }

// InsertOpts: a delivery is not unique among queued jobs. A unique job
// would be skipped while the job that sent the "certificate ready"
// template is still being marked complete, and the citizen's reply would
// then never bring the document; the worker skips a certificate already
// delivered instead.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 12}
}

// processPollInterval is how often, at most, the queue of inbound
// messages is polled.
const processPollInterval = 25 * time.Millisecond

// WorkConfig sizes the job queue's consumers.
type WorkConfig struct {
	ProcessWorkers, SendWorkers int
	// PollInterval is how often to look for jobs when a notification is
	// late (default 100 ms: a citizen is waiting for each job).
	PollInterval time.Duration
	// JobTimeout cancels a job that runs longer (default 30 s), and
	// RescueAfter hands a job whose process died to another (default
	// 60 s: past the timeout and the 20 s a sender may still spend
	// recording a send; River's own default is an hour, far too long for
	// a citizen).
	JobTimeout, RescueAfter time.Duration
	// SweepEvery is how often the periodic sweep runs (default a minute;
	// negative: never, for tests that sweep by hand), and
	// RecoverySweepEvery the outbox's (default 15 s: a reply a crash left
	// unsent goes out within SendFallback and this).
	SweepEvery, RecoverySweepEvery time.Duration
	// TemplateSyncEvery is how often the template registry is synced
	// with Meta (default an hour, and once at start; negative: never).
	// `mitra serve` also syncs once itself before it starts work.
	TemplateSyncEvery time.Duration
	// RetainEvery is how often the retention sweep runs (default a day;
	// negative: never).
	RetainEvery time.Duration
	// Local answers the plain messages this process ingests, in its own
	// lane without a job each (lane.go); nil: every message gets a job.
	// LaneCapacity is how many the lane holds waiting (default 65,536: a
	// minute at a thousand messages a second); past it they wait as jobs.
	Local        Processor
	LaneCapacity int
	Log          *slog.Logger
}

// StartWork starts running jobs with workers (built by package worker)
// until Close. Until it is called, the store only inserts jobs.
func (s *Store) StartWork(ctx context.Context, workers *river.Workers, cfg WorkConfig) error {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 100 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, 30*time.Second)
	// A processing job sends its replies itself, until its timeout and
	// then for as long as recording a send takes; the outbox sweep must
	// not take them over before that (SendFallback).
	if cfg.JobTimeout+stopRecordWindow > SendFallback {
		return fmt.Errorf("job timeout %v: at most %v, so that the outbox sweep never sends what a job is still sending", cfg.JobTimeout, SendFallback-stopRecordWindow)
	}
	cfg.RescueAfter = max(cmp.Or(cfg.RescueAfter, 60*time.Second), cfg.JobTimeout+stopRecordWindow)
	var periodic []*river.PeriodicJob
	if cfg.SweepEvery >= 0 {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.SweepEvery, time.Minute)),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, nil))
	}
	if cfg.RecoverySweepEvery >= 0 {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.RecoverySweepEvery, 15*time.Second)),
			func() (river.JobArgs, *river.InsertOpts) { return RecoverySweepArgs{}, nil }, nil))
	}
	if cfg.TemplateSyncEvery >= 0 {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.TemplateSyncEvery, time.Hour)),
			func() (river.JobArgs, *river.InsertOpts) { return TemplateSyncArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	if cfg.RetainEvery >= 0 {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(cfg.RetainEvery, 24*time.Hour)),
			func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	rc, err := river.NewClient(riverpgxv5.New(s.pool), &river.Config{
		PeriodicJobs: periodic,
		Queues: map[string]river.QueueConfig{
			// River sends a notice of new jobs at most once a fetch
			// cooldown a queue, so jobs inserted just after a notice may
			// wait for the next one or for the poll. A citizen waits on
			// each of these, so their queue is polled four times as often
			// (measured at 200 messages a second: reply p99 55 ms polled
			// at 100 ms, 15-31 ms at 25 ms, medians of 3); an idle poll
			// is one indexed query.
			QueueProcess: {MaxWorkers: max(1, cfg.ProcessWorkers), FetchPollInterval: min(cfg.PollInterval, processPollInterval)},
			QueueSend:    {MaxWorkers: max(1, cfg.SendWorkers)},
			// A campaign's job sends many messages at once itself; two
			// campaigns may run side by side.
			QueueCampaign: {MaxWorkers: 2},
		},
		Workers: workers,
		// Fetch as soon as a job is inserted.
		FetchCooldown:        5 * time.Millisecond,
		FetchPollInterval:    cfg.PollInterval,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		Logger:               cfg.Log,
	})
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	// Cancelling Start's context is River's hard stop (running jobs cut
	// mid-send); the queue stops gracefully in Close instead, so a SIGTERM
	// or a deploy lets running jobs finish.
	if err := rc.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	// From now on inserts go through the working client too, so that its
	// producers hear of new jobs at once.
	s.queue.Store(rc)
	s.working = rc
	if cfg.Local != nil {
		l := startLane(s, cfg.Local, max(1, cfg.ProcessWorkers), cmp.Or(cfg.LaneCapacity, laneCapacity), cfg.JobTimeout, cfg.Log)
		if err := l.followPause(ctx, rc); err != nil {
			l.stop(ctx)
			return err
		}
		s.lane.Store(l)
	}
	return nil
}

// stopWork lets running jobs finish (up to the context's deadline).
func (s *Store) stopWork(ctx context.Context) {
	if s.working == nil {
		return
	}
	// The lane stops beside River's jobs, within the same deadline; what
	// it still held becomes jobs, through the client still open.
	laneStopped := make(chan struct{})
	go func() {
		defer close(laneStopped)
		if l := s.lane.Swap(nil); l != nil {
			l.stop(ctx)
		}
	}()
	defer func() { <-laneStopped }()
	if err := s.working.Stop(ctx); err != nil {
		// Jobs still running are cancelled; their sends already accepted
		// are still recorded (worker.recordWindow ignores cancellation),
		// through the batchers that Close stops only after this.
		cctx, cancel := context.WithTimeout(context.Background(), stopRecordWindow)
		defer cancel()
		_ = s.working.StopAndCancel(cctx)
	}
	s.working = nil
}

// stopRecordWindow is how long a job may still record its sends past its
// timeout (worker.recordWindow, and a margin): cancelled jobs are given
// that long at stop, and a job is rescued no sooner than that after its
// timeout.
const stopRecordWindow = 25 * time.Second

// enqueue inserts a job in a transaction.
func (s *Store) enqueue(ctx context.Context, tx pgx.Tx, args river.JobArgs) error {
	if _, err := s.queue.Load().InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// enqueueMany inserts jobs in a transaction in one round trip, and
// returns them in the order given.
func (s *Store) enqueueMany(ctx context.Context, tx pgx.Tx, jobs []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	inserted, err := s.queue.Load().InsertManyTx(ctx, tx, jobs)
	if err != nil {
		return nil, fmt.Errorf("enqueue %d jobs: %w", len(jobs), err)
	}
	return inserted, nil
}

// PauseQueue stops every process from starting jobs of a queue (running
// ones finish) until ResumeQueue; the bench measures ingest alone with it.
func (s *Store) PauseQueue(ctx context.Context, queue string) error {
	if err := s.queue.Load().QueuePause(ctx, queue, nil); err != nil {
		return fmt.Errorf("pause queue %s: %w", queue, err)
	}
	return nil
}

// ResumeQueue lets a paused queue's jobs start again.
func (s *Store) ResumeQueue(ctx context.Context, queue string) error {
	if err := s.queue.Load().QueueResume(ctx, queue, nil); err != nil {
		return fmt.Errorf("resume queue %s: %w", queue, err)
	}
	return nil
}

// EnqueueDelivery queues a certificate's delivery to its holder.
func (t Tx) EnqueueDelivery(ctx context.Context, certID string) error {
	return t.s.enqueue(ctx, t.tx, DeliverArgs{CertID: certID})
}

// QueueDepth counts the jobs waiting or running, by queue and state, and
// as the process queue's state "lane" the messages waiting in this
// process's lane (lane.go), which are not jobs.
func (s *Store) QueueDepth(ctx context.Context) (map[[2]string]float64, error) {
	rows, err := s.pool.Query(ctx, `SELECT queue, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled') GROUP BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("queue depth: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]float64{}
	for rows.Next() {
		var q, st string
		var n int64
		if err := rows.Scan(&q, &st, &n); err != nil {
			return nil, fmt.Errorf("queue depth: %w", err)
		}
		out[[2]string{q, st}] = float64(n)
	}
	if l := s.lane.Load(); l != nil {
		out[[2]string{QueueProcess, "lane"}] = float64(l.depth())
	}
	return out, rows.Err()
}

// NotifyArgs asks for a citizen to be told of one status change of their
// application or grievance.
type NotifyArgs struct {
	EventID int64 `json:"event_id"`
}

func (NotifyArgs) Kind() string { return "notify_status" }

func (NotifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 12}
}

// HookArgs asks for a new record to be pushed to its department's own
// system, if it has configured a webhook.
type HookArgs struct {
	ApplicationID int64 `json:"application_id"`
	// Event is what happened: record.submitted, or record.<status> for a
	// move the department did not make (escalated, accepted after the
	// citizen's answer, reopened, closed after a rating).
	Event string `json:"event"`
}

func (HookArgs) Kind() string { return "department_hook" }

// InsertOpts: a department's system may be down for a while; River
// retries with its backoff for about a day.
func (HookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 20}
}

// ExportArgs asks for a citizen's summary of what is held to be made and
// sent to them, in their language.
type ExportArgs struct {
	RequestID int64  `json:"request_id"`
	WAID      string `json:"wa_id"`
	Lang      string `json:"lang"`
}

func (ExportArgs) Kind() string { return "export_citizen_data" }

func (ExportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 10}
}

// TemplateSyncArgs asks for the template registry to be synced with
// the catalogue and Meta.
type TemplateSyncArgs struct{}

func (TemplateSyncArgs) Kind() string { return "template_sync" }

// InsertOpts: one sync at a time, whatever the replicas.
func (TemplateSyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueProcess, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 5 * time.Minute}}
}

// CampaignArgs asks for a campaign to be fanned out and sent, a slice of
// time at a time (the job snoozes between slices).
type CampaignArgs struct {
	ID int64 `json:"id"`
}

func (CampaignArgs) Kind() string { return "campaign" }

// InsertOpts: one live job a campaign, whatever the replicas (a resumed
// campaign's job is not doubled); a finished one does not stand in the way
// of resuming.
func (CampaignArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCampaign, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

// RetentionArgs asks for the retention sweep: whatever has outlived its
// period is cleared, in batches (Store.Retain).
type RetentionArgs struct{}

func (RetentionArgs) Kind() string { return "retention" }

// InsertOpts: one retention sweep at a time, whatever the replicas; it
// runs in slices that snooze between them, so attempts are generous.
func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueProcess, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// SweepArgs asks for the periodic sweep: overdue grievances escalated,
// resolved ones closed after the reopen window, drafts reminded and
// expired.
type SweepArgs struct{}

func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts: one sweep at a time is enough, whatever the replicas.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueProcess, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Second}}
}
