// Package jobs runs the store's durable background jobs (store.Job): a
// /bulk run, a mass undo, an import, a merge. Each chunk of rows is applied
// in one store transaction with the job's cursor, so a crash never applies
// a row twice or loses one; Run resumes unfinished jobs at start.
// 后台任务：分块执行、可断点续跑。
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Defaults of Runner.
const (
	DefaultChunk      = 200
	DefaultMaxBacklog = 1000
	DefaultPoll       = time.Second
)

// Runner applies pending and running jobs a chunk at a time, round-robin
// between jobs, waiting while WeCom is behind (the outbox backlog), so a
// job's progress follows what WeCom has actually received. Create jobs with
// store.CreateJob, then call Wake.
type Runner struct {
	Store *store.Store
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Kick wakes the outbox worker after a chunk; may be nil.
	Kick func()
	// Progress is called after every chunk with the job as it stands, and
	// at start for jobs that ended but whose summary was not reported
	// (store.Job.Reported): the receiver sends the summary and calls
	// store.MarkJobReported. Handlers registered with Handle take their
	// kinds first. May be nil.
	Progress func(job store.Job)
	// Chunk is the rows per transaction (DefaultChunk when 0).
	Chunk int
	// MaxBacklog: no chunk is applied while this many outbox entries are
	// pending (DefaultMaxBacklog when 0; negative: never wait).
	MaxBacklog int
	// Poll is how often a waiting runner looks again (DefaultPoll when 0).
	Poll   time.Duration
	Logger *slog.Logger

	once     sync.Once
	wake     chan struct{}
	mu       sync.Mutex
	handlers map[string]func(store.Job)
}

// Handle sends the progress of jobs of kind to fn instead of Progress.
// Call it before Run.
func (r *Runner) Handle(kind string, fn func(store.Job)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]func(store.Job){}
	}
	r.handlers[kind] = fn
}

func (r *Runner) init() {
	r.once.Do(func() {
		r.wake = make(chan struct{}, 1)
		if r.Now == nil {
			r.Now = time.Now
		}
		if r.Kick == nil {
			r.Kick = func() {}
		}
		if r.Chunk <= 0 {
			r.Chunk = DefaultChunk
		}
		if r.MaxBacklog == 0 {
			r.MaxBacklog = DefaultMaxBacklog
		}
		if r.Poll <= 0 {
			r.Poll = DefaultPoll
		}
		if r.Logger == nil {
			r.Logger = slog.Default()
		}
		r.Logger = r.Logger.With("pkg", "jobs")
	})
}

// Wake makes a waiting Run look for work now (after CreateJob).
func (r *Runner) Wake() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run resumes unfinished jobs and runs new ones until ctx ends. A job a
// crash left half-created is cancelled (its creator never confirmed it).
func (r *Runner) Run(ctx context.Context) error {
	r.init()
	if err := r.recover(); err != nil {
		return err
	}
	for {
		worked, err := r.Step(ctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			r.Logger.Error("job step failed; retrying", "err", err)
			worked = false
		}
		if worked {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

// recover cancels half-created jobs and reports ended, unreported ones.
func (r *Runner) recover() error {
	js, err := r.Store.Jobs(true)
	if err != nil {
		return err
	}
	for _, j := range js {
		switch {
		case j.State == store.JobCreating:
			c, err := r.Store.CancelJob(j.ID)
			if err != nil {
				return err
			}
			r.Logger.Warn("half-created job cancelled", "job", j.ID)
			r.report(c)
		case !j.State.Runnable() && !j.Reported:
			r.report(j)
		case j.State.Runnable():
			r.Logger.Info("resuming job", "job", j.ID, "done", j.Next, "total", j.Total)
		}
	}
	return nil
}

// Step applies one chunk of every runnable job unless WeCom is too far
// behind; it reports whether it applied anything.
func (r *Runner) Step(ctx context.Context) (bool, error) {
	r.init()
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if r.MaxBacklog > 0 {
		n, err := r.Store.CountPendingOutbox(r.MaxBacklog)
		if err != nil || n >= r.MaxBacklog {
			return false, err
		}
	}
	js, err := r.Store.Jobs(true)
	if err != nil {
		return false, err
	}
	worked := false
	var errs []error
	for _, j := range js {
		if !j.State.Runnable() {
			continue
		}
		id := j.ID
		j, err := r.Store.ApplyJobChunk(id, r.Chunk)
		if err != nil { // this job waits; the others go on
			errs = append(errs, fmt.Errorf("job %s: %w", id, err))
			continue
		}
		worked = true
		r.Kick()
		r.report(j)
	}
	return worked, errors.Join(errs...)
}

// Drain runs Step until no job is runnable, ignoring the outbox backlog
// (for CLI runs and tests).
func (r *Runner) Drain(ctx context.Context) error {
	r.init()
	saved := r.MaxBacklog
	r.MaxBacklog = -1
	defer func() { r.MaxBacklog = saved }()
	for {
		worked, err := r.Step(ctx)
		if err != nil || !worked {
			return err
		}
	}
}

// report passes the job to its kind's handler or Progress.
func (r *Runner) report(j store.Job) {
	r.mu.Lock()
	fn := r.handlers[j.Kind]
	r.mu.Unlock()
	if fn == nil {
		fn = r.Progress
	}
	if fn != nil {
		fn(j)
	}
}
