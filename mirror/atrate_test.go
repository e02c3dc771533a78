package mirror

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// rateEnv is a fake WeCom playing WeCom's limits (a per-API limit per
// minute, mark_tag's cap of 5 calls at once) with injected transient
// faults, a Client configured at perMin mark_tag calls a minute with the
// default concurrency, and a store holding one background batch of a
// mark_tag call for each of its relationships.
type rateEnv struct {
	fake   *wecomtest.Server
	api    *wecom.Client
	st     *store.Store
	perMin int
	rels   int
}

// benchFollowers is how many employees follow each customer of a rateEnv.
const benchFollowers = 10

// newRateEnv builds a rateEnv of n relationships (a multiple of
// benchFollowers) with faults on the given share of mark_tag calls.
func newRateEnv(tb testing.TB, n, perMin int, faults float64) *rateEnv {
	tb.Helper()
	secret := fmt.Sprintf("secret-rate-%d", envSeq.Add(1))
	// WeCom's limit: tagbot is configured right at it (its bucket's tenth
	// of a second of burst is the 1% above).
	fake := wecomtest.New(wecomtest.Options{Secret: secret, Limits: map[string]int{"externalcontact/mark_tag": perMin + perMin/100}})
	tb.Cleanup(fake.Close)
	o := fake.Options()
	limits := noLimits()
	limits[wecom.PathMarkTag] = perMin
	api, err := wecom.New(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: fake.URL(),
		RateLimits: limits, HTTPTimeout: 5 * time.Second, Logger: quietLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(filepath.Join(tb.TempDir(), "tagbot.db"), store.Options{Logger: quietLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	g := fake.AddTagGroup("活动", "双十一")
	tag := g.Tags[0].ID
	_, err = st.PutLibrary(store.Library{
		Groups: []store.Group{{ID: g.ID, Name: g.Name}},
		Tags:   []store.Tag{{ID: tag, GroupID: g.ID, GroupName: g.Name, Name: "双十一"}},
	}, "sync")
	must(tb, err)
	batch := make([]store.ChangeSet, 0, n)
	for c := range n / benchFollowers {
		id := fmt.Sprintf("wmbench%06d", c)
		var follows []wecomtest.Follow
		var infos []store.FollowInfo
		for f := range benchFollowers {
			u := fmt.Sprintf("emp%02d", f)
			follows = append(follows, wecomtest.Follow{UserID: u})
			infos = append(infos, store.FollowInfo{Follower: u})
			batch = append(batch, store.ChangeSet{Actor: "boss", Source: store.SourceBulk, Batch: "bg-bench",
				Customer: id, Follower: u, Add: []store.TagRef{{ID: tag}}})
		}
		fake.AddCustomer(wecomtest.Customer{ExternalUserID: id, Name: id, Follows: follows})
		must(tb, st.UpsertCustomer(store.Customer{ID: id, Name: id}, infos))
	}
	for start := 0; start < len(batch); start += 1000 {
		_, err := st.ApplyBatch(batch[start:min(start+1000, len(batch))])
		must(tb, err)
	}
	if faults > 0 {
		fake.TransientFaults(wecom.PathMarkTag, faults)
	}
	return &rateEnv{fake: fake, api: api, st: st, perMin: perMin, rels: n}
}

// run starts a worker and returns how long it took until nothing was
// pending; it stops the worker before returning.
func (r *rateEnv) run(tb testing.TB) time.Duration {
	tb.Helper()
	w := NewWorker(r.st, r.api, WorkerOptions{Logger: quietLogger()})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	start := time.Now()
	go func() { ran <- w.Run(ctx) }()
	deadline := start.Add(time.Duration(float64(r.rels)/float64(r.perMin)*float64(time.Minute))*4 + time.Minute)
	for {
		total, _, _, _, err := r.st.OutboxCountsAll()
		must(tb, err)
		if total.Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			tb.Fatalf("still %d pending after %s", total.Pending, time.Since(start).Round(time.Millisecond))
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(start)
	cancel()
	must(tb, <-ran)
	return took
}

// check proves that every relationship was marked exactly once on WeCom and
// recorded done once, and that WeCom's limits were kept.
func (r *rateEnv) check(tb testing.TB) wecomtest.Counters {
	tb.Helper()
	c := r.fake.Counters()
	twice := 0
	for _, n := range c.Applied {
		if n > 1 {
			twice++
		}
	}
	if len(c.Applied) != r.rels || twice > 0 {
		tb.Errorf("WeCom applied %d of %d relationships, %d of them more than once", len(c.Applied), r.rels, twice)
	}
	total, _, bg, batches, err := r.st.OutboxCountsAll()
	must(tb, err)
	if total.Done != r.rels || total.FailedTotal() != 0 || bg.Done != r.rels || len(batches) != 1 || batches[0].Done != r.rels {
		tb.Errorf("store counts: total %+v, background %+v, batches %+v", total, bg, batches)
	}
	mt := c.ByErrCode[wecom.PathMarkTag]
	if mt[errcode.RateLimited] > 0 || mt[errcode.ConcurrencyLimited] > 0 || c.MaxInFlight[wecom.PathMarkTag] > wecomtest.DefaultConcurrency[wecom.PathMarkTag] {
		tb.Errorf("WeCom's limits broken: %d×45009, %d×45033, %d at once", mt[errcode.RateLimited], mt[errcode.ConcurrencyLimited], c.MaxInFlight[wecom.PathMarkTag])
	}
	return c
}

// TestOutboxAtRateLosesNothing: 1,000 background mark_tag calls with 10%
// transient faults reach WeCom exactly once each, within its limits.
func TestOutboxAtRateLosesNothing(t *testing.T) {
	r := newRateEnv(t, 1000, 60_000, 0.1)
	r.run(t)
	c := r.check(t)
	if c.Dropped == 0 || c.Status5xx == 0 || c.ByErrCode[wecom.PathMarkTag][errcode.SystemBusy] == 0 {
		t.Errorf("no faults fired: %+v", c)
	}
}

// BenchmarkOutboxAtRate sends 20,000 mark_tag calls (one background
// batch) to the fake WeCom with its per-API limit, mark_tag's cap of 5
// calls at once and 10% injected transient faults (-1, 502, dropped
// connections), tagbot configured at 60,000 calls a minute with its
// default concurrency (3). achieved/limit is the calls completed per
// minute, start to the last one recorded, over the configured rate. The
// rate is WeCom's documented per-API limit, 10,000 calls a minute (a run
// takes about two minutes); OUTBOX_BENCH_PER_MIN sets another.
//
//	go test -run '^$' -bench BenchmarkOutboxAtRate -benchtime 1x ./mirror/
func BenchmarkOutboxAtRate(b *testing.B) {
	const n = 20_000
	perMin := 10_000
	if v, err := strconv.Atoi(os.Getenv("OUTBOX_BENCH_PER_MIN")); err == nil && v > 0 {
		perMin = v
	}
	for range b.N {
		b.StopTimer()
		r := newRateEnv(b, n, perMin, 0.1)
		b.StartTimer()
		took := r.run(b)
		b.StopTimer()
		c := r.check(b)
		b.ReportMetric(float64(n)/took.Minutes()/float64(perMin), "achieved/limit")
		b.ReportMetric(float64(n)/took.Seconds(), "calls/s")
		b.ReportMetric(float64(c.Dropped+c.Status5xx+c.ByErrCode[wecom.PathMarkTag][errcode.SystemBusy]), "faults")
	}
}
