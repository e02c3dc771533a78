package mirror

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

const getContactPath = "externalcontact/get"

// uiEditWhilePending queues VIP for c1/zhangsan, then zhangsan adds 高意向
// in the WeCom client before the call is sent, and the edit callback is
// handled: Reconcile leaves the busy relationship alone and marks it.
func uiEditWhilePending(t *testing.T, e *env) store.ChangeSet {
	t.Helper()
	e.seedSmall(t)
	e.fullSync(t)
	cs := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, nil)
	e.fake.SetCustomerTags("c1", "zhangsan", []string{e.lib["高意向"]})
	css, err := e.syncer().RefreshCustomer(context.Background(), "c1", "zhangsan", ChangeEditContact)
	must(t, err)
	if len(css) != 0 {
		t.Fatalf("busy relationship reconciled: %+v", css)
	}
	return cs
}

func rechecks(t *testing.T, st *store.Store) []store.RelRef {
	t.Helper()
	refs, err := st.Rechecks(0)
	must(t, err)
	return refs
}

// A WeCom-client edit made while calls were queued is recorded, as the
// follower's, once the calls are sent.
func TestWorkerRechecksUIEditMadeWhilePending(t *testing.T) {
	e := newEnv(t)
	cmd := uiEditWhilePending(t, e)
	must(t, e.worker(WorkerOptions{}).Drain(context.Background()))

	want := sortedIDs(e, []string{"VIP", "高意向"})
	if wc, pj := e.fake.CustomerTags("c1", "zhangsan"), relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(wc, want) || !slices.Equal(pj, want) {
		t.Fatalf("WeCom %v, ledger %v, want both %v", wc, pj, want)
	}
	hist, err := e.st.History(store.Query{Customer: "c1", Follower: "zhangsan", Limit: 1})
	must(t, err)
	wantCS := csView{Source: store.SourceWeComUI, Actor: "zhangsan", Customer: "c1", Follower: "zhangsan",
		Add: []string{e.lib["高意向"]}, Remove: []string{}}
	if diff := cmp.Diff(wantCS, viewCS(hist[0])); diff != "" {
		t.Errorf("latest change-set (-want +got):\n%s", diff)
	}
	if hist[0].ID <= cmd.ID {
		t.Errorf("latest change-set #%d is not after the command's #%d", hist[0].ID, cmd.ID)
	}
	if refs := rechecks(t, e.st); len(refs) != 0 {
		t.Errorf("marks left: %v", refs)
	}
	must(t, e.st.Verify())
}

// WeCom unavailable during a re-check leaves the mark for a later pass.
func TestWorkerRecheckTransientErrorKeepsMark(t *testing.T) {
	e := newEnv(t)
	uiEditWhilePending(t, e)
	e.fake.Fault(getContactPath, wecomtest.Fault{ErrCode: errcode.SystemBusy})
	w := e.worker(WorkerOptions{})
	must(t, w.Drain(context.Background()))
	if refs := rechecks(t, e.st); !slices.Equal(refs, []store.RelRef{{Customer: "c1", Follower: "zhangsan"}}) {
		t.Fatalf("marks = %v, want c1/zhangsan kept", refs)
	}
	if got := relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(got, []string{e.lib["VIP"]}) {
		t.Errorf("ledger = %v before a successful re-check", got)
	}
	e.fake.ClearFaults()
	must(t, w.Drain(context.Background()))
	if refs := rechecks(t, e.st); len(refs) != 0 {
		t.Errorf("marks left: %v", refs)
	}
	if wc, pj := e.fake.CustomerTags("c1", "zhangsan"), relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(wc, pj) {
		t.Errorf("WeCom %v, ledger %v", wc, pj)
	}
}

