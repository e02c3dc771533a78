package commands

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// rollbackEnv: at 15:04 zhangsan adds 高意向 (#1); at 16:04 咖啡 (#2); at
// 17:04 mgr adds VIP on zhangsan's relationship (#3) and lisi adds 保健品 on
// his (#4); the clock then reads 18:04 on 2026-11-21.
func rollbackEnv(t *testing.T) *env {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "#1")
	e.clk.Advance(time.Hour)
	e.mustSay("zhangsan", "/tag 王小明 +咖啡", "#2")
	e.clk.Advance(time.Hour)
	e.mustSay("mgr", "/tag 王小明 +VIP @zhangsan", "#3")
	e.mustSay("lisi", "/tag 王小明 +保健品", "#4")
	e.clk.Advance(time.Hour)
	return e
}

func TestRollbackConfirm(t *testing.T) {
	e := rollbackEnv(t)
	got := e.mustSay("mgr", "/rollback 王小明 2026-11-21 15:30", "把 王小明 的标签恢复到 11-21 15:30 时的样子，将会：")
	for _, want := range []string{"跟进人 lisi：-保健品", "跟进人 zhangsan：-VIP -咖啡", "发送 /confirm 执行，/cancel 放弃（10 分钟内有效）", "[card 回滚 王小明 到 11-21 15:30？]"} {
		if !strings.Contains(got, want) {
			t.Fatalf("proposal lacks %q:\n%s", want, got)
		}
	}
	if n := len(e.ledger()); n != 4 {
		t.Fatalf("proposal wrote to the ledger (%d)", n)
	}
	e.mustSay("mgr", "/确认", "已把 王小明 的标签恢复到 11-21 15:30（变更 #5、#6）。整批撤销请 /undo。")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"高意向"}) {
		t.Fatalf("zhangsan %v", got)
	}
	if got := e.tagNames("c1", "lisi"); len(got) != 0 {
		t.Fatalf("lisi %v", got)
	}
	l := e.ledger()
	if l[0].Source != store.SourceRollback || l[0].Batch == "" || l[0].Batch != l[1].Batch || l[0].Actor != "mgr" {
		t.Fatalf("rollback change-sets %+v %+v", l[0], l[1])
	}
	e.mustSay("mgr", "/confirm", "没有等待确认的操作")
	// Undo takes back the whole rollback, in one transaction; redo puts it
	// back the same way.
	e.mustSay("mgr", "/undo", "已撤销 #5、#6（一起做的 2 项变更）")
	if got := e.tagNames("c1", "lisi"); !slices.Equal(got, []string{"保健品"}) {
		t.Fatalf("lisi after undo %v", got)
	}
	if got := e.tagNames("c1", "zhangsan"); len(got) != 3 {
		t.Fatalf("zhangsan after undo %v", got)
	}
	e.mustSay("mgr", "/redo", "已重做 2 项变更")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"高意向"}) {
		t.Fatalf("zhangsan after redo %v", got)
	}
	// Undo of one member by id also takes the whole batch.
	e.mustSay("mgr", "/undo 6", "一起做的 2 项变更")
	e.verify()
}

func TestRollbackCancelExpiryAndFollower(t *testing.T) {
	e := rollbackEnv(t)
	e.mustSay("mgr", "/rollback 王小明 15:30", "跟进人 zhangsan：-VIP -咖啡")
	e.mustSay("mgr", "/cancel", "已取消「回滚 王小明 到 11-21 15:30」，没有做任何修改。")
	e.mustSay("mgr", "/confirm", "没有等待确认的操作")
	// Proposals expire after ProposalTTL (the injected clock moves).
	e.mustSay("mgr", "/rollback 王小明 3小时前", "跟进人 zhangsan：-VIP -咖啡")
	e.clk.Advance(ProposalTTL + time.Minute)
	e.mustSay("mgr", "/confirm", "「回滚 王小明 到 11-21 15:04」的确认已过期（10 分钟内有效），什么都没有改。")
	if n := len(e.ledger()); n != 4 {
		t.Fatalf("ledger %d", n)
	}
	// @follower limits the rollback to one relationship.
	got := e.mustSay("boss", "/rollback 王小明 昨天 @lisi", "跟进人 lisi：-保健品")
	if strings.Contains(got, "zhangsan") {
		t.Fatalf("rollback @lisi shows zhangsan: %s", got)
	}
	e.mustSay("boss", "/confirm", "（变更 #5）")
	if got := e.tagNames("c1", "zhangsan"); len(got) != 3 {
		t.Fatalf("zhangsan touched: %v", got)
	}
	// Bad times and customers.
	e.mustSay("mgr", "/rollback 王小明 明年", "看不懂时间「明年」")
	e.mustSay("mgr", "/rollback 王小明", "请写出客户和时间")
	e.mustSay("mgr", "/rollback 王小明 2099-01-01", "还没到")
	e.mustSay("mgr", "/rollback 王小明 15:30 @wangwu", "wangwu 不是 王小明 的跟进人")
}

