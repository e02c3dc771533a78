package app

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// driftRig is a synced tagbot over the demo company whose relationship
// 李华/zhangsan has then been changed on the WeCom side only, as a member
// editing it in the WeCom client while no callback arrives.
type driftRig struct {
	fake    *wecomtest.Server
	m       *Main
	skew    *atomic.Int64 // how far the bot's clock runs ahead of real time
	logs    *logtest.Buffer
	first   store.ID // the first sync's change-set for 李华
	want    []string // the tags WeCom now has
	follows int      // get_follow_user_list calls before Start
}

const driftCustomer, driftFollower = "wmDemo0002", "zhangsan"

func newDriftRig(t *testing.T, interval time.Duration) *driftRig {
	t.Helper()
	fake, cfg := fakeCompany(t)
	cfg.WeCom.SyncInterval = interval // set directly: Validate's 1m minimum is not applied
	r := &driftRig{fake: fake, skew: new(atomic.Int64), logs: &logtest.Buffer{}}
	now := func() time.Time { return time.Now().Add(time.Duration(r.skew.Load())) }
	logger := slog.New(slog.NewTextHandler(r.logs, nil))
	m, err := New(cfg, Options{Logger: logger, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	if err := m.SyncIfNeeded(context.Background()); err != nil {
		m.Store.Close()
		t.Fatal(err)
	}
	first := r.syncSets(t)
	if len(first) == 0 {
		m.Store.Close()
		t.Fatal("the first sync recorded nothing for 李华")
	}
	r.first = first[0].ID

	ids := map[string]string{}
	for _, g := range fake.TagGroups() {
		for _, tg := range g.Tags {
			ids[tg.Name] = tg.ID
		}
	}
	if got := fake.CustomerTags(driftCustomer, driftFollower); !slices.Equal(got, []string{ids["中意向"]}) {
		m.Store.Close()
		t.Fatalf("seeded tags of 李华 %v, want [中意向]", got)
	}
	r.want = []string{ids["低意向"], ids["展会"]}
	slices.Sort(r.want)
	fake.SetCustomerTags(driftCustomer, driftFollower, r.want)
	r.follows = len(fake.CallsTo("externalcontact/get_follow_user_list"))
	return r
}

// start runs the bot and stops it when the test ends.
func (r *driftRig) start(t *testing.T) {
	t.Helper()
	if err := r.m.Start(context.Background()); err != nil {
		r.m.Store.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.m.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
}

// syncSets lists the sync change-sets of 李华/zhangsan, newest first.
func (r *driftRig) syncSets(t *testing.T) []store.ChangeSet {
	t.Helper()
	h, err := r.m.Store.History(store.Query{Customer: driftCustomer, Follower: driftFollower, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.ChangeSet
	for _, cs := range h {
		if cs.Source == store.SourceSync {
			out = append(out, cs)
		}
	}
	return out
}

// storeTags is the ledger's current tags of 李华/zhangsan, sorted.
func (r *driftRig) storeTags(t *testing.T) []string {
	t.Helper()
	rel, err := r.m.Store.Relationship(driftCustomer, driftFollower)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(rel.Tags))
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// checkRepaired waits for the periodic sync to record WeCom's change as one
// `sync` change-set, then checks ledger and WeCom agree.
func (r *driftRig) checkRepaired(t *testing.T) {
	t.Helper()
	waitFor(t, "a sync change-set", func() bool {
		sets := r.syncSets(t)
		return len(sets) > 0 && sets[0].ID != r.first
	})
	cs := r.syncSets(t)[0]
	var add, remove []string
	for _, ref := range cs.Add {
		add = append(add, ref.ID)
	}
	for _, ref := range cs.Remove {
		remove = append(remove, ref.ID)
	}
	slices.Sort(add)
	type view struct {
		Actor, BatchKind string
		Add              []string
		Removed          int
	}
	kind, _, _ := strings.Cut(cs.Batch, "-")
	want := view{Actor: "sync", BatchKind: "sync", Add: r.want, Removed: 1}
	if diff := cmp.Diff(want, view{cs.Actor, kind, add, len(remove)}); diff != "" {
		t.Errorf("sync change-set (-want +got):\n%s", diff)
	}
	if got := r.storeTags(t); !slices.Equal(got, r.want) {
		t.Errorf("ledger tags %v, want WeCom's %v", got, r.want)
	}
	if n := len(r.fake.CallsTo("externalcontact/mark_tag")); n != 0 {
		t.Errorf("the sync sent %d mark_tag calls back to WeCom", n)
	}
	if err := r.m.Store.Verify(); err != nil {
		t.Error(err)
	}
}

func TestPeriodicSyncRepairsDriftWithoutCallback(t *testing.T) {
	r := newDriftRig(t, 50*time.Millisecond)
	r.start(t)
	r.checkRepaired(t)
	// It keeps running at every interval, not once.
	waitFor(t, "further periodic syncs", func() bool {
		return len(r.fake.CallsTo("externalcontact/get_follow_user_list")) >= r.follows+3
	})
	p, err := r.m.Store.InboxPending(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 0 {
		t.Errorf("inbox %+v: the repair came from a callback", p)
	}
	if !strings.Contains(r.logs.String(), "level=INFO msg=\"periodic full sync done\"") {
		t.Errorf("no info log of the report:\n%s", r.logs)
	}
}

func TestPeriodicSyncAtStartWhenOverdue(t *testing.T) {
	// The interval is far away, but by the bot's clock the last sync is
	// older than it: one runs at once.
	r := newDriftRig(t, time.Hour)
	r.skew.Store(int64(61 * time.Minute))
	r.start(t)
	r.checkRepaired(t)
	waitFor(t, "the report of the start sync", func() bool {
		return strings.Contains(r.logs.String(), `msg="periodic full sync done" pkg=app trigger=overdue`)
	})
}

func TestPeriodicSyncFailureRetriedAtNextTick(t *testing.T) {
	r := newDriftRig(t, 50*time.Millisecond)
	// 60011 (no privilege) is not transient: the client gives up at once.
	r.fake.Fault("externalcontact/get_follow_user_list", wecomtest.Fault{ErrCode: errcode.NoPermission, Times: 2})
	r.start(t)
	r.checkRepaired(t)
	failed := 0
	for _, c := range r.fake.CallsTo("externalcontact/get_follow_user_list") {
		if c.ErrCode == errcode.NoPermission {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d failed syncs, want 2 before the repair", failed)
	}
	if n := strings.Count(r.logs.String(), "level=WARN msg=\"periodic full sync failed"); n != 2 {
		t.Errorf("%d warnings, want 2:\n%s", n, r.logs)
	}
}

func TestPeriodicSyncNotRun(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		skew     time.Duration
	}{
		// 0 runs none, even when the last sync is long past.
		{"disabled", 0, 48 * time.Hour},
		// The last sync is recent and the interval far: nothing yet.
		{"not due", time.Hour, 59 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newDriftRig(t, tt.interval)
			before := r.storeTags(t)
			r.skew.Store(int64(tt.skew))
			if err := r.m.Start(context.Background()); err != nil {
				r.m.Store.Close()
				t.Fatal(err)
			}
			// Shutdown waits for the periodic goroutine, which decides
			// whether a sync is overdue before anything else: once it
			// returns, a sync either ran or never will (one cut short by
			// the shutdown still logs "periodic full sync stopped").
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := r.m.Shutdown(ctx); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			logs := r.logs.String()
			if !strings.Contains(logs, `msg="tagbot started"`) {
				t.Fatalf("no start log:\n%s", logs)
			}
			if strings.Contains(logs, "periodic full sync") {
				t.Errorf("a periodic sync was started:\n%s", logs)
			}
			if n := len(r.fake.CallsTo("externalcontact/get_follow_user_list")); n != r.follows {
				t.Errorf("%d full syncs ran, want none", n-r.follows)
			}
			st, err := store.Open(r.m.Config.Store.Path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			r.m.Store = st // the checks below read the reopened ledger
			if sets := r.syncSets(t); len(sets) != 1 || sets[0].ID != r.first {
				t.Errorf("sync change-sets %+v, want only the first sync's", sets)
			}
			if got := r.storeTags(t); !slices.Equal(got, before) {
				t.Errorf("ledger tags %v changed from %v", got, before)
			}
		})
	}
}