// The worker passes each marked relationship to its Recheck hook, and stops
// the round on an error.
func TestWorkerRecheckHook(t *testing.T) {
	e := newEnv(t)
	uiEditWhilePending(t, e)
	var mu sync.Mutex
	var seen []store.RelRef
	hook := func(_ context.Context, r store.RelRef) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
		return errors.New("wecom down")
	}
	must(t, e.worker(WorkerOptions{Recheck: hook}).Drain(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || seen[0] != (store.RelRef{Customer: "c1", Follower: "zhangsan"}) {
		t.Fatalf("hook saw %v", seen)
	}
	if refs := rechecks(t, e.st); len(refs) != 1 {
		t.Errorf("marks = %v, want the failed one kept", refs)
	}
}

func TestSyncerRecheck(t *testing.T) {
	cases := []struct {
		name     string
		before   func(e *env) // after the worker sent the queued call
		wantErr  bool
		wantMark bool
		wantTags []string // c1/zhangsan in the ledger
	}{
		{name: "records the edit", wantTags: []string{"VIP", "高意向"}},
		{
			name:     "busy again: a new call is queued",
			before:   func(e *env) { e.apply(t, "zhangsan", "c1", "zhangsan", []string{"普通"}, nil) },
			wantMark: true, wantTags: []string{"VIP", "普通"},
		},
		{
			name:    "wecom unavailable",
			before:  func(e *env) { e.fake.Fault(getContactPath, wecomtest.Fault{HTTPStatus: 502}) },
			wantErr: true, wantMark: true, wantTags: []string{"VIP"},
		},
		{
			name:     "customer gone from WeCom",
			before:   func(e *env) { e.fake.Fault(getContactPath, wecomtest.Fault{ErrCode: errcode.InvalidExternalID}) },
			wantTags: []string{"VIP"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			uiEditWhilePending(t, e)
			ctx := context.Background()
			// Send the call without re-checking: the hook keeps every mark.
			keep := func(context.Context, store.RelRef) error { return errors.New("not now") }
			must(t, e.worker(WorkerOptions{Recheck: keep}).Drain(ctx))
			if tc.before != nil {
				tc.before(e)
			}
			r := store.RelRef{Customer: "c1", Follower: "zhangsan"}
			if err := e.syncer().Recheck(ctx, r); (err != nil) != tc.wantErr {
				t.Fatalf("Recheck = %v, want error %v", err, tc.wantErr)
			}
			e.fake.ClearFaults()
			// Drain anything queued, recording which marks are left.
			var mu sync.Mutex
			var left []store.RelRef
			record := func(_ context.Context, r store.RelRef) error {
				mu.Lock()
				defer mu.Unlock()
				if !slices.Contains(left, r) {
					left = append(left, r)
				}
				return errors.New("not now")
			}
			must(t, e.worker(WorkerOptions{Recheck: record}).Drain(ctx))
			mu.Lock()
			defer mu.Unlock()
			if got := slices.Contains(left, r); got != tc.wantMark {
				t.Errorf("marked = %v, want %v", got, tc.wantMark)
			}
			if got, want := relTagIDs(t, e, "c1", "zhangsan"), sortedIDs(e, tc.wantTags); !slices.Equal(got, want) {
				t.Errorf("ledger = %v, want %v", got, want)
			}
		})
	}
}

// A fresh edit callback that reads WeCom after the calls were sent settles
// the relationship: its mark is cleared without another read.
func TestRefreshCustomerClearsSettledMark(t *testing.T) {
	e := newEnv(t)
	uiEditWhilePending(t, e)
	ctx := context.Background()
	keep := func(context.Context, store.RelRef) error { return errors.New("not now") }
	must(t, e.worker(WorkerOptions{Recheck: keep}).Drain(ctx))
	css, err := e.syncer().RefreshCustomer(ctx, "c1", "zhangsan", ChangeEditContact)
	must(t, err)
	want := []csView{{Source: store.SourceWeComUI, Actor: "zhangsan", Customer: "c1", Follower: "zhangsan",
		Add: []string{e.lib["高意向"]}, Remove: []string{}}}
	if diff := cmp.Diff(want, viewCSs(css)); diff != "" {
		t.Fatalf("change-sets (-want +got):\n%s", diff)
	}
	if refs := rechecks(t, e.st); len(refs) != 0 {
		t.Errorf("marks left: %v", refs)
	}
}
