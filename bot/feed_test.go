package bot

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// feedOnce runs one feed into a single unconsumed queue and returns what it
// handed out.
func feedOnce(t *testing.T, l *Loop, q chan store.InboxRef) []store.InboxRef {
	t.Helper()
	if err := l.feed(context.Background(), []chan store.InboxRef{q}); err != nil {
		t.Fatal(err)
	}
	var out []store.InboxRef
	for {
		select {
		case r := <-q:
			out = append(out, r)
		default:
			return out
		}
	}
}

// Each feed hands out only what was stored since the last one, with the
// order key the callback server stored beside the message.
func TestFeedHandsOutOnlyWhatIsNew(t *testing.T) {
	e := newEnv(t)
	q := make(chan store.InboxRef, 16)
	e.deliver(t, e.fake.CallbackText("alice", "a1", "101"))
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact",
		"UserID", "alice", "ExternalUserID", "wmA"))
	first := feedOnce(t, e.loop, q)
	again := feedOnce(t, e.loop, q)
	e.deliver(t, e.fake.CallbackText("bob", "b1", "102"))
	third := feedOnce(t, e.loop, q)
	got := [][]store.InboxRef{first, again, third}
	want := [][]store.InboxRef{{{ID: 1, Order: "alice"}, {ID: 2, Order: "sys:customer:wmA"}}, nil, {{ID: 3, Order: "bob"}}}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("feed %d handed out %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

// Messages stored by an older tagbot (no order key in the queue) are still
// handed out, in order with the new ones of the same sender.
func TestLegacyInboxMessagesStillHandled(t *testing.T) {
	e := newEnv(t)
	for i, text := range []string{"old1", "old2"} {
		// InboxPut writes what every tagbot before order keys wrote.
		if _, _, err := e.st.InboxPut(fmt.Sprint("legacy-", i), e.fake.CallbackText("alice", text, fmt.Sprint(900+i))); err != nil {
			t.Fatal(err)
		}
	}
	e.restart(t)
	e.deliver(t, e.fake.CallbackText("alice", "new1", "910"))
	q := make(chan store.InboxRef, 16)
	if got, want := feedOnce(t, e.loop, q), []store.InboxRef{{ID: 1, Order: "alice"}, {ID: 2, Order: "alice"}, {ID: 3, Order: "alice"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("handed out %+v, want %+v", got, want)
	}
	e.loop = NewLoop(LoopOptions{Store: e.st, Handler: e.handler, Sender: e.sender, Now: e.clk.Now, Logger: e.log,
		Workers: 4, Poll: 20 * time.Millisecond})
	runLoop(t, e)
	waitFor(t, "all handled", func() bool { return e.pending(t) == 0 })
	if got, want := e.handler.seen("alice"), []string{"old1", "old2", "new1"}; !slices.Equal(got, want) {
		t.Fatalf("alice's messages handled %q, want %q", got, want)
	}
}

// runLoop runs e.loop until the test ends.
func runLoop(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.loop.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// Under Run, the messages held behind a retry (some stored before it
// failed, one stored after) go out in order once it is through, and a
// message stored after the release does not overtake them.
func TestHeldMessagesReleasedInOrder(t *testing.T) {
	e := newEnv(t)
	e.loop = NewLoop(LoopOptions{Store: e.st, Handler: e.handler, Refresher: e.refresher, Sender: e.sender,
		Now: e.clk.Now, Logger: e.log, Workers: 2, Poll: 20 * time.Millisecond})
	e.refresher.failures, e.refresher.err = 1, &wecom.APIError{API: "externalcontact/get", Code: -1, Msg: "busy"}
	call := func(follower string) refreshCall {
		return refreshCall{"customer", "wmA", follower, "edit_external_contact"}
	}
	deliver := func(follower string) {
		e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact",
			"UserID", follower, "ExternalUserID", "wmA"))
	}
	for _, f := range []string{"f1", "f2", "f3"} {
		deliver(f)
	}
	runLoop(t, e)
	waitFor(t, "the first refresh to wait for a retry, the others held", func() bool {
		e.loop.mu.Lock()
		defer e.loop.mu.Unlock()
		w := e.loop.waiting["sys:customer:wmA"]
		return w != nil && len(w.held) == 2
	})
	deliver("f4")
	e.loop.Wake()
	waitFor(t, "f4 held too", func() bool {
		e.loop.mu.Lock()
		defer e.loop.mu.Unlock()
		return len(e.loop.waiting["sys:customer:wmA"].held) == 3
	})
	e.clk.Advance(6 * time.Second)
	e.loop.Wake()
	deliver("f5")
	waitFor(t, "all refreshed", func() bool { return len(e.refresher.recorded()) == 6 && e.pending(t) == 0 })
	want := []refreshCall{call("f1"), call("f1"), call("f2"), call("f3"), call("f4"), call("f5")}
	if got := e.refresher.recorded(); !slices.Equal(got, want) {
		t.Fatalf("refresh calls %v, want %v", got, want)
	}
}

// A restart forgets retry waits but not messages: everything pending is
// handed out again, in order, the one that was waiting first.
func TestRestartWithARetryWaiting(t *testing.T) {
	e := newEnv(t)
	e.refresher.failures, e.refresher.err = 1, &wecom.APIError{API: "externalcontact/get", Code: -1, Msg: "busy"}
	for _, f := range []string{"f1", "f2"} {
		e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact",
			"UserID", f, "ExternalUserID", "wmA"))
	}
	e.drain(t) // f1 fails and waits, f2 is held behind it
	if n := e.pending(t); n != 2 {
		t.Fatalf("%d pending before the restart, want 2", n)
	}
	e.restart(t)
	runLoop(t, e)
	waitFor(t, "all refreshed", func() bool { return e.pending(t) == 0 })
	want := []refreshCall{{"customer", "wmA", "f1", "edit_external_contact"}, {"customer", "wmA", "f1", "edit_external_contact"},
		{"customer", "wmA", "f2", "edit_external_contact"}}
	if got := e.refresher.recorded(); !slices.Equal(got, want) {
		t.Fatalf("refresh calls %v, want %v", got, want)
	}
}
