package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
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
	// Store holds the queue of replies not yet sent (required), so a
	// restart sends what was pending.
	Store *store.Store
	// PerUserPerMinute and PerUserPerHour cap message/send calls to one
	// member (config messages.*); 0 means the WeCom defaults 30 and 1000,
	// a negative value disables that limit. The windows are kept in memory
	// and start empty after a restart.
	PerUserPerMinute, PerUserPerHour int
	// Now is the clock of the sliding windows and back-off (time.Now when nil).
	Now func() time.Time
	// Logger receives send logs (slog.Default when nil).
	Logger *slog.Logger
	// Tick is how often Run retries held messages (default 1 s).
	Tick time.Duration
	// MaxTries drops a message after this many transient failures (default 8).
	MaxTries int
	// CardSent, when set, is told the response code WeCom answered for
	// each card sent (for one later update_template_card).
	CardSent func(ctx context.Context, userID, taskID, responseCode string)
}

// member is the in-memory state of a member's sending: the send history of
// the limits and who is sending. The queue itself is in the store.
type member struct {
	win   windows
	busy  bool // a goroutine is sending for this member
	again bool // replies were queued while busy: look again before leaving
}

// Sender delivers replies to members through message/send, in order per
// member. Replies are queued in the store before Send returns and removed
// once WeCom accepted (or permanently refused) them, so a restart sends
// what was pending; a crash between the call and the removal sends that
// message again. Pending texts are coalesced into one message (joined by a
// blank line, split at MaxTextBytes on line boundaries) and the per-member
// limits are never exceeded: messages over the limit are held and sent
// later. The limits' windows live in memory and start empty after a
// restart, so a member may get up to a window's worth more across one.
type Sender struct {
	opts  SenderOptions
	log   *slog.Logger
	mu    sync.Mutex
	users map[string]*member
}

