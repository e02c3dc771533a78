package intake

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

// gateClassifier matches every message with 高意向. Before answering it
// calls block (if set), which may hold it; it counts how many
// classifications ran at once at most and notes a customer classified
// twice at once.
type gateClassifier struct {
	block func(ctx context.Context, in classify.Input) error

	mu        sync.Mutex
	active    int
	maxActive int
	busy      map[string]bool
	overlap   []string
}

func (c *gateClassifier) Classify(ctx context.Context, in classify.Input, _ classify.Facts) ([]classify.Match, error) {
	cust := in.Message.Customer
	c.mu.Lock()
	c.active++
	c.maxActive = max(c.maxActive, c.active)
	if c.busy == nil {
		c.busy = map[string]bool{}
	}
	if c.busy[cust] {
		c.overlap = append(c.overlap, cust)
	}
	c.busy[cust] = true
	c.mu.Unlock()
	var err error
	if c.block != nil {
		err = c.block(ctx, in)
	}
	c.mu.Lock()
	c.active--
	c.busy[cust] = false
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return []classify.Match{{Source: classify.SourceRule, Rule: "r", Tags: []string{"高意向"}, Mode: classify.ModeSuggest, Score: 1}}, nil
}

// offersByCustomer lists the offers' refs per customer, in offer order.
func offersByCustomer(l *offerLog) map[string][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string][]string{}
	for _, o := range l.offers {
		out[o.Input.Message.Customer] = append(out[o.Input.Message.Customer], o.Ref)
	}
	return out
}

// startWorker runs w in the background; stop cancels it and returns Run's
// error.
func startWorker(w *Worker) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() error { cancel(); return <-done }
}

