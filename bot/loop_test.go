package bot

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/wecom"
)

func TestTextMessageEndToEnd(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.loop.Run(ctx) }()
	e.deliver(t, e.fake.CallbackText("alice", "查 张三", "5001"))
	waitFor(t, "reply", func() bool { return len(e.texts("alice")) == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.texts("alice")[0]; got != "echo: 查 张三" {
		t.Fatalf("reply %q", got)
	}
	if n := e.pending(t); n != 0 {
		t.Fatalf("%d still pending", n)
	}
}

// One member's messages run one at a time and in order, even with idle
// workers: while the first is held in the handler, none of the later ones
// starts, and another member is not held up.
func TestRunKeepsPerUserOrder(t *testing.T) {
	e := newEnv(t)
	e.loop = NewLoop(LoopOptions{Store: e.st, Handler: e.handler, Sender: e.sender, Now: e.clk.Now, Logger: e.log,
		Workers: 8, Poll: 20 * time.Millisecond})
	release, held := make(chan struct{}), make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	var mu sync.Mutex
	var started []string
	e.handler.onStart = func(user, text string) {
		mu.Lock()
		started = append(started, text)
		mu.Unlock()
		if text == "a0" {
			close(held)
			<-release
		}
	}
	startedSoFar := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(started)
	}
	e.deliver(t, e.fake.CallbackText("alice", "a0", "100"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.loop.Run(ctx) }()
	defer func() { unblock(); cancel(); <-done }()
	select {
	case <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("the first message never reached the handler")
	}
	for i := 1; i < 8; i++ {
		e.deliver(t, e.fake.CallbackText("alice", fmt.Sprintf("a%d", i), fmt.Sprint(100+i)))
	}
	e.deliver(t, e.fake.CallbackText("bob", "b0", "200"))
	e.loop.Wake()
	// bob's message is handled only after a feed that queued all of
	// alice's (the inbox is fed in order); one of them on another worker
	// would start at once: give it an upper bound of 200 ms to show up.
	waitFor(t, "bob's message or another of alice's", func() bool { return len(startedSoFar()) > 1 })
	for end := time.Now().Add(200 * time.Millisecond); ; time.Sleep(5 * time.Millisecond) {
		if got := startedSoFar(); !slices.Equal(got, []string{"a0", "b0"}) {
			t.Fatalf("handler started %q while a0 was still running, want only bob's b0 besides", got)
		}
		if time.Now().After(end) {
			break
		}
	}
	unblock()
	waitFor(t, "all handled", func() bool { return e.handler.total() == 9 && e.pending(t) == 0 })
	want := []string{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"}
	if got := e.handler.seen("alice"); !slices.Equal(got, want) {
		t.Fatalf("alice's messages handled in order %q, want %q", got, want)
	}
	var alice []string
	for _, s := range startedSoFar() {
		if s[0] == 'a' {
			alice = append(alice, s)
		}
	}
	if !slices.Equal(alice, want) {
		t.Fatalf("alice's messages started in order %q, want %q", alice, want)
	}
}

// A customer event waiting for a retry holds back the same customer's
// later events, so WeCom's changes are applied in the order they were made.
func TestRetryHoldsLaterEventsOfTheSameCustomer(t *testing.T) {
	e := newEnv(t)
	// One worker: a message fed to it is handled before any fed after it.
	e.loop = NewLoop(LoopOptions{Store: e.st, Handler: e.handler, Refresher: e.refresher, Sender: e.sender,
		Now: e.clk.Now, Logger: e.log, Workers: 1, Poll: 20 * time.Millisecond})
	e.refresher.failures, e.refresher.err = 1, &wecom.APIError{API: "externalcontact/get", Code: -1, Msg: "busy"}
	first := refreshCall{"customer", "wmA", "alice", "edit_external_contact"}
	second := refreshCall{"customer", "wmA", "bob", "edit_external_contact"}
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", first.change,
		"UserID", first.follower, "ExternalUserID", first.external))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.loop.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the first refresh to fail and wait for a retry", func() bool {
		e.loop.mu.Lock()
		defer e.loop.mu.Unlock()
		return len(e.loop.waiting) == 1
	})

	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", second.change,
		"UserID", second.follower, "ExternalUserID", second.external))
	e.deliver(t, e.fake.CallbackText("bob", "after", "300"))
	e.loop.Wake()
	// Had the second event been fed, the single worker would have run it
	// before bob's text, which came after it.
	waitFor(t, "bob's message", func() bool { return len(e.handler.seen("bob")) == 1 })
	if got := e.refresher.recorded(); !slices.Equal(got, []refreshCall{first}) {
		t.Fatalf("refresh calls before the retry is due %v, want only %v", got, first)
	}

	e.clk.Advance(6 * time.Second) // past the first retry's back-off (5 s)
	e.loop.Wake()
	waitFor(t, "the retry and the second event", func() bool {
		return len(e.refresher.recorded()) == 3 && e.pending(t) == 0
	})
	if got, want := e.refresher.recorded(), []refreshCall{first, first, second}; !slices.Equal(got, want) {
		t.Fatalf("refresh calls %v, want %v", got, want)
	}
}

