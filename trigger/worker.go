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

// Run delivers due notes every Poll until ctx ends, logging each pass
// that delivered, withheld or dropped something.
func (w *Worker) Run(ctx context.Context) error {
	poll := w.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		rep, err := w.RunOnce(ctx)
		if err != nil {
			w.logger().Error("trigger notes", "err", err)
		}
		if rep != (NoteReport{}) {
			w.logger().Info("trigger notes", "delivered", rep.Delivered, "messages", rep.Messages,
				"withheld", rep.Withheld, "unsent", rep.Unsent, "dropped", rep.Dropped)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// NoteReport is what one RunOnce did with the due notes.
type NoteReport struct {
	// Delivered counts the notes queued to at least one member, Messages
	// the messages so queued (one per member).
	Delivered, Messages int
	// Withheld counts the members a note was not sent to because they may
	// not see its tag (groups.*.visible_to); Unsent the notes that thereby
	// reached nobody.
	Withheld, Unsent int
	// Dropped counts the reminders whose tag had changed by then.
	Dropped int
}

// RunOnce delivers every note due now and reports what it delivered,
// withheld and dropped.
func (w *Worker) RunOnce(ctx context.Context) (NoteReport, error) {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	var rep NoteReport
	for ctx.Err() == nil {
		due, err := w.Store.DueNotes(now(), noteBatch)
		if err != nil {
			return rep, fmt.Errorf("due notes: %w", err)
		}
		for _, n := range due {
			keep, withheld := w.keep(n)
			ok, err := w.Store.DeliverNoteTo(n.ID, keep)
			switch {
			case errors.Is(err, store.ErrNotFound): // delivered by another pass
			case err != nil:
				return rep, fmt.Errorf("deliver note %d: %w", n.ID, err)
			case !ok:
				rep.Dropped++
				w.logger().Info("trigger reminder dropped: its tag changed since", "trigger", n.Trigger, "note", n.ID)
			default:
				rep.count(n, withheld)
				if len(withheld) > 0 { // the log names members and the trigger, never the tag
					w.logger().Info("trigger note withheld from members who may not see its tag", "trigger", n.Trigger, "note", n.ID,
						"withheld", withheld, "sent_to", len(n.To)-len(withheld))
				}
			}
		}
		if len(due) < noteBatch {
			break
		}
	}
	if rep.Messages > 0 && w.Flush != nil {
		w.Flush(ctx)
	}
	return rep, nil
}

// count adds a note delivered to n.To but withheld.
func (r *NoteReport) count(n store.Note, withheld []string) {
	sent := len(n.To) - len(withheld)
	r.Messages += sent
	r.Withheld += len(withheld)
	if sent > 0 {
		r.Delivered++
	} else {
		r.Unsent++
	}
}

// keep is the recipients of n who may see its tag (nil: all of them),
// and those who may not. It asks Sees before the delivery's transaction,
// which must not call the Store.
func (w *Worker) keep(n store.Note) (func(string) bool, []string) {
	if w.Sees == nil || n.Tag.ID == "" {
		return nil, nil
	}
	ok := map[string]bool{}
	var withheld []string
	for _, u := range n.To {
		if w.Sees(u, n.Tag) {
			ok[u] = true
		} else {
			withheld = append(withheld, u)
		}
	}
	return func(u string) bool { return ok[u] }, withheld
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}
