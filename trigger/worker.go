package trigger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tagbot/tagbot/store"
)

// DefaultPoll is how often the Worker looks for due notes.
const DefaultPoll = 30 * time.Second

// noteBatch is how many due notes one pass reads.
const noteBatch = 100

// Worker sends trigger notes when they are due: each becomes queued
// replies to its members in one store transaction (store.DeliverNote),
// then the sender is told. A reminder whose tag is gone by then is
// dropped. Notes survive restarts: they live in the store.
type Worker struct {
	Store *store.Store
	// Flush wakes the reply sender after notes were queued (bot.Sender.Flush).
	Flush func(ctx context.Context)
	Now   func() time.Time // time.Now when nil
	Poll  time.Duration    // DefaultPoll when 0
	// Sees reports whether a member may see a tag (groups.*.visible_to;
	// the app passes commands.ViewerFor's SeesRef): a note about a tag is
	// not sent to a member who may not. Everyone sees everything when nil.
	Sees   func(user string, tag store.TagRef) bool
	Logger *slog.Logger
}

// Run delivers due notes every Poll until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	poll := w.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, _, err := w.RunOnce(ctx); err != nil {
			w.logger().Error("trigger notes", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunOnce delivers every note due now and reports how many were sent
// and how many dropped (their tag gone).
func (w *Worker) RunOnce(ctx context.Context) (sent, dropped int, err error) {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	for ctx.Err() == nil {
		due, err := w.Store.DueNotes(now(), noteBatch)
		if err != nil {
			return sent, dropped, fmt.Errorf("due notes: %w", err)
		}
		for _, n := range due {
			ok, err := w.Store.DeliverNoteTo(n.ID, w.keep(n))
			switch {
			case errors.Is(err, store.ErrNotFound): // delivered by another pass
			case err != nil:
				return sent, dropped, fmt.Errorf("deliver note %d: %w", n.ID, err)
			case ok:
				sent++
			default:
				dropped++
				w.logger().Info("trigger reminder dropped: its tag changed since", "trigger", n.Trigger, "note", n.ID)
			}
		}
		if len(due) < noteBatch {
			break
		}
	}
	if sent > 0 && w.Flush != nil {
		w.Flush(ctx)
	}
	return sent, dropped, nil
}

// keep is the recipients of n who may see its tag (nil: all of them).
// It asks Sees before the delivery's transaction, which must not call
// the Store.
func (w *Worker) keep(n store.Note) func(string) bool {
	if w.Sees == nil || n.Tag.ID == "" {
		return nil
	}
	ok := map[string]bool{}
	for _, u := range n.To {
		if w.Sees(u, n.Tag) {
			ok[u] = true
		} else {
			w.logger().Info("trigger note not sent: the member may not see its tag", "trigger", n.Trigger, "note", n.ID, "user", u)
		}
	}
	return func(u string) bool { return ok[u] }
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}