func TestRestartBetweenReceiptAndProcessing(t *testing.T) {
	e := newEnv(t)
	e.deliver(t, e.fake.CallbackText("alice", "survive", "6001"))
	e.restart(t) // nothing processed before the store was closed
	if n := e.pending(t); n != 1 {
		t.Fatalf("pending after restart = %d", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.loop.Run(ctx) }()
	waitFor(t, "processed", func() bool { return e.pending(t) == 0 })
	cancel()
	<-done
	e.deliver(t, e.fake.CallbackText("alice", "survive", "6001")) // WeCom retry after restart
	e.drain(t)
	if got := e.handler.seen("alice"); len(got) != 1 || got[0] != "survive" {
		t.Fatalf("handler saw %q", got)
	}
	if got := e.texts("alice"); len(got) != 1 {
		t.Fatalf("replies %q", got)
	}
}

func TestCrashingMessageDroppedAfterMaxAttempts(t *testing.T) {
	e := newEnv(t)
	e.deliver(t, e.fake.CallbackText("alice", "crashes the process", "6101"))
	p, err := e.st.InboxPending(0)
	if err != nil || len(p) != 1 {
		t.Fatalf("pending %v: %v", p, err)
	}
	for i := 0; i < DefaultMaxAttempts; i++ { // three earlier runs died mid-message
		if _, err := e.st.InboxAttempt(p[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	e.drain(t)
	if e.pending(t) != 0 || len(e.handler.seen("alice")) != 0 {
		t.Fatalf("pending %d, handled %q", e.pending(t), e.handler.seen("alice"))
	}
	if !strings.Contains(e.logs.String(), "message dropped after repeated failures") {
		t.Fatal("drop not logged")
	}
}

func TestHandlerPanicRepliesWithID(t *testing.T) {
	e := newEnv(t)
	e.deliver(t, e.fake.CallbackText("alice", "panic", "7001"))
	p, err := e.st.InboxPending(0)
	if err != nil || len(p) != 1 {
		t.Fatalf("pending %v: %v", p, err)
	}
	id := p[0].ID
	e.deliver(t, e.fake.CallbackText("alice", "after", "7002"))
	e.drain(t)
	got := e.texts("alice")
	if len(got) != 2 || got[1] != "echo: after" {
		t.Fatalf("replies %q, want [内部错误（编号 N），请稍后再试, echo: after]", got)
	}
	m := regexp.MustCompile(`^内部错误（编号 (\d+)），请稍后再试$`).FindStringSubmatch(got[0])
	if m == nil {
		t.Fatalf("reply %q, want 内部错误（编号 N），请稍后再试", got[0])
	}
	if logs := e.logs.String(); !strings.Contains(logs, fmt.Sprintf("inbox=%d", id)) || !strings.Contains(logs, "error_id="+m[1]) {
		t.Fatalf("panic not logged with the inbox id and error_id=%s: %s", m[1], logs)
	}
	if e.pending(t) != 0 {
		t.Fatal("panicking message left pending")
	}
}

func TestWelcomeOncePerDay(t *testing.T) {
	e := newEnv(t)
	enter := func() { e.deliver(t, e.event("alice", "Event", "enter_agent")); e.drain(t) }
	enter()
	e.clk.Advance(2 * time.Hour)
	enter()
	if got := e.texts("alice"); len(got) != 1 || got[0] != WelcomeText || !strings.Contains(got[0], "/help") {
		t.Fatalf("welcomes %q", got)
	}
	e.clk.Advance(24 * time.Hour)
	enter()
	if got := e.texts("alice"); len(got) != 2 {
		t.Fatalf("next day: welcomes %q", got)
	}
}

func TestCardClickReachesHandler(t *testing.T) {
	e := newEnv(t)
	e.deliver(t, e.event("alice", "Event", "template_card_event", "EventKey", "confirm:42",
		"TaskId", "task-42", "CardType", "button_interaction", "ResponseCode", "rc-1"))
	e.drain(t)
	want := commands.CardEvent{TaskID: "task-42", EventKey: "confirm:42", ResponseCode: "rc-1"}
	if len(e.handler.cards) != 1 || !reflect.DeepEqual(e.handler.cards[0], want) {
		t.Fatalf("cards %+v", e.handler.cards)
	}
	if got := e.texts("alice"); len(got) != 1 || got[0] != "clicked confirm:42" {
		t.Fatalf("replies %q", got)
	}
	// The clicked card's button is replaced, with WeCom's response code.
	ups := e.fake.CardUpdates()
	if len(ups) != 1 || !strings.Contains(string(ups[0]), `"rc-1"`) || !strings.Contains(string(ups[0]), "已处理") {
		t.Fatalf("card updates %s", ups)
	}
}

func TestExternalChangesReachRefresher(t *testing.T) {
	e := newEnv(t)
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact",
		"UserID", "alice", "ExternalUserID", "wmCust1"))
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "del_follow_user",
		"UserID", "bob", "ExternalUserID", "wmCust1"))
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "transfer_fail",
		"UserID", "bob", "ExternalUserID", "wmCust1")) // not about tags: ignored
	e.deliver(t, e.event("sys", "Event", "change_external_tag", "ChangeType", "delete", "TagType", "tag", "Id", "etTag1"))
	e.deliver(t, e.event("sys", "Event", "change_external_tag", "ChangeType", "shuffle", "Id", "etGroup1", "TagType", "tag_group"))
	e.drain(t)
	want := []refreshCall{
		{"customer", "wmCust1", "alice", "edit_external_contact"},
		{"customer", "wmCust1", "bob", "del_follow_user"},
		{kind: "library"}, {kind: "library"},
	}
	if got := e.refresher.recorded(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if e.pending(t) != 0 || len(e.fake.Messages()) != 0 {
		t.Fatalf("pending %d, messages %d", e.pending(t), len(e.fake.Messages()))
	}
}

