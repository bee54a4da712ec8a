package worker

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/store"
)

// retentionSlice is how long one run of the retention sweep works before
// it snoozes and lets other jobs run: well under the job timeout, so a
// large backlog (the first sweep over a year of messages) is cleared in
// many short runs, never one long one that the queue would think stuck.
const retentionSlice = 20 * time.Second

// RetentionWorker clears what has outlived its period (Deps.Retention).
type RetentionWorker struct {
	river.WorkerDefaults[store.RetentionArgs]
	deps Deps
}

// Work runs the sweep for one slice; if the slice ends with rows still to
// clear, the job snoozes a second and carries on where it stopped.
func (w *RetentionWorker) Work(ctx context.Context, job *river.Job[store.RetentionArgs]) error {
	slice, cancel := context.WithTimeout(ctx, retentionSlice)
	defer cancel()
	done, err := w.deps.Store.Retain(slice, w.deps.Now(), w.deps.Retention, w.deps.RetentionBatch)
	var cleared []any
	for kind, n := range done {
		if n > 0 {
			cleared = append(cleared, kind, n)
		}
	}
	if len(cleared) > 0 {
		w.deps.Log.Info("retention", cleared...)
	}
	if err != nil && errors.Is(slice.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		return river.JobSnooze(time.Second)
	}
	return err
}
