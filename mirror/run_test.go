package mirror

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// hookAPI wraps the real client to observe or pause mark_tag calls.
type hookAPI struct {
	wecom.API
	before func(n int64) // before call number n (1-based)
	after  func(n int64) // after call number n returned
	calls  atomic.Int64
}

func (h *hookAPI) MarkTag(ctx context.Context, userID, externalUserID string, add, remove []string) error {
	n := h.calls.Add(1)
	if h.before != nil {
		h.before(n)
	}
	err := h.API.MarkTag(ctx, userID, externalUserID, add, remove)
	if h.after != nil {
		h.after(n)
	}
	return err
}

// waitFor polls cond for up to 5s.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func countStatus(tb testing.TB, st *store.Store, ids []store.ID) map[store.OutboxStatus]int {
	tb.Helper()
	out := map[store.OutboxStatus]int{}
	for _, id := range ids {
		out[outbox(tb, st, id).Status]++
	}
	return out
}

func outboxIDs(tb testing.TB, st *store.Store) []store.ID {
	tb.Helper()
	list, err := st.PendingOutbox(0)
	must(tb, err)
	ids := make([]store.ID, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	return ids
}

func TestWorkerStoppedMidwayResumesAfterRestart(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		e := newEnv(t)
		e.seedSmall(t)
		e.fullSync(t)
		rels := toggles(t, e, 30)
		ids := outboxIDs(t, e.st)

		ctx, cancel := context.WithCancel(context.Background())
		api := &hookAPI{API: e.api, after: func(n int64) {
			if n == 10 {
				cancel() // stop mid-way, while calls are in flight
			}
		}}
		w1 := NewWorker(e.st, api, WorkerOptions{Now: e.clk.Now, Logger: e.log, Parallel: parallel})
		if err := w1.Run(ctx); err != nil {
			t.Fatalf("Run: %v", err)
		}
		done := countStatus(t, e.st, ids)[store.OutboxStatusDone]
		if done < 10 || done >= 30 {
			t.Fatalf("parallel %d: %d entries done after the stop, want 10..29", parallel, done)
		}
		if got := len(okMarkTags(e.fake)); got != done {
			t.Fatalf("parallel %d: %d successful calls but %d entries done", parallel, got, done)
		}

		e.reopen(t)
		w2 := e.worker(WorkerOptions{Parallel: parallel})
		must(t, w2.Drain(context.Background()))
		if got := countStatus(t, e.st, ids)[store.OutboxStatusDone]; got != 30 {
			t.Errorf("parallel %d: %d entries done, want 30", parallel, got)
		}
		if got := len(okMarkTags(e.fake)); got != 30 {
			t.Errorf("parallel %d: %d successful calls, want exactly 30", parallel, got)
		}
		assertMirrored(t, e, rels)
		must(t, e.st.Verify())
	}
}

func TestWorkerRunFinishesCallInHand(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	first := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, nil)
	second := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"高意向"}, nil)

	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	api := &hookAPI{API: e.api, before: func(int64) {
		once.Do(func() { close(started) })
		<-release
	}}
	ctx, cancel := context.WithCancel(context.Background())
	w := NewWorker(e.st, api, WorkerOptions{Now: e.clk.Now, Logger: e.log})
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	<-started
	cancel()
	close(release)
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run = %v, want nil on cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if ob := outbox(t, e.st, first.Outbox); ob.Status != store.OutboxStatusDone {
		t.Errorf("call in hand recorded as %s, want done", ob.Status)
	}
	if ob := outbox(t, e.st, second.Outbox); ob.Status != store.OutboxStatusPending || ob.Attempts != 0 {
		t.Errorf("next entry = %s/%d, want untouched", ob.Status, ob.Attempts)
	}
	if got := api.calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1", got)
	}
}

func TestWorkerRunWakesOnKickAndRetry(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A clock that moves with real time: the retry wake-up is timed by it.
	start := time.Now()
	now := func() time.Time { return e.clk.Now().Add(time.Since(start)) }
	w := NewWorker(e.st, e.api, WorkerOptions{
		Now: now, Logger: e.log, Poll: time.Hour, Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	})
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()

	cs := e.apply(t, "zhangsan", "c2", "zhangsan", []string{"VIP"}, nil)
	w.Kick()
	waitFor(t, "kicked entry sent", func() bool { return outbox(t, e.st, cs.Outbox).Status == store.OutboxStatusDone })

	e.fake.Fault(markTagPath, wecomtest.Fault{ErrCode: errcode.SystemBusy, Times: 1})
	cs2 := e.apply(t, "zhangsan", "c2", "zhangsan", nil, []string{"VIP"})
	w.Kick()
	waitFor(t, "retried entry sent", func() bool { return outbox(t, e.st, cs2.Outbox).Status == store.OutboxStatusDone })
	if ob := outbox(t, e.st, cs2.Outbox); ob.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", ob.Attempts)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

func TestWorkerRepeatedCallAfterCrashIsHarmless(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	cs := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, []string{})
	ob := outbox(t, e.st, cs.Outbox)
	// A worker sent the call and crashed before recording it.
	must(t, e.api.MarkTag(context.Background(), ob.Follower, ob.Customer, ob.Add, ob.Remove))
	e.reopen(t)
	must(t, e.worker(WorkerOptions{}).Drain(context.Background()))
	if got := outbox(t, e.st, cs.Outbox); got.Status != store.OutboxStatusDone {
		t.Fatalf("entry = %s", got.Status)
	}
	if got := len(okMarkTags(e.fake)); got != 2 {
		t.Errorf("successful calls = %d, want 2 (the documented repeat)", got)
	}
	assertMirrored(t, e, [][2]string{{"c1", "zhangsan"}})
}

func TestExponentialBackoff(t *testing.T) {
	cases := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.5, 750 * time.Millisecond},
		{2, 0, time.Second},
		{4, 0, 4 * time.Second},
		{9, 0, 128 * time.Second},
		{10, 0, 150 * time.Second}, // capped at 5min, lower half
		{10, 0.999999, 5*time.Minute - 300*time.Microsecond},
		{1000, 0, 150 * time.Second},
		{0, 0, 500 * time.Millisecond},
		{1, 1.5, 500 * time.Millisecond}, // out-of-range draw ignored
	}
	for _, tc := range cases {
		got := ExponentialBackoff(time.Second, 5*time.Minute, func() float64 { return tc.r })(tc.attempt)
		if d := got - tc.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("attempt %d r %v: %v, want %v", tc.attempt, tc.r, got, tc.want)
		}
	}
}
