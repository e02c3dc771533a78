package mirror

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// limitEnv is a fake WeCom and a store of n background mark_tag calls,
// with a client built by the test.
func limitEnv(t *testing.T, n int, opts wecomtest.Options, cfg func(*wecom.Config)) (*wecomtest.Server, *wecom.Client, *store.Store) {
	t.Helper()
	opts.Secret = fmt.Sprintf("secret-limit-%d", envSeq.Add(1))
	fake := wecomtest.New(opts)
	t.Cleanup(fake.Close)
	o := fake.Options()
	c := wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: fake.URL(),
		RateLimits: noLimits(), HTTPTimeout: 5 * time.Second, Logger: quietLogger()}
	cfg(&c)
	api, err := wecom.New(c)
	must(t, err)
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Logger: quietLogger()})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	g := fake.AddTagGroup("活动", "双十一")
	_, err = st.PutLibrary(store.Library{Groups: []store.Group{{ID: g.ID, Name: g.Name}},
		Tags: []store.Tag{{ID: g.Tags[0].ID, GroupID: g.ID, GroupName: g.Name, Name: "双十一"}}}, "sync")
	must(t, err)
	var batch []store.ChangeSet
	for i := range n {
		id := fmt.Sprintf("wm%04d", i)
		fake.AddCustomer(wecomtest.Customer{ExternalUserID: id, Follows: []wecomtest.Follow{{UserID: "emp"}}})
		must(t, st.UpsertCustomer(store.Customer{ID: id, Name: id}, []store.FollowInfo{{Follower: "emp"}}))
		batch = append(batch, store.ChangeSet{Actor: "boss", Source: store.SourceBulk, Batch: "bg-t", Customer: id, Follower: "emp",
			Add: []store.TagRef{{ID: g.Tags[0].ID}}})
	}
	_, err = st.ApplyBatch(batch)
	must(t, err)
	return fake, api, st
}