// await receives from ch or fails the test after 5 s with what.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// A classification that hangs (a slow LLM) on customer c1 does not hold up
// c2's offer, which arrives while c1's is still blocked.
func TestWorkerSlowCustomerDoesNotDelayOthers(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.Submit(context.Background(), []classify.Message{
		msg("", "c1", "zhangsan", "慢", t0.Add(-time.Minute)), // act:1, blocks
		msg("", "c2", "zhangsan", "快", t0),                   // act:2
	}, nil)
	must(t, err)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	cls := &gateClassifier{block: func(ctx context.Context, in classify.Input) error {
		if in.Message.Customer != "c1" {
			return nil
		}
		entered <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	offered := make(chan string, 2)
	offers := &offerLog{hook: func(o classify.Offer) error { offered <- o.Ref; return nil }}
	stop := startWorker(NewWorker(s, cls, offers, clk.Now, nil))
	await(t, entered, "c1's classification to start")
	if got := await(t, offered, "c2's offer while c1's classification is blocked"); got != "act:2" {
		t.Fatalf("first offer = %s, want act:2 (c2's) while c1 is blocked", got)
	}
	close(release)
	if got := await(t, offered, "c1's offer after release"); got != "act:1" {
		t.Errorf("second offer = %s, want act:1", got)
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

// Many activities of two customers, interleaved, classified concurrently:
// each customer's offers come in id order and no customer is classified
// twice at once.
func TestWorkerKeepsEachCustomersOrder(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	const n = 60
	var msgs []classify.Message
	want := map[string][]string{}
	for i := range n {
		c := []string{"c1", "c2"}[i%3/2] // c1, c1, c2, c1, c1, c2 …
		msgs = append(msgs, msg("", c, "zhangsan", fmt.Sprintf("问题 %d", i), t0.Add(time.Duration(i-n)*time.Minute)))
		want[c] = append(want[c], Ref(store.ID(i+1)))
	}
	_, _, err := q.Submit(context.Background(), msgs, nil)
	must(t, err)
	cls := &gateClassifier{block: func(context.Context, classify.Input) error {
		runtime.Gosched() // let the other customer's classification interleave
		return nil
	}}
	offers := &offerLog{}
	w := NewWorker(s, cls, offers, clk.Now, nil)
	w.Concurrency = 4
	drain(t, s, w)
	if got := offersByCustomer(offers); !reflect.DeepEqual(got, want) {
		t.Errorf("offers by customer = %v\nwant %v (each customer's in id order)", got, want)
	}
	if len(cls.overlap) > 0 {
		t.Errorf("customers classified twice at once: %v", cls.overlap)
	}
}

// Twelve customers' activities with Concurrency 3: exactly three are
// classified at once, never more.
func TestWorkerConcurrencyBound(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	const customers, conc = 12, 3
	var msgs []classify.Message
	for i := range customers {
		id := fmt.Sprintf("k%d", i)
		must(t, s.UpsertCustomer(store.Customer{ID: id, Name: id}, []store.FollowInfo{{Follower: "zhangsan", CreateTime: t0.Add(-time.Hour)}}))
		msgs = append(msgs, msg("", id, "zhangsan", "问", t0))
	}
	_, _, err := q.Submit(context.Background(), msgs, nil)
	must(t, err)
	entered, gate := make(chan string, customers), make(chan struct{})
	cls := &gateClassifier{block: func(ctx context.Context, in classify.Input) error {
		entered <- in.Message.Customer
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	offered := make(chan string, customers)
	offers := &offerLog{hook: func(o classify.Offer) error { offered <- o.Ref; return nil }}
	w := NewWorker(s, cls, offers, clk.Now, nil)
	w.Concurrency = conc
	stop := startWorker(w)
	for range conc {
		await(t, entered, "the first classifications to start")
	}
	for i := range customers { // let one through; the next starts in its place
		gate <- struct{}{}
		if i+conc < customers {
			await(t, entered, "a classification to start when a slot frees")
		}
	}
	for range customers {
		await(t, offered, "every offer")
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if cls.maxActive != conc {
		t.Errorf("at most %d classifications at once, want exactly %d", cls.maxActive, conc)
	}
}

// A crash while c1's first activity is blocked and c2's second has been
// offered but not marked done: Run waits for the blocked one to end, and
// the restart offers c1's three in id order and c2's second again (same
// Ref), not c2's first.
func TestWorkerCrashWithActivitiesInFlight(t *testing.T) {
	s, clk, path := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.Submit(context.Background(), []classify.Message{
		msg("", "c1", "zhangsan", "慢", t0.Add(-5*time.Minute)),  // act:1 blocks
		msg("", "c2", "zhangsan", "b1", t0.Add(-4*time.Minute)), // act:2
		msg("", "c1", "zhangsan", "a2", t0.Add(-3*time.Minute)), // act:3
		msg("", "c2", "zhangsan", "b2", t0.Add(-2*time.Minute)), // act:4 crash after its offer
		msg("", "c1", "zhangsan", "a3", t0.Add(-time.Minute)),   // act:5
	}, nil)
	must(t, err)
	var blockedReturned atomic.Bool
	entered := make(chan struct{})
	cls := &gateClassifier{block: func(ctx context.Context, in classify.Input) error {
		if in.Message.Text != "慢" {
			return nil
		}
		close(entered)
		<-ctx.Done()
		blockedReturned.Store(true)
		return ctx.Err()
	}}
	ctx, cancel := context.WithCancel(context.Background())
	offers := &offerLog{hook: func(o classify.Offer) error {
		if o.Ref != "act:4" {
			return nil
		}
		select { // crash only once act:1 is being classified
		case <-entered:
		case <-time.After(5 * time.Second):
			return errors.New("act:1 never classified")
		}
		cancel()
		return s.Close() // the "crash": nothing after this offer reaches the store
	}}
	ran := make(chan error, 1)
	go func() { ran <- NewWorker(s, cls, offers, clk.Now, nil).Run(ctx) }()
	if err := await(t, ran, "Run to end after the crash"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if !blockedReturned.Load() {
		t.Error("Run returned before the blocked classification ended")
	}
	if got, want := offersByCustomer(offers), map[string][]string{"c2": {"act:2", "act:4"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("offers before the crash = %v, want %v", got, want)
	}

	s2, err := store.Open(path, store.Options{Now: clk.Now})
	must(t, err)
	defer s2.Close()
	again := &offerLog{}
	w := NewWorker(s2, &gateClassifier{}, again, clk.Now, nil)
	w.Concurrency = 2
	drain(t, s2, w)
	want := map[string][]string{"c1": {"act:1", "act:3", "act:5"}, "c2": {"act:4"}}
	if got := offersByCustomer(again); !reflect.DeepEqual(got, want) {
		t.Errorf("offers after the restart = %v, want %v", got, want)
	}
}

// With one slot, c1's failing activity waiting out an hour's back-off does
// not hold the slot: c2's offer arrives meanwhile, and c1's next activity
// waits for the failing one (its customer's order).
func TestWorkerBackoffFreesTheSlot(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.Submit(context.Background(), []classify.Message{
		msg("", "c1", "zhangsan", "坏", t0.Add(-3*time.Minute)),  // act:1 fails
		msg("", "c1", "zhangsan", "a2", t0.Add(-2*time.Minute)), // act:2 waits for act:1
		msg("", "c2", "zhangsan", "b1", t0.Add(-time.Minute)),   // act:3
	}, nil)
	must(t, err)
	failed := make(chan struct{}, 1)
	cls := &gateClassifier{block: func(_ context.Context, in classify.Input) error {
		if in.Message.Text != "坏" {
			return nil
		}
		failed <- struct{}{}
		return errors.New("classifier down")
	}}
	offered := make(chan string, 3)
	offers := &offerLog{hook: func(o classify.Offer) error { offered <- o.Ref; return nil }}
	w := NewWorker(s, cls, offers, clk.Now, nil)
	w.Concurrency = 1
	w.Backoff = func(int) time.Duration { return time.Hour }
	stop := startWorker(w)
	await(t, failed, "act:1 to fail")
	if got := await(t, offered, "c2's offer during c1's back-off"); got != "act:3" {
		t.Errorf("offer = %s, want act:3 (c1's act:2 must wait for act:1)", got)
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	pending, err := s.ActivitiesAfter(0, 0)
	must(t, err)
	var ids []store.ID
	for _, a := range pending {
		ids = append(ids, a.ID)
	}
	if want := []store.ID{1, 2}; !reflect.DeepEqual(ids, want) {
		t.Errorf("queued after stop = %v, want %v", ids, want)
	}
}
