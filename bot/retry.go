package bot

import (
	"cmp"
	"slices"
	"time"

	"github.com/tagbot/tagbot/store"
)

// wait is an inbox message waiting for a retry, and the later messages of
// its order key held behind it so they do not overtake it.
type wait struct {
	ref      store.InboxRef
	at       time.Time        // when it may run again
	out      bool             // handed out again, not through yet
	released bool             // through: held goes out at the next feed
	held     []store.InboxRef // later messages of the key, by id
}

// hold keeps r behind w, in id order, once.
func (w *wait) hold(r store.InboxRef) {
	i, found := slices.BinarySearchFunc(w.held, r.ID, func(h store.InboxRef, id store.ID) int {
		return cmp.Compare(h.ID, id)
	})
	if !found {
		w.held = slices.Insert(w.held, i, r)
	}
}

// due returns, in id order per order key, what feed must hand out before
// anything new: the messages held behind a retry that is through, and the
// retries whose time has come (at now).
func (l *Loop) due(now time.Time) []store.InboxRef {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []store.InboxRef
	for key, w := range l.waiting {
		switch {
		case w.released:
			out = append(out, w.held...)
			delete(l.waiting, key)
		case !w.out && !now.Before(w.at):
			out = append(out, w.ref)
			w.out = true
		}
	}
	return out
}

// admit reports whether r may run now: not while an earlier message of its
// order key waits for a retry (r is then held behind that one).
func (l *Loop) admit(r store.InboxRef) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.waiting[r.Order]
	switch {
	case w == nil || w.ref.ID == r.ID:
		return true
	case w.released:
		// Only Drain meets this: it runs the held messages itself, in
		// inbox order (Run hands them out only after removing w).
		w.held = slices.DeleteFunc(w.held, func(h store.InboxRef) bool { return h.ID == r.ID })
		if len(w.held) == 0 {
			delete(l.waiting, r.Order)
		}
		return true
	default:
		w.hold(r)
		return false
	}
}

// retryAt makes r wait until at, holding the later messages of its key.
func (l *Loop) retryAt(r store.InboxRef, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.waiting[r.Order]
	if w == nil || w.ref.ID != r.ID {
		// A new wait takes over what an old one of the key still holds
		// (Drain running held messages itself): nothing is dropped.
		nw := &wait{ref: r}
		if w != nil {
			for _, h := range w.held {
				if h.ID != r.ID {
					nw.hold(h)
				}
			}
			if !w.released {
				nw.hold(w.ref)
			}
		}
		w = nw
		l.waiting[r.Order] = w
	}
	w.at, w.out = at, false
}

// release ends r's wait, if it had one: the messages held behind it go out
// at the next feed, which it wakes.
func (l *Loop) release(r store.InboxRef) {
	l.mu.Lock()
	w := l.waiting[r.Order]
	if w == nil || w.ref.ID != r.ID {
		l.mu.Unlock()
		return
	}
	if len(w.held) == 0 {
		delete(l.waiting, r.Order)
		l.mu.Unlock()
		return
	}
	w.released = true
	l.mu.Unlock()
	l.Wake()
}
