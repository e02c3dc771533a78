package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/ierr"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// Loop defaults.
const (
	// DefaultWorkers is the number of processing goroutines.
	DefaultWorkers = 2
	// DefaultTimeout bounds the handling of one message.
	DefaultTimeout = 30 * time.Second
	// DefaultPoll is how often the inbox is re-read without a Wake.
	DefaultPoll = 2 * time.Second
	// DefaultMaxAttempts is how many times a message is tried before it is dropped.
	DefaultMaxAttempts = 3
)

// LoopOptions configures the message loop.
type LoopOptions struct {
	Store     *store.Store
	Handler   Handler
	Refresher Refresher // nil: customer/tag events are only logged
	KF        KFSyncer  // nil: kf_msg_or_event callbacks are only logged
	Channels  Channels  // nil: a new customer's State is ignored (events.go)
	Sender    Replier
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger     // slog.Default when nil
	// Workers is the number of goroutines processing messages (default 2);
	// one member's messages always go to the same worker, in order.
	Workers int
	// Timeout bounds the handling of one message (default 30 s).
	Timeout time.Duration
	// Poll is how often the inbox is re-read without a Wake (default 2 s).
	Poll time.Duration
	// MaxAttempts drops a message after this many attempts (default 3).
	MaxAttempts int
	// Location decides the day of the once-a-day welcome (default UTC+8).
	Location *time.Location
}

// Loop processes the durable inbox: every stored callback, including those
// left over from before a restart, is parsed and dispatched once.
//
// It reads the inbox queue from a cursor, so each wake costs only what is
// new: the queue entry carries the message's order key (InboxPutOrdered), and
// the body is read by the worker that handles the message. A message waiting
// for a retry and the later messages of its order key held behind it are
// kept in memory; a restart reads every pending message again, in order.
type Loop struct {
	opts LoopOptions
	log  *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	last    store.ID         // the newest inbox message feed has read
	waiting map[string]*wait // order key → the message waiting for a retry
}

// feedBatch is how many queue entries feed reads at a time.
const feedBatch = 1024

