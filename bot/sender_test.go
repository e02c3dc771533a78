package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// sendCalls returns the times of the accepted message/send calls.
func sendCalls(e *env) []time.Time {
	var out []time.Time
	for _, c := range e.fake.CallsTo("message/send") {
		if c.Status == 200 && c.ErrCode == 0 {
			out = append(out, c.At)
		}
	}
	return out
}

// maxInWindow is the most calls in any half-open window [t, t+d).
func maxInWindow(ts []time.Time, d time.Duration) int {
	best := 0
	for i := range ts {
		n := 0
		for _, u := range ts[i:] {
			if u.Sub(ts[i]) < d {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

func TestSenderPerMinuteLimitAndCoalescing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := e.clk.Now()
	var want []string
	for i := 0; i < 100; i++ { // 100 replies within one minute
		r := fmt.Sprintf("reply %03d", i)
		want = append(want, r)
		e.sender.Send(ctx, "alice", []commands.Reply{{Text: r}})
		e.clk.Advance(590 * time.Millisecond)
	}
	inFirstMinute := 0
	for _, at := range sendCalls(e) {
		if at.Sub(start) < time.Minute {
			inFirstMinute++
		}
	}
	if inFirstMinute == 0 || inFirstMinute > DefaultPerUserPerMinute {
		t.Fatalf("%d sends in the first minute, want 1..30", inFirstMinute)
	}
	for i := 0; e.sender.Pending() > 0; i++ {
		if i > 100 {
			t.Fatalf("still %d pending", e.sender.Pending())
		}
		e.clk.Advance(5 * time.Second)
		e.sender.Flush(ctx)
	}
	calls := sendCalls(e)
	if m := maxInWindow(calls, time.Minute); m > DefaultPerUserPerMinute {
		t.Fatalf("%d sends within one minute", m)
	}
	if len(calls) >= 100 {
		t.Fatalf("%d sends for 100 replies: nothing coalesced", len(calls))
	}
	if got := joinAll(e.texts("alice")); got != joinAll(want) {
		t.Fatalf("delivered text differs:\n%s", got)
	}
}

func TestSenderPerHourLimit(t *testing.T) {
	e := newEnv(t)
	s := NewSender(SenderOptions{API: e.api, Store: e.st, Now: e.clk.Now, Logger: e.log, PerUserPerMinute: 3, PerUserPerHour: 5})
	ctx := context.Background()
	big := strings.Repeat("x", MaxTextBytes-10) // one reply per message
	for i := 0; i < 8; i++ {
		s.Send(ctx, "bob", []commands.Reply{{Text: big}})
		e.clk.Advance(time.Minute)
	}
	if n := len(sendCalls(e)); n != 5 {
		t.Fatalf("%d sends in the first 8 minutes, want the hourly 5", n)
	}
	e.clk.Advance(52 * time.Minute) // the first send (of five) is now an hour old
	s.Flush(ctx)
	if n := len(sendCalls(e)); n != 6 {
		t.Fatalf("%d sends after an hour, want 6", n)
	}
}

func TestSenderSplitsLongText(t *testing.T) {
	e := newEnv(t)
	var lines []string
	for i := 0; i < 300; i++ {
		lines = append(lines, fmt.Sprintf("客户%03d：VIP, 华东", i))
	}
	long := strings.Join(lines, "\n")
	e.sender.Send(context.Background(), "alice", []commands.Reply{{Text: "head"}, {Text: long}, {Text: "tail"}})
	got := e.texts("alice")
	if len(got) < 4 {
		t.Fatalf("%d messages", len(got))
	}
	for i, m := range got {
		if len(m) > MaxTextBytes {
			t.Fatalf("message %d has %d bytes", i, len(m))
		}
	}
	// "head" goes alone (long does not fit after it); the cut pieces of long
	// follow, and "tail" is coalesced after the last piece.
	if got[0] != "head" || strings.Join(got[1:], "\n") != long+"\n\ntail" {
		t.Fatalf("split changed the text: first %q last %q", got[0], got[len(got)-1])
	}
}

func TestSenderCards(t *testing.T) {
	e := newEnv(t)
	card := &commands.Card{TaskID: "undo-17", Title: "撤销 #17？", Desc: "张三 · VIP",
		Lines:   []string{"客户：张三", "标签：VIP"},
		Buttons: []commands.Button{{Key: "undo:17:yes", Text: "确认"}, {Key: "undo:17:no", Text: "取消"}}}
	bad := &commands.Card{TaskID: "bad task id!", Title: "无效卡片", Lines: []string{"只能当文字发"}, Buttons: []commands.Button{{Key: "k", Text: "t"}}}
	e.sender.Send(context.Background(), "alice", []commands.Reply{{Text: "before"}, {Card: card}, {Card: bad}, {Text: "after"}})
	msgs := e.fake.Messages()
	type msg struct{ MsgType, Text string }
	var got []msg
	for _, m := range msgs {
		got = append(got, msg{m.MsgType, m.Text})
	}
	want := []msg{{"text", "before"}, {"template_card", "撤销 #17？\n张三 · VIP"}, {"text", "无效卡片\n只能当文字发\n\nafter"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("messages (-want +got):\n%s", diff)
	}
	var body struct {
		TemplateCard struct {
			CardType  string                       `json:"card_type"`
			TaskID    string                       `json:"task_id"`
			MainTitle struct{ Title, Desc string } `json:"main_title"`
			Horiz     []struct {
				KeyName string `json:"keyname"`
				Value   string `json:"value"`
			} `json:"horizontal_content_list"`
			Buttons []struct{ Key, Text string } `json:"button_list"`
		} `json:"template_card"`
	}
	if err := json.Unmarshal(msgs[1].Raw, &body); err != nil {
		t.Fatal(err)
	}
	tc := body.TemplateCard
	type pair struct{ A, B string }
	type cardView struct {
		CardType, TaskID, Title string
		Horiz, Buttons          []pair
	}
	gotCard := cardView{CardType: tc.CardType, TaskID: tc.TaskID, Title: tc.MainTitle.Title}
	for _, h := range tc.Horiz {
		gotCard.Horiz = append(gotCard.Horiz, pair{h.KeyName, h.Value})
	}
	for _, b := range tc.Buttons {
		gotCard.Buttons = append(gotCard.Buttons, pair{b.Key, b.Text})
	}
	wantCard := cardView{"button_interaction", "undo-17", "撤销 #17？",
		[]pair{{"客户", "张三"}, {"标签", "VIP"}}, []pair{{"undo:17:yes", "确认"}, {"undo:17:no", "取消"}}}
	if diff := cmp.Diff(wantCard, gotCard); diff != "" {
		t.Fatalf("card (-want +got):\n%s", diff)
	}
}

func TestSenderErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fake.Fault("message/send", wecomtest.Fault{ErrCode: errcode.SystemBusy, Times: 1})
	e.sender.Send(ctx, "alice", []commands.Reply{{Text: "one"}})
	e.sender.Send(ctx, "alice", []commands.Reply{{Text: "two"}})
	if e.sender.Pending() != 2 || len(e.fake.Messages()) != 0 {
		t.Fatalf("after a transient failure: pending %d, sent %d", e.sender.Pending(), len(e.fake.Messages()))
	}
	e.sender.Flush(ctx) // still inside the back-off
	if len(e.fake.Messages()) != 0 {
		t.Fatal("retried before the back-off")
	}
	e.clk.Advance(3 * time.Second)
	e.sender.Flush(ctx)
	if got := e.texts("alice"); len(got) != 1 || got[0] != "one\n\ntwo" {
		t.Fatalf("after retry %q", got)
	}
	e.sender.Notify(ctx, "nobody", "x") // 81013: permanent, dropped
	if e.sender.Pending() != 0 || !strings.Contains(e.logs.String(), "reply dropped") {
		t.Fatalf("pending %d", e.sender.Pending())
	}
}

func TestSenderRunDeliversHeld(t *testing.T) {
	e := newEnv(t)
	s := NewSender(SenderOptions{API: e.api, Store: e.st, Now: e.clk.Now, Logger: e.log, PerUserPerMinute: 1, Tick: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	s.Send(ctx, "bob", []commands.Reply{{Text: "first"}})
	s.Send(ctx, "bob", []commands.Reply{{Text: "second"}})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	e.clk.Advance(time.Minute)
	waitFor(t, "held reply", func() bool { return s.Pending() == 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.texts("bob"); len(got) != 2 || got[1] != "second" {
		t.Fatalf("got %q", got)
	}
}

// TestSenderRestart drops a Sender with replies still queued — WeCom busy,
// or the member's limit reached — and checks that a new Sender on the
// reopened store sends each of them exactly once, in order, cards as cards.
func TestSenderRestart(t *testing.T) {
	card := &commands.Card{TaskID: "undo-9", Title: "撤销 #9？", Lines: []string{"客户：张三"},
		Buttons: []commands.Button{{Key: "undo:9:yes", Text: "确认"}, {Key: "undo:9:no", Text: "取消"}}}
	tests := []struct {
		name      string
		perMinute int
		fault     bool
		sentFirst []string // delivered before the restart
	}{
		{name: "wecom busy", perMinute: 30, fault: true},
		{name: "limit reached", perMinute: 1, sentFirst: []string{"one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			if tt.fault {
				e.fake.Fault("message/send", wecomtest.Fault{ErrCode: errcode.SystemBusy, Times: 1})
			}
			old := NewSender(SenderOptions{API: e.api, Store: e.st, Now: e.clk.Now, Logger: e.log, PerUserPerMinute: tt.perMinute})
			old.Send(ctx, "alice", []commands.Reply{{Text: "one"}})
			old.Send(ctx, "alice", []commands.Reply{{Card: card}, {Text: "two"}})
			old.Notify(ctx, "bob", "你的标签修改被企业微信拒绝")
			if got := e.texts("alice"); len(got) != len(tt.sentFirst) {
				t.Fatalf("sent before the restart %q", got)
			}
			if old.Pending() == 0 {
				t.Fatal("nothing held before the restart")
			}

			e.restart(t)                   // old is dropped without sending; e.sender is new
			e.clk.Advance(3 * time.Second) // past the back-off of the busy case
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- e.sender.Run(runCtx) }()
			waitFor(t, "pending replies", func() bool { return e.sender.Pending() == 0 })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			e.clk.Advance(time.Hour)
			e.sender.Flush(ctx) // nothing left to send twice

			var alice []string
			for _, m := range e.fake.Messages() {
				switch {
				case m.ToUser == "alice" && m.MsgType == "template_card":
					alice = append(alice, "card")
				case m.ToUser == "alice":
					alice = append(alice, m.Text)
				}
			}
			if want := []string{"one", "card", "two"}; strings.Join(alice, "|") != strings.Join(want, "|") {
				t.Fatalf("alice got %q, want %q", alice, want)
			}
			if got := e.texts("bob"); len(got) != 1 || got[0] != "你的标签修改被企业微信拒绝" {
				t.Fatalf("bob got %q", got)
			}
		})
	}
}

// TestSenderConcurrentSends checks that replies queued while another
// goroutine is sending to the same member go out before Send returns, in
// each caller's order.
func TestSenderConcurrentSends(t *testing.T) {
	e := newEnv(t)
	s := NewSender(SenderOptions{API: e.api, Store: e.st, Now: e.clk.Now, Logger: e.log, PerUserPerMinute: -1, PerUserPerHour: -1})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				s.Send(ctx, "alice", []commands.Reply{{Text: fmt.Sprintf("g%d-%d", g, i)}})
			}
		}()
	}
	wg.Wait()
	if n := s.Pending(); n != 0 {
		t.Fatalf("%d replies left for the next tick", n)
	}
	all := strings.Split(joinAll(e.texts("alice")), replySeparator)
	if len(all) != 40 {
		t.Fatalf("%d replies delivered, want 40", len(all))
	}
	last := map[string]int{}
	for _, r := range all {
		var g, i int
		if _, err := fmt.Sscanf(r, "g%d-%d", &g, &i); err != nil {
			t.Fatalf("reply %q: %v", r, err)
		}
		if prev, ok := last[fmt.Sprint(g)]; ok && i != prev+1 || !ok && i != 0 {
			t.Fatalf("goroutine %d: reply %d after %d", g, i, prev)
		}
		last[fmt.Sprint(g)] = i
	}
}

// TestSenderCheckboxCardAndCode: a card with choices goes out as a
// vote_interaction card, survives the queue, and the response code WeCom
// answers reaches CardSent.
func TestSenderCheckboxCardAndCode(t *testing.T) {
	e := newEnv(t)
	var codes []string
	s := NewSender(SenderOptions{API: e.api, Store: e.st, Now: e.clk.Now, Logger: e.log,
		CardSent: func(_ context.Context, user, task, code string) { codes = append(codes, user+" "+task+" "+code) }})
	card := &commands.Card{TaskID: "tbsg-4", Title: "建议给客户加标签", Desc: "建议 #4",
		Choices: []commands.Choice{{Key: "et1", Text: "价格敏感型", Checked: true}, {Key: "et2", Text: "高意向", Checked: true}},
		Buttons: []commands.Button{{Key: "sg:sel", Text: "确认所选"}}}
	s.Send(context.Background(), "alice", []commands.Reply{{Card: card}})
	msgs := e.fake.Messages()
	if len(msgs) != 1 || msgs[0].MsgType != "template_card" {
		t.Fatalf("messages = %+v, want one card", msgs)
	}
	var body struct {
		TemplateCard wecom.TemplateCard `json:"template_card"`
	}
	if err := json.Unmarshal(msgs[0].Raw, &body); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(TemplateCard(*card), body.TemplateCard); diff != "" {
		t.Errorf("card sent (-want +got):\n%s", diff)
	}
	if want := []string{"alice tbsg-4 " + msgs[0].ResponseCode}; msgs[0].ResponseCode == "" || !cmp.Equal(codes, want) {
		t.Errorf("CardSent got %q, want %q", codes, want)
	}
}
