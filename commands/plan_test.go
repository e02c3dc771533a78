package commands

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// crash is what afterStep panics with: the process dies there.
type crash struct{}

// confirmUntilCrash proposes "两条" (/tag 王小明 +高意向 then +咖啡) as
// zhangsan and confirms it, the process dying after step crashAfter ran.
func confirmUntilCrash(t *testing.T, e *env, crashAfter int) {
	t.Helper()
	e.mustSay("zhangsan", "两条", "确认吗")
	e.r.afterStep = func(i int) {
		if i == crashAfter {
			panic(crash{})
		}
	}
	func() {
		defer func() {
			if p := recover(); p != (crash{}) {
				t.Fatalf("confirm: recovered %v, want the crash", p)
			}
		}()
		e.say("zhangsan", "确认")
	}()
}

// restart builds a new router over the same store, as a restarted
// process does, collecting what it delivers.
func restart(t *testing.T, e *env) *[]string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	r, err := NewRouter(Options{Store: e.st, Config: testConfig(), Now: e.clk.Now, Natural: fakeNatural,
		Deliver: func(_ context.Context, user string, replies []Reply) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, user+": "+joinReplies(replies))
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	return &got
}

// adds counts the effective change-sets adding tag id to 王小明 via zhangsan.
func adds(e *env, id string) int {
	n := 0
	for _, cs := range e.ledger() {
		for _, a := range cs.Add {
			if cs.Customer == "c1" && cs.Follower == "zhangsan" && a.ID == id && cs.Effective() {
				n++
			}
		}
	}
	return n
}

// TestPlanResumesAfterCrash: a confirmed sentence of two writes, the
// process killed after the first (before or after the second's change),
// is finished by ResumePlans at the next start: each command applied
// exactly once, the user told, and a second resume runs nothing.
func TestPlanResumesAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name       string
		crashAfter int
		told       string // in what the restart delivers; "" for nothing
	}{
		{"crash after step 1", 0, "还有 1 条没执行"},
		{"crash after step 2's change", 1, "服务重启前你确认的 2 条命令都已执行，但回复没能发出。发送 /history 查看详情。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := natEnv(t)
			confirmUntilCrash(t, e, tc.crashAfter)
			if n := adds(e, "t3"); n != 1 {
				t.Fatalf("before restart: 高意向 added %d times, want 1", n)
			}
			got := restart(t, e)
			for range 2 { // the second resume finds nothing left
				if err := e.r.ResumePlans(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			have := struct{ High, Coffee, Delivered int }{adds(e, "t3"), adds(e, "t12"), len(*got)}
			want := struct{ High, Coffee, Delivered int }{1, 1, 0}
			if tc.told != "" {
				want.Delivered = 1
			}
			if have != want {
				t.Fatalf("after restart: %+v, want %+v (deliveries %q)", have, want, *got)
			}
			if tc.told != "" && !strings.Contains((*got)[0], tc.told) || tc.crashAfter == 0 && !strings.Contains((*got)[0], "咖啡") {
				t.Errorf("delivered %q, want it to contain %q and the second command's reply", (*got)[0], tc.told)
			}
			if ps, err := e.st.PlansPending(); err != nil || len(ps) != 0 {
				t.Errorf("plans pending after resume: %v, %v; want none", ps, err)
			}
			e.verify()
		})
	}
}