func TestRollbackCardAndChangedPlan(t *testing.T) {
	e := rollbackEnv(t)
	rs := e.r.HandleText(context.Background(), "mgr", "/回滚 王小明 16:30")
	if len(rs) != 2 || rs[1].Card == nil {
		t.Fatalf("replies %+v", rs)
	}
	task := rs[1].Card.TaskID
	got := joinReplies(e.r.HandleCard(context.Background(), "mgr", CardEvent{TaskID: task, EventKey: KeyCancel}))
	if !strings.Contains(got, "已取消「回滚 王小明 到 11-21 16:30」") {
		t.Fatalf("card cancel: %s", got)
	}
	// The tags change between proposal and confirmation: the new diff is
	// shown and must be confirmed again.
	rs = e.r.HandleText(context.Background(), "mgr", "/rollback 王小明 16:30")
	task = rs[1].Card.TaskID
	e.mustSay("zhangsan", "/tag 王小明 +保健品", "#5")
	got = joinReplies(e.r.HandleCard(context.Background(), "mgr", CardEvent{TaskID: task, EventKey: KeyConfirm}))
	if !strings.Contains(got, "在你确认之前标签又有变化") || !strings.Contains(got, "跟进人 zhangsan：-VIP -保健品") {
		t.Fatalf("changed plan: %s", got)
	}
	if n := len(e.ledger()); n != 5 {
		t.Fatalf("changed plan applied: ledger %d", n)
	}
	e.mustSay("mgr", "/confirm", "已把 王小明 的标签恢复到 11-21 16:30")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡", "高意向"}) {
		t.Fatalf("zhangsan %v", got)
	}
	// A policy closed to managers refuses the rollback and records it.
	e.mustSay("boss", "/tag 王小明 +华东 @lisi", "添加「华东」")
	e.clk.Advance(time.Minute)
	e.mustSay("mgr", "/rollback 王小明 5分钟前 @lisi", "标签组「区域」只有zhangsan可以修改")
	if cs := e.ledger()[0]; cs.Denied == "" || cs.Actor != "mgr" {
		t.Fatalf("denied rollback not recorded: %+v", cs)
	}
	e.verify()
}

// TestRollbackBeforeFirstSyncRefused: the ledger starts at the first full
// sync; a rollback to before it would wipe tags customers had then.
func TestRollbackBeforeFirstSyncRefused(t *testing.T) {
	e := newEnv(t)
	e.apply("sync", "c1", "zhangsan", "t12") // what the first sync found
	e.clk.Advance(30 * time.Second)
	if err := e.st.SetSyncedAt(e.clk.Now()); err != nil { // 11-21 15:04:30
		t.Fatal(err)
	}
	e.clk.Advance(time.Hour)
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "#2")
	e.clk.Advance(24 * time.Hour)
	const refusal = "王小明 的标签记录从 11-21 15:04（首次同步）开始，更早的状态不知道。最早可以回滚到 11-21 15:05：/rollback 王小明 11-21 15:05"
	for _, when := range []string{"昨天", "2020-01-01", "11-21 15:04", "2天前"} {
		e.mustSay("mgr", "/rollback 王小明 "+when+" @zhangsan", refusal)
	}
	// A name that cannot be typed back as shown (cut) is hinted by its id.
	long := strings.Repeat("长", 40)
	if err := e.st.UpsertCustomer(store.Customer{ID: "c9", Name: long}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
		t.Fatal(err)
	}
	e.mustSay("mgr", "/rollback "+long+" 昨天", "最早可以回滚到 11-21 15:05：/rollback c9 11-21 15:05")
	e.mustSay("mgr", "/confirm", "没有等待确认的操作")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡", "高意向"}) {
		t.Fatalf("tags %v", got)
	}
	// The suggested time is accepted and keeps what the sync found.
	e.mustSay("mgr", "/rollback 王小明 11-21 15:05 @zhangsan", "跟进人 zhangsan：-高意向")
	e.mustSay("mgr", "/confirm", "已把 王小明 的标签恢复到 11-21 15:05")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡"}) {
		t.Fatalf("tags after rollback %v", got)
	}
}

// TestRollbackCardTitleKeepsTime: cut to the length WeCom shows, the
// rollback card's title still says to when, whatever the name.
func TestRollbackCardTitleKeepsTime(t *testing.T) {
	for _, name := range []string{"王小明", "深圳前海某某科技张经理", strings.Repeat("长", 40), "恶意\u202e" + strings.Repeat("长", 100)} {
		t.Run(name[:min(len(name), 12)], func(t *testing.T) {
			e := newEnv(t)
			if err := e.st.UpsertCustomer(store.Customer{ID: "c9", Name: name}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
				t.Fatal(err)
			}
			e.apply("zhangsan", "c9", "zhangsan", "t3")
			e.clk.Advance(time.Hour)
			e.apply("zhangsan", "c9", "zhangsan", "t12")
			e.clk.Advance(time.Hour)
			var title string
			for _, r := range e.r.HandleText(context.Background(), "mgr", "/rollback c9 2026-11-21 15:30") {
				if r.Card != nil {
					title = display.Line(r.Card.Title, display.CardTitleRunes)
				}
			}
			if !strings.Contains(title, "11-21 15:30") {
				t.Errorf("card title as WeCom shows it = %q, want the time 11-21 15:30 in it", title)
			}
		})
	}
}

// TestCardTitle: only the name is cut, so a long time (with its year)
// survives the cut WeCom applies, which the middle cut alone would not.
func TestCardTitle(t *testing.T) {
	for _, name := range []string{"王小明", "深圳前海某某科技张经理", strings.Repeat("长", 40)} {
		for _, tail := range []string{" 到 11-21 15:30？", " 到 2025-12-01 00:00？"} {
			got := display.Line(cardTitle("回滚 ", name, tail), display.CardTitleRunes)
			if !strings.HasSuffix(got, tail) || !strings.HasPrefix(got, "回滚 ") {
				t.Errorf("cardTitle(%q, %q) shown as %q: the time or the verb is cut", name, tail, got)
			}
		}
	}
}
