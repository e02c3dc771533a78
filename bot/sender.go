package bot

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/wecom"
)

// Sender defaults.
const (
	// DefaultSenderTick is how often Run retries held replies.
	DefaultSenderTick = time.Second
	// DefaultSendTries is how many transient failures a reply survives.
	DefaultSendTries = 8
)

// SenderOptions configures a Sender.
type SenderOptions struct {
	API wecom.API
	// PerUserPerMinute and PerUserPerHour cap message/send calls to one
	// member (config messages.*); 0 means the WeCom defaults 30 and 1000,
	// a negative value disables that limit.
	PerUserPerMinute, PerUserPerHour int
	// Now is the clock of the sliding windows (time.Now when nil).
	Now func() time.Time
	// Logger receives send logs (slog.Default when nil).
	Logger *slog.Logger
	// Tick is how often Run retries held messages (default 1 s).
	Tick time.Duration
	// MaxTries drops a message after this many transient failures (default 8).
	MaxTries int
}

// outItem is one queued reply: a text or a template card.
type outItem struct {
	text string
	card *wecom.TemplateCard
}

// userQueue is a member's pending replies and send history.
type userQueue struct {
	items   []outItem
	win     windows
	busy    bool      // a goroutine is sending for this member
	retryAt time.Time // after a transient failure
	tries   int       // transient failures of the head item
}

// Sender delivers replies to members through message/send, in order per
// member. Pending texts are coalesced into one message (joined by a blank
// line, split at MaxTextBytes on line boundaries) and the per-member limits
// are never exceeded: messages over the limit are held and sent later.
type Sender struct {
	opts  SenderOptions
	log   *slog.Logger
	mu    sync.Mutex
	users map[string]*userQueue
}

// NewSender returns a Sender. It panics if API is nil.
func NewSender(opts SenderOptions) *Sender {
	if opts.API == nil {
		panic("bot: NewSender needs an API")
	}
	if opts.PerUserPerMinute == 0 {
		opts.PerUserPerMinute = DefaultPerUserPerMinute
	}
	if opts.PerUserPerHour == 0 {
		opts.PerUserPerHour = DefaultPerUserPerHour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Tick <= 0 {
		opts.Tick = DefaultSenderTick
	}
	if opts.MaxTries <= 0 {
		opts.MaxTries = DefaultSendTries
	}
	return &Sender{opts: opts, log: opts.Logger.With("pkg", "bot"), users: map[string]*userQueue{}}
}

// Send queues replies to userID and sends what the limits allow right away.
// Cards WeCom would reject are sent as text. It implements Replier.
func (s *Sender) Send(ctx context.Context, userID string, replies []commands.Reply) {
	s.mu.Lock()
	q := s.users[userID]
	if q == nil {
		q = &userQueue{}
		s.users[userID] = q
	}
	for _, r := range replies {
		if r.Card != nil {
			tc, text, err := cardOrText(*r.Card)
			if err != nil {
				s.log.Warn("card sent as text", "user", userID, "err", err)
			}
			if tc != nil {
				q.items = append(q.items, outItem{card: tc})
				continue
			}
			r.Text = text
		}
		if r.Text != "" {
			q.items = append(q.items, outItem{text: r.Text})
		}
	}
	s.mu.Unlock()
	s.flushUser(ctx, userID)
}

// UpdateCard turns the button of the card userID clicked into text
// (message/update_template_card with the click's response code). A failure
// is logged: the card then stays as it was, and a second click is refused
// by the handler anyway.
func (s *Sender) UpdateCard(ctx context.Context, userID, responseCode, text string) {
	if err := s.opts.API.UpdateCardButton(ctx, []string{userID}, responseCode, text); err != nil {
		s.log.Warn("card update failed", "user", userID, "err", err)
	}
}

// Notify tells userID something (an outbox failure, …); it has the shape
// of mirror.Notifier.
func (s *Sender) Notify(ctx context.Context, userID, text string) {
	s.Send(ctx, userID, []commands.Reply{{Text: text}})
}

// Flush sends everything the limits allow now, for every member.
func (s *Sender) Flush(ctx context.Context) {
	s.mu.Lock()
	users := make([]string, 0, len(s.users))
	for u, q := range s.users {
		if len(q.items) > 0 {
			users = append(users, u)
		}
	}
	s.mu.Unlock()
	sort.Strings(users)
	for _, u := range users {
		if ctx.Err() != nil {
			return
		}
		s.flushUser(ctx, u)
	}
}

// Pending is the number of queued replies not yet sent.
func (s *Sender) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.users {
		n += len(q.items)
	}
	return n
}

// Run sends held replies every Tick until ctx is done; it returns nil then.
func (s *Sender) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.Flush(ctx)
		}
	}
}

// flushUser sends userID's queue while the limits allow. Only one goroutine
// sends for a member at a time; others just queue, keeping the order.
func (s *Sender) flushUser(ctx context.Context, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.users[userID]
	if q == nil || q.busy {
		return
	}
	q.busy = true
	defer func() { q.busy = false }()
	for len(q.items) > 0 && ctx.Err() == nil {
		now := s.opts.Now()
		if now.Before(q.retryAt) || !q.win.allow(now, s.opts.PerUserPerMinute, s.opts.PerUserPerHour) {
			break
		}
		item, used, rest := s.next(q)
		q.win.record(now)
		s.mu.Unlock()
		err := s.deliver(ctx, userID, item)
		s.mu.Lock()
		if err != nil && ctx.Err() != nil {
			break // cancelled: keep the item for later
		}
		if err != nil && wecom.IsTransient(err) && q.tries+1 < s.opts.MaxTries {
			q.tries++
			q.retryAt = now.Add(min(time.Second<<q.tries, time.Minute))
			s.log.Warn("reply delayed", "user", userID, "errcode", wecom.Code(err), "err", err, "tries", q.tries)
			break
		}
		if err != nil {
			s.log.Warn("reply dropped", "user", userID, "errcode", wecom.Code(err), "err", err)
		}
		q.tries = 0
		q.items = q.items[used:]
		if rest != "" {
			q.items = append([]outItem{{text: rest}}, q.items...)
		}
	}
	if len(q.items) == 0 && q.win.idle(s.opts.Now()) {
		delete(s.users, userID)
	}
}

// next picks the next message of q: the head card, or the head texts
// coalesced. used is how many items it consumes; rest is what is left of a
// text cut at MaxTextBytes.
func (s *Sender) next(q *userQueue) (item outItem, used int, rest string) {
	if q.items[0].card != nil {
		return q.items[0], 1, ""
	}
	var texts []string
	for _, it := range q.items {
		if it.card != nil {
			break
		}
		texts = append(texts, it.text)
	}
	msg, used, rest := packTexts(texts, MaxTextBytes)
	return outItem{text: msg}, used, rest
}

// deliver makes one message/send call.
func (s *Sender) deliver(ctx context.Context, userID string, item outItem) error {
	if item.card != nil {
		_, err := s.opts.API.SendCard(ctx, userID, *item.card)
		s.log.Debug("card sent", "user", userID, "task", item.card.TaskID, "ok", err == nil)
		return err
	}
	err := s.opts.API.SendText(ctx, userID, item.text)
	s.log.Debug("text sent", "user", userID, "bytes", len(item.text), "ok", err == nil)
	return err
}
