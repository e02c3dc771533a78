package intake

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

// Worker defaults.
const (
	DefaultMaxAttempts = 5                // failures before an activity is given up
	defaultBackoff     = 2 * time.Second  // first retry delay, doubling
	maxBackoff         = time.Minute      // longest retry delay
	idlePoll           = 30 * time.Second // look at the queue this often without a Wake
	batchSize          = 100              // activities read from the queue at a time
	activityTimeout    = 2 * time.Minute  // bound on classifying and offering one activity
	// DefaultConcurrency is how many activities (of different customers)
	// are classified at once when Worker.Concurrency is 0.
	DefaultConcurrency = 8
	maxHeld            = 10000 // queued ids the worker keeps in memory at most
)

// Ref is the store id of activity id as an Offer's Ref ("act:42"): stable
// across retries of the same activity.
func Ref(id store.ID) string { return "act:" + id.String() }

// Worker classifies queued activities and hands the matches to the
// Offerer. Up to Concurrency activities of different customers run at once,
// so a slow classification (an LLM answer, a slow rule condition) holds up
// only its own customer; one customer's activities run one at a time in id
// order, so a rule counting over a window sees the earlier ones classified
// first. An activity leaves the queue only after its offers were made, so a
// crash in between offers it again with the same Ref (the Offerer drops the
// repeat), and a restart reads the queue again in id order. A failing
// classifier or offerer is retried with back-off; an activity that fails
// MaxAttempts times in a row is given up (logged with its id) so it cannot
// block its customer. 归类工作者。
type Worker struct {
	store      *store.Store
	mu         sync.RWMutex // guards classifier and offerer
	classifier classify.Classifier
	offerer    classify.Offerer
	now        func() time.Time
	log        *slog.Logger
	wake       chan struct{}

	// MaxAttempts is how many failures give an activity up
	// (DefaultMaxAttempts when 0). Set before Run.
	MaxAttempts int
	// Backoff is the delay after the n-th failure (n from 1); doubling
	// from 2 s up to a minute when nil. Set before Run.
	Backoff func(n int) time.Duration
	// Concurrency is how many activities are classified at once, each of
	// a different customer (DefaultConcurrency when 0). Set before Run.
	Concurrency int
}

// NewWorker returns a Worker. A nil classifier classifies nothing and a nil
// offerer drops every offer, so a tagbot without rules still runs.
func NewWorker(s *store.Store, c classify.Classifier, o classify.Offerer, now func() time.Time, log *slog.Logger) *Worker {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Worker{store: s, classifier: c, offerer: o, now: now, log: log, wake: make(chan struct{}, 1)}
}

// SetClassifier replaces the classifier (nil: classify nothing); the next
// activity uses it.
func (w *Worker) SetClassifier(c classify.Classifier) {
	w.mu.Lock()
	w.classifier = c
	w.mu.Unlock()
}

// SetOfferer replaces the offerer (nil: drop offers); the next activity
// uses it.
func (w *Worker) SetOfferer(o classify.Offerer) {
	w.mu.Lock()
	w.offerer = o
	w.mu.Unlock()
}

// seams returns the classifier and offerer in use.
func (w *Worker) seams() (classify.Classifier, classify.Offerer) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.classifier, w.offerer
}

// Wake tells the worker there is something in the queue. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// handle processes activity id, retrying failures (a classifier or
// offerer taking longer than two minutes is one) with back-off; only ctx
// ending stops it early (the activity then stays queued). Each attempt
// holds one of slots; the back-off between attempts holds none, so a
// failing activity delays only its own customer.
func (w *Worker) handle(ctx context.Context, id store.ID, slots chan struct{}) error {
	maxAttempts := cmp.Or(w.MaxAttempts, DefaultMaxAttempts)
	for n := 1; ; n++ {
		err := w.attempt(ctx, id, slots)
		if err == nil || ctx.Err() != nil {
			return ctx.Err()
		}
		if n >= maxAttempts {
			w.log.Error("intake: activity given up", "activity", id, "attempts", n, "err", err)
			if err := w.done(id); err != nil {
				w.log.Error("intake: mark activity done", "activity", id, "err", err)
			}
			return nil
		}
		w.log.Warn("intake: activity failed, will retry", "activity", id, "attempt", n, "err", err)
		if err := sleep(ctx, w.backoff(n)); err != nil {
			return err
		}
	}
}

// attempt runs process once within the time bound, holding one of slots
// (waiting for one first).
func (w *Worker) attempt(ctx context.Context, id store.ID, slots chan struct{}) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	actx, cancel := context.WithTimeout(ctx, activityTimeout)
	defer cancel()
	return w.process(actx, id)
}

// process reads activity id, classifies it for each follower it concerns,
// offers the matches and marks it done.
func (w *Worker) process(ctx context.Context, id store.ID) error {
	a, err := w.load(id)
	if err != nil {
		return err
	}
	if a.Done { // its record expired before it was classified
		return w.done(a.ID)
	}
	followers, err := w.followers(a)
	if err != nil {
		return err
	}
	in, err := toInput(a)
	if err != nil {
		w.log.Error("intake: activity unreadable, skipped", "activity", a.ID, "err", err)
		return w.done(a.ID)
	}
	for _, f := range followers {
		if err := w.offer(ctx, a, in, f); err != nil {
			return err
		}
	}
	return w.done(a.ID)
}

// offer classifies in for follower and hands non-empty matches on.
func (w *Worker) offer(ctx context.Context, a *store.Activity, in classify.Input, follower string) error {
	classifier, offerer := w.seams()
	if classifier == nil {
		return nil
	}
	matches, err := classifier.Classify(ctx, in, newFacts(w.store, *a, follower))
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	if len(matches) == 0 || offerer == nil {
		return nil
	}
	if err := offerer.Offer(ctx, classify.Offer{Ref: Ref(a.ID), Input: in, Follower: follower, Matches: matches}); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	return nil
}

// followers lists whom activity a's suggestions go to: the employee of the
// conversation if they still follow the customer; with no employee, every
// follower of the customer.
func (w *Worker) followers(a *store.Activity) ([]string, error) {
	if a.Employee != "" {
		_, err := w.store.Relationship(a.Customer, a.Employee)
		if errors.Is(err, store.ErrNoRelationship) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []string{a.Employee}, nil
	}
	c, err := w.store.Customer(a.Customer)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return c.Followers, err
}

// load reads activity id; one whose record has expired comes back Done.
func (w *Worker) load(id store.ID) (*store.Activity, error) {
	a, err := w.store.Activity(id)
	if errors.Is(err, store.ErrNotFound) {
		return &store.Activity{ID: id, Done: true}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", err)
	}
	return &a, nil
}

// done marks an activity classified.
func (w *Worker) done(id store.ID) error {
	if err := w.store.ActivityDone(id); err != nil {
		return fmt.Errorf("mark done: %w", err)
	}
	return nil
}

// backoff is the delay after the n-th failure.
func (w *Worker) backoff(n int) time.Duration {
	if w.Backoff != nil {
		return w.Backoff(n)
	}
	d := defaultBackoff << min(n-1, 10)
	return min(d, maxBackoff)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