func TestTransientRefreshErrorRetried(t *testing.T) {
	e := newEnv(t)
	e.refresher.failures, e.refresher.err = 1, &wecom.APIError{API: "externalcontact/get", Code: -1, Msg: "busy"}
	e.deliver(t, e.event("sys", "Event", "change_external_tag", "ChangeType", "create", "TagType", "tag", "Id", "etT"))
	e.drain(t)
	if e.pending(t) != 1 {
		t.Fatal("transient failure should leave the message pending")
	}
	e.drain(t)
	if e.pending(t) != 0 || len(e.refresher.recorded()) != 2 {
		t.Fatalf("pending %d, calls %v", e.pending(t), e.refresher.recorded())
	}

	e.refresher.failures, e.refresher.err = 1, fmt.Errorf("permanent")
	e.deliver(t, e.event("sys", "Event", "change_external_tag", "ChangeType", "update", "TagType", "tag", "Id", "etT"))
	e.drain(t)
	if e.pending(t) != 0 || len(e.fake.Messages()) != 0 {
		t.Fatal("a permanent failure of a system event is logged and done, with no reply")
	}
}

func TestOtherMessagesAndEvents(t *testing.T) {
	e := newEnv(t)
	img := []byte(`<xml><ToUserName><![CDATA[` + e.fake.Options().CorpID + `]]></ToUserName><FromUserName><![CDATA[bob]]></FromUserName>` +
		`<CreateTime>1700000000</CreateTime><MsgType><![CDATA[image]]></MsgType><MsgId>8001</MsgId><AgentID>1</AgentID></xml>`)
	e.deliver(t, img)
	e.deliver(t, e.event("bob", "Event", "view", "EventKey", "https://example.invalid"))
	e.drain(t)
	if got := e.texts("bob"); len(got) != 1 || got[0] != unsupportedText {
		t.Fatalf("replies %q", got)
	}
	if e.pending(t) != 0 {
		t.Fatal("left pending")
	}
}