// runUntilDone runs a worker until nothing is pending (or 30s pass).
func runUntilDone(t *testing.T, st *store.Store, api wecom.API, opts WorkerOptions) {
	t.Helper()
	opts.Logger = quietLogger()
	w := NewWorker(st, api, opts)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	defer func() {
		cancel()
		must(t, <-ran)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		tot, _, _, _, err := st.OutboxCountsAll()
		must(t, err)
		if tot.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d still pending", tot.Pending)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWaitsOut45009: tagbot calls faster than WeCom allows (the corp's
// other apps used the rest of the minute). The call that breaches WeCom's
// limit blocks the API for 60 s; the worker pauses as long, then probes
// with one call, instead of sending into the block. The fake's clock runs
// 30 times faster than the wall clock, so WeCom's minute is 2 s.
func TestWaitsOut45009(t *testing.T) {
	start := time.Now()
	fast := func() time.Time { return start.Add(30 * time.Since(start)) }
	fake, api, st := limitEnv(t, 50, wecomtest.Options{Now: fast, Limits: map[string]int{wecom.PathMarkTag: 20}},
		func(c *wecom.Config) { c.Limits.RatePause = 2 * time.Second })
	runUntilDone(t, st, api, WorkerOptions{})

	c := fake.Counters()
	if len(c.Applied) != 50 {
		t.Fatalf("applied %d of 50", len(c.Applied))
	}
	blocked := c.Blocked[wecom.PathMarkTag]
	breaches := c.ByErrCode[wecom.PathMarkTag][errcode.RateLimited] - blocked
	pauses := api.PathState(wecom.PathMarkTag).Pauses
	// Into a block go only the calls already on their way when it began
	// (fewer than Parallel = 3) and, should it come a hair early, the probe
	// after the pause. Sending on would put hundreds of calls into the 2 s.
	if breaches < 1 || pauses < breaches || blocked > breaches*2+pauses {
		t.Errorf("%d breaches, %d pauses, %d calls during blocks: the block was hammered, not waited out", breaches, pauses, blocked)
	}
	tot, _, _, _, err := st.OutboxCountsAll()
	must(t, err)
	if tot.Done != 50 || tot.FailedTotal() != 0 {
		t.Errorf("store counts %+v", tot)
	}
}

// TestBacksOffOn45033: configured for more calls at once than WeCom takes,
// the worker lowers its concurrency after 45033 and still sends
// everything exactly once.
func TestBacksOffOn45033(t *testing.T) {
	fake, api, st := limitEnv(t, 120, wecomtest.Options{},
		func(c *wecom.Config) { c.Limits.Concurrency = map[string]int{wecom.PathMarkTag: 8} })
	fake.SetConcurrency(wecom.PathMarkTag, 2)
	fake.SetLatency(10 * time.Millisecond)
	runUntilDone(t, st, api, WorkerOptions{Parallel: 8})

	c := fake.Counters()
	refused := c.ByErrCode[wecom.PathMarkTag][errcode.ConcurrencyLimited]
	if len(c.Applied) != 120 || refused == 0 {
		t.Fatalf("applied %d of 120 with %d × 45033", len(c.Applied), refused)
	}
	for k, n := range c.Applied {
		if n != 1 {
			t.Errorf("%s applied %d times", k, n)
		}
	}
	// Unbowed, 8 senders against a cap of 2 would be refused on most calls.
	if refused > 40 {
		t.Errorf("%d × 45033 for 120 calls: concurrency not lowered", refused)
	}
	if ps := api.PathState(wecom.PathMarkTag); ps.Current >= 8 {
		t.Errorf("concurrency still %d after 45033", ps.Current)
	}
}

// TestRefreshesToken: an access token WeCom stopped accepting (40014) or
// that expired (42001) is replaced and the call made again, without
// counting as a failed attempt.
func TestRefreshesToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop func(*wecomtest.Server)
	}{
		{"40014", (*wecomtest.Server).InvalidateTokens},
		{"42001", (*wecomtest.Server).ExpireTokens},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, api, st := limitEnv(t, 2, wecomtest.Options{}, func(*wecom.Config) {})
			var once sync.Once
			hook := &hookAPI{API: api, before: func(int64) { once.Do(func() { tc.drop(fake) }) }}
			w := NewWorker(st, hook, WorkerOptions{Logger: quietLogger()})
			must(t, api.TokenReady(context.Background()))
			must(t, w.Drain(context.Background()))
			pending, err := st.PendingOutbox(0)
			must(t, err)
			if len(pending) != 0 {
				t.Fatalf("%d pending", len(pending))
			}
			for _, id := range []store.ID{1, 2} {
				if ob := outbox(t, st, id); ob.Attempts != 1 {
					t.Errorf("entry %d: %d attempts, want 1", id, ob.Attempts)
				}
			}
			if n := len(fake.CallsTo("gettoken")); n != 2 {
				t.Errorf("gettoken called %d times, want 2 (one refresh)", n)
			}
		})
	}
}

// TestPermanentFailureOfBackgroundEntry: a refusal fails the entry with
// its errcode, counted by errcode for its batch; the actor is not told per
// entry (the batch's summary does that).
func TestPermanentFailureOfBackgroundEntry(t *testing.T) {
	for _, code := range []int{errcode.NoRelation, errcode.InvalidExternalID, errcode.NoAPIPermission, errcode.NoPermission} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			fake, api, st := limitEnv(t, 3, wecomtest.Options{}, func(*wecom.Config) {})
			fake.Fault(wecom.PathMarkTag, wecomtest.Fault{ErrCode: code, Times: 1})
			var n notes
			w := NewWorker(st, api, WorkerOptions{Logger: quietLogger(), Notify: n.notify, Parallel: 1})
			must(t, w.Drain(context.Background()))
			if ob := outbox(t, st, 1); ob.Status != store.OutboxStatusFailed || ob.ErrCode != code {
				t.Errorf("entry 1 = %s/%d, want failed/%d", ob.Status, ob.ErrCode, code)
			}
			_, _, _, batches, err := st.OutboxCountsAll()
			must(t, err)
			if len(batches) != 1 || batches[0].Failed[code] != 1 || batches[0].Done != 2 {
				t.Errorf("batch counts %+v", batches)
			}
			replies, err := st.RepliesPending(0)
			must(t, err)
			if len(replies)+len(n.all()) != 0 {
				t.Errorf("told per entry: %v %v", replies, n.all())
			}
		})
	}
}
