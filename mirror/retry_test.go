package mirror

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// A WeCom outage never takes a change back: the entry stays queued, the
// actor is told once that it is delayed, and it goes through once WeCom is
// back.
func TestWorkerNeverGivesUpOnTransientErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault wecomtest.Fault
	}{
		{"45009", wecomtest.Fault{ErrCode: errcode.RateLimited}},
		{"system busy", wecomtest.Fault{ErrCode: errcode.SystemBusy}},
		{"http 502", wecomtest.Fault{HTTPStatus: 502}},
		{"dropped connection", wecomtest.Fault{Drop: true}},
		{"timeout", wecomtest.Fault{Latency: time.Second}},
		// a rotated Secret or a new egress IP is the operator's to fix:
		// the change waits, it is not failed and taken back
		{"revoked secret", wecomtest.Fault{ErrCode: errcode.InvalidSecret}},
		{"ip not trusted", wecomtest.Fault{ErrCode: errcode.IPNotAllowed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fullSync(t)
			cs := e.apply(t, "zhangsan", "c2", "zhangsan", []string{"普通"}, nil)
			e.fake.Fault(markTagPath, tc.fault)
			var n notes
			w := e.worker(WorkerOptions{Notify: n.notify, MaxAttempts: 3, CallTimeout: 100 * time.Millisecond})
			ctx := context.Background()

			must(t, w.Drain(ctx))
			ob := outbox(t, e.st, cs.Outbox)
			if diff := cmp.Diff(obView{Status: store.OutboxStatusPending, ErrCode: ob.ErrCode, Attempts: 3}, viewOB(ob)); diff != "" {
				t.Fatalf("entry after 3 transient failures (-want +got):\n%s", diff)
			}
			if got := relTagIDs(t, e, "c2", "zhangsan"); !slices.Equal(got, []string{e.lib["普通"]}) {
				t.Errorf("ledger took the change back: %v", got)
			}
			want := [][2]string{{"zhangsan", "企业微信暂时不可用，变更 #" + cs.ID.String() + " 还没同步上，会自动重试，不需要重做。"}}
			if got := n.all(); !slices.Equal(got, want) {
				t.Errorf("notes = %v, want %v", got, want)
			}

			// A later Drain tries it once more; nobody is told again.
			must(t, w.Drain(ctx))
			if ob := outbox(t, e.st, cs.Outbox); ob.Status != store.OutboxStatusPending || ob.Attempts != 4 {
				t.Errorf("entry after a 4th failure = %s/%d", ob.Status, ob.Attempts)
			}
			if got := len(n.all()); got != 1 {
				t.Errorf("notes = %d after the 4th failure, want 1", got)
			}

			e.fake.ClearFaults()
			must(t, w.Drain(ctx))
			if ob := outbox(t, e.st, cs.Outbox); ob.Status != store.OutboxStatusDone || ob.Attempts != 5 {
				t.Errorf("entry once WeCom is back = %s/%d", ob.Status, ob.Attempts)
			}
			if len(n.all()) != 1 {
				t.Errorf("notes = %v", n.all())
			}
			assertMirrored(t, e, [][2]string{{"c2", "zhangsan"}})
			must(t, e.st.Verify())
		})
	}
}

// appliedThenTimeout applies mark_tag on WeCom, then reports a timeout, as
// when WeCom's answer is lost.
type appliedThenTimeout struct{ wecom.API }

func (a appliedThenTimeout) MarkTag(ctx context.Context, u, c string, add, rm []string) error {
	if err := a.API.MarkTag(ctx, u, c, add, rm); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

func TestWorkerKeepsCallWeComAppliedButTimedOut(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	cs := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, nil)
	w := NewWorker(e.st, appliedThenTimeout{e.api}, WorkerOptions{
		Now: e.clk.Now, Logger: e.log, MaxAttempts: 2, Backoff: func(int) time.Duration { return 0 },
	})
	must(t, w.Drain(context.Background()))
	if got, want := relTagIDs(t, e, "c1", "zhangsan"), e.fake.CustomerTags("c1", "zhangsan"); !slices.Equal(got, want) {
		t.Fatalf("ledger %v, WeCom %v", got, want)
	}
	if ob := outbox(t, e.st, cs.Outbox); ob.Status != store.OutboxStatusPending || ob.Compensated != 0 {
		t.Errorf("entry = %+v, want pending and not compensated", ob)
	}
}

// The default backoff doubles from 100ms and stays at or under 5 minutes
// however long the outage lasts.
func TestWorkerDefaultBackoffIsCapped(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	cs := e.apply(t, "zhangsan", "c2", "zhangsan", []string{"普通"}, nil)
	e.fake.Fault(markTagPath, wecomtest.Fault{ErrCode: errcode.SystemBusy})
	w := NewWorker(e.st, e.api, WorkerOptions{Now: e.clk.Now, Logger: e.log, Rand: func() float64 { return 0.999 }})
	var waits []time.Duration
	for range 14 {
		must(t, w.Drain(context.Background()))
		ob := outbox(t, e.st, cs.Outbox)
		waits = append(waits, ob.NextAt.Sub(e.clk.Now()))
		e.clk.Advance(ob.NextAt.Sub(e.clk.Now()))
	}
	if ob := outbox(t, e.st, cs.Outbox); ob.Status != store.OutboxStatusPending || ob.Attempts != 14 {
		t.Fatalf("entry = %s/%d, want pending after 14 attempts", ob.Status, ob.Attempts)
	}
	if waits[0] < 90*time.Millisecond || waits[0] > DefaultBackoffBase {
		t.Errorf("first wait = %v", waits[0])
	}
	for i, d := range waits {
		if d > 5*time.Minute {
			t.Errorf("wait %d = %v, over the cap", i+1, d)
		}
	}
	if last := waits[len(waits)-1]; last < 4*time.Minute {
		t.Errorf("wait after 14 attempts = %v, want near the 5 min cap", last)
	}
}