func TestPerMessageTimeout(t *testing.T) {
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{{"default", 0, DefaultTimeout}, {"configured", 7 * time.Second, 7 * time.Second}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.loop = NewLoop(LoopOptions{Store: e.st, Handler: e.handler, Sender: e.sender, Timeout: tt.timeout, Logger: e.log})
			e.deliver(t, e.fake.CallbackText("alice", "hi", "9100"))
			// The deadline comes from context.WithTimeout on the real clock
			// (no injected seam): it was set while Drain ran, so it lies
			// between these two readings plus the timeout, with no slack.
			before := time.Now()
			e.drain(t)
			after := time.Now()
			d := e.handler.deadline
			if d.IsZero() {
				t.Fatal("handler ctx has no deadline")
			}
			if lo, hi := before.Add(tt.want), after.Add(tt.want); d.Before(lo) || d.After(hi) {
				t.Fatalf("handler deadline %s after the start of Drain, want %s (at most %s later)",
					d.Sub(before), tt.want, after.Sub(before))
			}
		})
	}
}

// A refresh event meeting a WeCom outage longer than MaxAttempts allows is
// kept and retried (with capped back-off) until WeCom answers, since
// dropping it would lose a change made in WeCom for good.
func TestRefreshEventOutlivesOutage(t *testing.T) {
	e := newEnv(t)
	e.refresher.failures, e.refresher.err = 8, &wecom.APIError{API: "externalcontact/get_corp_tag_list", Code: -1, Msg: "busy"}
	e.deliver(t, e.event("sys", "Event", "change_external_tag", "ChangeType", "delete", "TagType", "tag", "Id", "etT"))
	for i := 0; i < 12 && len(e.refresher.recorded()) < 9; i++ {
		e.drain(t)
		e.clk.Advance(10 * time.Minute)
	}
	if got := len(e.refresher.recorded()); got != 9 {
		t.Fatalf("%d refresh calls, want 8 failures then 1 success", got)
	}
	e.drain(t)
	if n := e.pending(t); n != 0 {
		t.Fatalf("%d messages still pending after WeCom came back", n)
	}
}

func TestOrderKey(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		body []byte
		want string
	}{
		{e.fake.CallbackText("alice", "hi", "m1"), "alice"},
		{e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact", "UserID", "alice", "ExternalUserID", "wmA"), "sys:customer:wmA"},
		{e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact", "UserID", "alice", "ExternalUserID", "wmB"), "sys:customer:wmB"},
		{e.event("sys", "Event", "change_external_tag", "ChangeType", "delete", "TagType", "tag", "Id", "et1"), "sys:change_external_tag"},
		{[]byte("<xml><bad"), ""},
	}
	for _, tc := range cases {
		if got := orderKey(tc.body); got != tc.want {
			t.Errorf("orderKey(%.60s) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

// A later message already handed out (here: in one Drain pass) does not
// overtake an earlier one of the same sender that is waiting for a retry.
func TestLaterMessageDoesNotOvertakeARetry(t *testing.T) {
	e := newEnv(t)
	e.refresher.failures, e.refresher.err = 1, &wecom.APIError{API: "externalcontact/get", Code: -1, Msg: "busy"}
	first := refreshCall{"customer", "wmA", "alice", "edit_external_contact"}
	second := refreshCall{"customer", "wmA", "bob", "edit_external_contact"}
	for _, c := range []refreshCall{first, second} {
		e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", c.change,
			"UserID", c.follower, "ExternalUserID", c.external))
	}
	e.drain(t)
	if got := e.refresher.recorded(); !slices.Equal(got, []refreshCall{first}) {
		t.Fatalf("refresh calls while the first waits %v, want only %v", got, first)
	}
	e.clk.Advance(6 * time.Second)
	e.drain(t)
	if got, want := e.refresher.recorded(), []refreshCall{first, first, second}; !slices.Equal(got, want) {
		t.Fatalf("refresh calls %v, want %v", got, want)
	}
	if n := e.pending(t); n != 0 {
		t.Fatalf("%d still pending", n)
	}
}