// TestPlanTakesOverInbox: recording the plan removes the inbox message
// of the 确认 in the same transaction, so a restart does not run the
// message (the plan is resumed instead).
func TestPlanTakesOverInbox(t *testing.T) {
	e := natEnv(t)
	e.mustSay("zhangsan", "两条", "确认吗")
	id, _, err := e.st.InboxPut("k1", []byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	e.r.HandleText(store.WithInbox(context.Background(), id), "zhangsan", "确认")
	pending, err := e.st.InboxPending(10)
	if err != nil || len(pending) != 0 {
		t.Fatalf("inbox after the confirmed plan: %v, %v; want empty", pending, err)
	}
	if n := adds(e, "t12"); n != 1 {
		t.Fatalf("咖啡 added %d times, want 1", n)
	}
}

// TestPlanUnreadableDropped: a plan whose command cannot be read (a store
// from another version), or whose old text form would read back as
// another command (an invisible character dropped), is dropped with a
// word to its user, and does not stop later starts.
func TestPlanUnreadableDropped(t *testing.T) {
	for _, step := range []string{"not a command", "/tag 王小红\u200b +高意向"} {
		t.Run(step, func(t *testing.T) { planUnreadableDropped(t, step) })
	}
	t.Run("old text that reads back", func(t *testing.T) {
		e := natEnv(t)
		if _, err := e.st.PlanBegin("zhangsan", []string{"/tag 王小明 +咖啡"}, 0); err != nil {
			t.Fatal(err)
		}
		restart(t, e)
		if err := e.r.ResumePlans(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := adds(e, "t12"); n != 1 {
			t.Errorf("咖啡 added %d times, want 1", n)
		}
	})
}

func planUnreadableDropped(t *testing.T, step string) {
	e := natEnv(t)
	if _, err := e.st.PlanBegin("zhangsan", []string{step}, 0); err != nil {
		t.Fatal(err)
	}
	got := restart(t, e)
	if err := e.r.ResumePlans(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 1 || !strings.Contains((*got)[0], "zhangsan: 服务重启前你确认的命令没能继续执行") {
		t.Fatalf("delivered %q, want one notice to zhangsan", *got)
	}
	if ps, err := e.st.PlansPending(); err != nil || len(ps) != 0 {
		t.Fatalf("plans pending: %v, %v; want none", ps, err)
	}
}

// TestPlanResumeKeepsExactName: a step naming a customer whose name holds
// an invisible character (王小红 + U+200B, another customer than 王小红)
// resumes on that customer, not on the one its text would parse to.
func TestPlanResumeKeepsExactName(t *testing.T) {
	e := newEnv(t)
	if err := e.st.UpsertCustomer(store.Customer{ID: "c5", Name: "王小红\u200b"}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
		t.Fatal(err)
	}
	step := Command{Slash: true, Name: "tag", Args: []Token{{Kind: Word, Value: "王小红\u200b"}, {Kind: AddTag, Value: "高意向"}}}
	nat := func(_ context.Context, text string, _ Names) Natural {
		return Natural{Write: true, Steps: []NaturalStep{{Cmd: natTag("咖啡"), Write: true}, {Cmd: step, Write: true}}}
	}
	r, err := NewRouter(Options{Store: e.st, Config: testConfig(), Now: e.clk.Now, Natural: nat})
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	confirmUntilCrash(t, e, 0)
	restart(t, e)
	if err := e.r.ResumePlans(context.Background()); err != nil {
		t.Fatal(err)
	}
	have := struct{ Invisible, Plain string }{strings.Join(e.tagNames("c5", "zhangsan"), ","), strings.Join(e.tagNames("c2", "zhangsan"), ",")}
	want := struct{ Invisible, Plain string }{"高意向", ""}
	if have != want {
		t.Errorf("tags after resume: %+v, want %+v", have, want)
	}
}

// TestPlanResumeOnlyWhileFresh: a plan is resumed only within the
// proposal lifetime of its confirmation; an older one is dropped and its
// user told which commands did not run and why.
func TestPlanResumeOnlyWhileFresh(t *testing.T) {
	const stale = "zhangsan: 服务重启前你确认的命令有 %d 条因超过 10 分钟没有执行，请确认后重新发送：\n%s"
	for _, tc := range []struct {
		name       string
		crashAfter int // -1: the plan recorded, no step run
		age        time.Duration
		high, cof  int    // adds of 高意向, 咖啡 at the end
		told       string // what the restart delivers
	}{
		{"fresh resumes", 0, 9 * time.Minute, 1, 1, "还有 1 条没执行"},
		{"stale, none run", -1, 11 * time.Minute, 0, 0, fmt.Sprintf(stale, 2, "/tag 王小明 +高意向\n/tag 王小明 +咖啡")},
		{"stale, one run", 0, 30 * 24 * time.Hour, 1, 0, fmt.Sprintf(stale, 1, "/tag 王小明 +咖啡")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := natEnv(t)
			if tc.crashAfter < 0 {
				if _, err := e.st.PlanBegin("zhangsan", []string{storedStep(natTag("高意向")), storedStep(natTag("咖啡"))}, 0); err != nil {
					t.Fatal(err)
				}
			} else {
				confirmUntilCrash(t, e, tc.crashAfter)
			}
			e.clk.Advance(tc.age)
			got := restart(t, e)
			if err := e.r.ResumePlans(context.Background()); err != nil {
				t.Fatal(err)
			}
			have := struct{ High, Coffee, Delivered int }{adds(e, "t3"), adds(e, "t12"), len(*got)}
			want := struct{ High, Coffee, Delivered int }{tc.high, tc.cof, 1}
			if have != want {
				t.Fatalf("after restart: %+v, want %+v (deliveries %q)", have, want, *got)
			}
			if !strings.Contains((*got)[0], tc.told) {
				t.Errorf("delivered %q, want it to contain %q", (*got)[0], tc.told)
			}
			if ps, err := e.st.PlansPending(); err != nil || len(ps) != 0 {
				t.Errorf("plans pending after resume: %v, %v; want none", ps, err)
			}
		})
	}
}