// NewLoop returns a loop. It panics if Store, Handler or Sender is nil.
func NewLoop(opts LoopOptions) *Loop {
	if opts.Store == nil || opts.Handler == nil || opts.Sender == nil {
		panic("bot: NewLoop needs Store, Handler and Sender")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Location == nil {
		opts.Location = config.ChinaZone
	}
	return &Loop{opts: opts, log: opts.Logger.With("pkg", "bot"), wake: make(chan struct{}, 1), waiting: map[string]*wait{}}
}

// Wake tells the loop that new messages are in the inbox. It never blocks.
func (l *Loop) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run processes the inbox until ctx is done. Messages already being handled
// are finished (bounded by Timeout); queued ones stay in the inbox for the
// next start. It returns nil on cancellation.
func (l *Loop) Run(ctx context.Context) error {
	l.mu.Lock()
	l.last = 0 // read everything pending, in order
	l.mu.Unlock()
	queues := make([]chan store.InboxRef, l.opts.Workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan store.InboxRef, 64)
		wg.Add(1)
		go func(q chan store.InboxRef) {
			defer wg.Done()
			for r := range q {
				if ctx.Err() == nil {
					l.process(ctx, r)
				}
			}
		}(queues[i])
	}
	defer func() {
		for _, q := range queues {
			close(q)
		}
		wg.Wait()
	}()
	tick := time.NewTicker(l.opts.Poll)
	defer tick.Stop()
	for {
		if err := l.feed(ctx, queues); err != nil && ctx.Err() == nil {
			l.log.Error("inbox read failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
		case <-tick.C:
		}
	}
}

// feed hands out, each to the worker of its order key: first the messages
// a finished retry released and the retries now due, then the messages
// stored since the last feed, except those held behind a retry.
func (l *Loop) feed(ctx context.Context, queues []chan store.InboxRef) error {
	for {
		// Before every batch, so a long backlog does not keep them waiting.
		for _, r := range l.due(l.opts.Now()) {
			if err := handOut(ctx, queues, r); err != nil {
				return err
			}
		}
		l.mu.Lock()
		after := l.last
		l.mu.Unlock()
		refs, err := l.opts.Store.InboxAfter(after, feedBatch)
		if err != nil {
			return fmt.Errorf("inbox after %d: %w", after, err)
		}
		for _, r := range refs {
			if r.Order == "" { // stored without an order key (an older tagbot)
				r.Order, r.Body = orderKey(r.Body), nil
			}
			l.mu.Lock()
			l.last = r.ID
			w := l.waiting[r.Order]
			if w != nil {
				w.hold(r)
			}
			l.mu.Unlock()
			if w != nil {
				continue
			}
			if err := handOut(ctx, queues, r); err != nil {
				return err
			}
		}
		if len(refs) < feedBatch {
			return nil
		}
	}
}

// handOut queues r on the worker of its order key, so one key's messages
// run one at a time, in the order handed out.
func handOut(ctx context.Context, queues []chan store.InboxRef, r store.InboxRef) error {
	h := fnv.New32a()
	h.Write([]byte(r.Order))
	select {
	case queues[h.Sum32()%uint32(len(queues))] <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// orderKey is orderOf the parsed body ("" if unparsable).
func orderKey(body []byte) string {
	m, err := ParseMessage(body)
	if err != nil {
		return ""
	}
	return orderOf(m)
}

// orderOf says which stored messages must be handled in order, on one
// worker: a member's messages; WeCom's own events ("sys") per customer, and
// tag-library events together, so one slow customer refresh does not hold
// up the rest.
func orderOf(m Message) string {
	switch {
	case m.FromUserName != "sys":
		return m.FromUserName
	case m.Event == EventExternalContact:
		return "sys:customer:" + m.ExternalUser
	default:
		return "sys:" + m.Event
	}
}

// Drain processes everything pending now in the caller's goroutine, in
// inbox order, retries included whether due or not (for tests and the
// demo). It must not run alongside Run.
func (l *Loop) Drain(ctx context.Context) error {
	pending, err := l.opts.Store.InboxAfter(0, 0)
	if err != nil {
		return fmt.Errorf("inbox pending: %w", err)
	}
	for _, r := range pending {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.Order == "" {
			r.Order, r.Body = orderKey(r.Body), nil
		}
		l.process(ctx, r)
	}
	return nil
}

// errPanic marks a recovered panic.
var errPanic = errors.New("panic")

// process handles one inbox message: count the attempt, parse, dispatch and
// mark it done, or leave it for a retry after a transient failure.
func (l *Loop) process(parent context.Context, r store.InboxRef) {
	if !l.admit(r) {
		// An earlier message of the same order key waits for a retry:
		// this one must not overtake it. It stays in the inbox, held
		// until the earlier one is through.
		return
	}
	in, err := l.opts.Store.InboxBegin(r.ID)
	if errors.Is(err, store.ErrNotFound) {
		l.release(r) // already done
		return
	}
	if err != nil {
		l.log.Error("inbox attempt not recorded", "inbox", r.ID, "err", err)
		l.retryAt(r, l.opts.Now().Add(l.opts.Poll))
		return
	}
	n := in.Attempts
	log := l.log.With("inbox", in.ID, "attempt", n)
	m, err := ParseMessage(in.Body)
	if err != nil {
		log.Error("stored message unparsable, dropped", "err", err)
		l.done(r)
		return
	}
	if in.Applied != 0 {
		// Its change was made, then a crash cut the handling short: running
		// it again could apply a second change (an /undo undoing another).
		log.Warn("message applied before a restart; not run again", "cs", uint64(in.Applied))
		if m.FromUserName != "sys" {
			l.reply(parent, m.FromUserName, []commands.Reply{{Text: fmt.Sprintf(appliedText, in.Applied)}})
		}
		l.done(r)
		return
	}
	// A WeCom event that refreshes the store (a tag deleted in the console,
	// a customer edited in the client) is a read of WeCom, safe to repeat,
	// and dropping it would lose that change for good: it gets
	// RefreshMaxAttempts (hours of a WeCom outage at the capped back-off).
	// Other messages are dropped after MaxAttempts, so one that crashes the
	// handler every time does not block its sender.
	refresh := isRefresh(m)
	limit := l.opts.MaxAttempts
	if refresh {
		limit = RefreshMaxAttempts
	}
	if n > limit {
		log.Error("message dropped after repeated failures", "key", in.Key)
		l.done(r)
		return
	}
	ctx, cancel := context.WithTimeout(store.WithInbox(context.WithoutCancel(parent), in.ID), l.opts.Timeout)
	defer cancel()
	start := time.Now()
	err = l.safeDispatch(ctx, in.ID, m)
	log.Debug("message handled", "msgtype", m.MsgType, "event", m.Event, "took", time.Since(start), "ok", err == nil)
	if err == nil {
		l.done(r)
		return
	}
	if !errors.Is(err, errPanic) && wecom.IsTransient(err) && n < limit {
		backoff := min(time.Duration(n*n)*5*time.Second, maxRefreshBackoff)
		log.Warn("message failed, will retry", "err", err, "retry_in", backoff)
		l.retryAt(r, l.opts.Now().Add(backoff))
		return
	}
	text := ierr.Report(ctx, log, "message failed", err, slog.String("msgtype", m.MsgType),
		slog.String("event", m.Event), slog.String("user", m.FromUserName))
	if m.FromUserName != "sys" && (m.MsgType != "event" || m.Event == EventTemplateCard) {
		l.reply(ctx, m.FromUserName, []commands.Reply{{Text: text}})
	}
	l.done(r)
}

// safeDispatch runs dispatch, turning a panic into an error wrapping errPanic.
func (l *Loop) safeDispatch(ctx context.Context, id store.ID, m Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			l.log.Error("handler panic", "inbox", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	return l.dispatch(ctx, id, m)
}

// done removes a message from the inbox and releases the messages held
// behind it.
func (l *Loop) done(r store.InboxRef) {
	if err := l.opts.Store.InboxDone(r.ID); err != nil {
		l.log.Error("inbox done not recorded", "inbox", r.ID, "err", err)
	}
	l.release(r)
}

// appliedText tells a member that a message of theirs took effect but its
// reply was lost to a restart.
const appliedText = "你之前发的一条消息已经执行（变更 #%d），但服务重启，回复没能发出。发送 /history 查看详情。"

// maxRefreshBackoff caps the wait between retries of a message.
const maxRefreshBackoff = 5 * time.Minute

// RefreshMaxAttempts bounds the attempts at a refresh event: about five
// hours of WeCom failing, at the capped back-off.
const RefreshMaxAttempts = 60

// isRefresh reports whether m is a WeCom event that refreshes the store.
func isRefresh(m Message) bool {
	return (m.Event == EventExternalContact && contactChanges[m.ChangeType]) ||
		(m.Event == EventExternalTag && tagChanges[m.ChangeType])
}