// NewSender returns a Sender. It panics if API or Store is nil.
func NewSender(opts SenderOptions) *Sender {
	if opts.API == nil || opts.Store == nil {
		panic("bot: NewSender needs an API and a Store")
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
	return &Sender{opts: opts, log: opts.Logger.With("pkg", "bot"), users: map[string]*member{}}
}

// Send queues replies to userID in the store (one transaction) and sends
// what the limits allow right away. Cards WeCom would reject are queued as
// text. It implements Replier.
func (s *Sender) Send(ctx context.Context, userID string, replies []commands.Reply) {
	var items []store.QueuedReply
	for _, r := range replies {
		if r.Card != nil {
			tc, text, err := cardOrText(*r.Card)
			if err != nil {
				s.log.Warn("card sent as text", "user", userID, "err", err)
			}
			if tc != nil {
				items = append(items, store.QueuedReply{Card: storedCard(*r.Card)})
				continue
			}
			r.Text = text
		}
		if r.Text = display.Reply(r.Text); r.Text != "" {
			items = append(items, store.QueuedReply{Text: r.Text})
		}
		items = append(items, mediaItems(r)...)
	}
	if len(items) == 0 {
		return
	}
	if err := s.opts.Store.ReplyPut(userID, items); err != nil {
		s.log.Error("replies lost: cannot queue them", "user", userID, "replies", len(items), "err", err)
		return
	}
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

// Flush sends everything the limits allow now, for every member with
// queued replies (including those queued before a restart).
func (s *Sender) Flush(ctx context.Context) {
	users, err := s.opts.Store.ReplyUsers()
	if err != nil {
		s.log.Error("reply queue unreadable", "err", err)
		return
	}
	for _, u := range users {
		if ctx.Err() != nil {
			return
		}
		s.flushUser(ctx, u)
	}
}

// Pending is the number of queued replies not yet sent (from the store);
// -1 if the store cannot be read.
func (s *Sender) Pending() int {
	all, err := s.opts.Store.RepliesPending(0)
	if err != nil {
		s.log.Error("reply queue unreadable", "err", err)
		return -1
	}
	return len(all)
}

// Run sends what was queued before it started (e.g. before a restart), then
// held replies every Tick until ctx is done; it returns nil then.
func (s *Sender) Run(ctx context.Context) error {
	s.Flush(ctx)
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
// sends for a member at a time; another one arriving meanwhile makes it
// look at the queue again before it stops, so nothing queued is left for
// the next tick and the order is kept.
func (s *Sender) flushUser(ctx context.Context, userID string) {
	s.mu.Lock()
	m := s.users[userID]
	if m == nil {
		m = &member{}
		s.users[userID] = m
	}
	if m.busy {
		m.again = true
		s.mu.Unlock()
		return
	}
	m.busy = true
	s.mu.Unlock()
	for {
		s.sendQueued(ctx, userID, m)
		s.mu.Lock()
		if !m.again || ctx.Err() != nil {
			break
		}
		m.again = false
		s.mu.Unlock()
	}
	m.busy, m.again = false, false
	if m.win.idle(s.opts.Now()) {
		delete(s.users, userID)
	}
	s.mu.Unlock()
}

// sendQueued sends userID's queued replies until the queue is empty, the
// limits or a back-off hold the rest, or the store fails. The caller is
// the member's only sender.
func (s *Sender) sendQueued(ctx context.Context, userID string, m *member) {
	for ctx.Err() == nil {
		queued, err := s.opts.Store.RepliesFor(userID)
		if err != nil {
			s.log.Error("reply queue unreadable", "user", userID, "err", err)
			return
		}
		if len(queued) == 0 {
			return
		}
		now := s.opts.Now()
		head := queued[0]
		s.mu.Lock()
		ok := !now.Before(head.NextAt) && m.win.allow(now, s.opts.PerUserPerMinute, s.opts.PerUserPerHour)
		if ok {
			m.win.record(now)
		}
		s.mu.Unlock()
		if !ok {
			return
		}
		msg, ids, rest := next(queued)
		err = s.deliver(ctx, userID, msg)
		if err != nil && ctx.Err() != nil {
			return // cancelled: keep the replies for later
		}
		if tries := head.Tries + 1; err != nil && wecom.IsTransient(err) && tries < s.opts.MaxTries {
			s.log.Warn("reply delayed", "user", userID, "errcode", wecom.Code(err), "err", err, "tries", tries)
			if err := s.opts.Store.ReplyRetry(head.ID, now.Add(backoff(tries))); err != nil {
				s.log.Error("reply retry not recorded", "user", userID, "err", err)
			}
			return
		}
		if err != nil {
			s.log.Warn("reply dropped", "user", userID, "errcode", wecom.Code(err), "err", err)
		}
		if rest != "" {
			err = s.opts.Store.ReplyCut(head.ID, rest)
		} else {
			err = s.opts.Store.RepliesDone(ids...)
		}
		if err != nil {
			s.log.Error("sent reply still queued: it will be sent again", "user", userID, "err", err)
			return
		}
	}
}

// backoff is the wait after the n-th transient failure: 2^n s, at most a minute.
func backoff(n int) time.Duration {
	if n >= 6 {
		return time.Minute
	}
	return min(time.Second<<n, time.Minute)
}

// outItem is one message/send call: a text, a template card or a media
// reply (uploaded first when it has no valid media id).
type outItem struct {
	text  string
	card  *wecom.TemplateCard
	media *store.QueuedReply
}

// next picks the next message from a member's queue: the head card, or the
// head texts coalesced. ids are the replies it consumes; rest is what is
// left of a text cut at MaxTextBytes (the head, then the only one in ids).
func next(queued []store.QueuedReply) (item outItem, ids []store.ID, rest string) {
	if c := queued[0].Card; c != nil {
		tc, text, _ := cardOrText(commandCard(*c))
		return outItem{card: tc, text: text}, []store.ID{queued[0].ID}, ""
	}
	if queued[0].Media != nil {
		return outItem{media: &queued[0]}, []store.ID{queued[0].ID}, ""
	}
	var texts []string
	for _, r := range queued {
		if r.Card != nil || r.Media != nil {
			break
		}
		texts = append(texts, r.Text)
	}
	msg, used, rest := packTexts(texts, MaxTextBytes)
	for _, r := range queued[:used] {
		ids = append(ids, r.ID)
	}
	return outItem{text: msg}, ids, rest
}

// storedCard is the store's form of a card.
func storedCard(c commands.Card) *store.ReplyCard {
	out := &store.ReplyCard{TaskID: c.TaskID, Title: c.Title, Desc: c.Desc, Lines: c.Lines}
	for _, b := range c.Buttons {
		out.Buttons = append(out.Buttons, store.ReplyButton{Key: b.Key, Text: b.Text})
	}
	for _, ch := range c.Choices {
		out.Choices = append(out.Choices, store.ReplyChoice{Key: ch.Key, Text: ch.Text, Checked: ch.Checked})
	}
	return out
}

// commandCard is the card of a stored reply.
func commandCard(c store.ReplyCard) commands.Card {
	out := commands.Card{TaskID: c.TaskID, Title: c.Title, Desc: c.Desc, Lines: c.Lines}
	for _, b := range c.Buttons {
		out.Buttons = append(out.Buttons, commands.Button{Key: b.Key, Text: b.Text})
	}
	for _, ch := range c.Choices {
		out.Choices = append(out.Choices, commands.Choice{Key: ch.Key, Text: ch.Text, Checked: ch.Checked})
	}
	return out
}

// deliver makes one message/send call.
func (s *Sender) deliver(ctx context.Context, userID string, item outItem) error {
	if item.media != nil {
		return s.deliverMedia(ctx, userID, item.media)
	}
	if item.card != nil {
		code, err := s.opts.API.SendCard(ctx, userID, *item.card)
		s.log.Debug("card sent", "user", userID, "task", item.card.TaskID, "ok", err == nil)
		if err == nil && code != "" && s.opts.CardSent != nil {
			s.opts.CardSent(ctx, userID, item.card.TaskID, code)
		}
		return err
	}
	err := s.opts.API.SendText(ctx, userID, item.text)
	s.log.Debug("text sent", "user", userID, "bytes", len(item.text), "ok", err == nil)
	return err
}
