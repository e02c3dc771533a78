package commands

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

func TestUndoRedo(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "（变更 #1，")
	e.mustSay("zhangsan", "/tag 王小明 +咖啡", "（变更 #2，")
	// /undo takes back the newest not yet undone, one at a time.
	e.mustSay("zhangsan", "/撤销", "已撤销 #2：王小明 移除「咖啡」（变更 #3，/redo 可恢复）")
	e.mustSay("zhangsan", "/undo", "已撤销 #1：王小明 移除「高意向」（变更 #4，")
	e.mustSay("zhangsan", "/undo", "你还没有可以撤销的变更")
	// /redo puts back the last undo, then the one before.
	e.mustSay("zhangsan", "/redo", "已重做：王小明 添加「高意向」（变更 #5，/undo 可撤销）")
	e.mustSay("zhangsan", "/重做", "已重做：王小明 添加「咖啡」（变更 #6，")
	e.mustSay("zhangsan", "/redo", "没有可以重做的")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡", "高意向"}) {
		t.Fatalf("after redo %v", got)
	}
	// After redos, /undo takes back the newest re-applied change first.
	e.mustSay("zhangsan", "/undo", "已撤销 #2：王小明 移除「咖啡」")
	e.mustSay("zhangsan", "/undo", "已撤销 #1：王小明 移除「高意向」")
	e.mustSay("zhangsan", "/undo #2", "#2 已被你撤销（#7），不需要再撤销。要恢复请 /undo 7。")
	if got := e.tagNames("c1", "zhangsan"); len(got) != 0 {
		t.Fatalf("after undos %v", got)
	}
	e.mustSay("zhangsan", "/undo abc", "「abc」不是变更号")
	// Denied attempts cannot be undone.
	e.mustSay("zhangsan", "/tag 王小明 +VIP", "受保护标签")
	id := e.ledger()[0].ID
	e.mustSay("mgr", "/undo "+id.String(), "是被拒绝的尝试，没有改变任何标签")
	e.verify()
}

func TestUndoExclusiveReaddRefused(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +低意向", "#1")
	e.mustSay("zhangsan", "/untag 王小明 低意向", "#2")
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "#3")
	// Undoing #2 would put 低意向 back next to 高意向 in an exclusive group.
	e.mustSay("zhangsan", "/undo 2", "会让互斥的标签组「意向程度」同时有「低意向」和「高意向」")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"高意向"}) {
		t.Fatalf("tags %v", got)
	}
}

func TestUndoConflict(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +咖啡", "#1")
	// The manager changes the same tag afterwards.
	e.mustSay("mgr", "/untag 王小明 咖啡 @zhangsan", "#2")
	e.mustSay("mgr", "/tag 王小明 咖啡 @zhangsan", "#3")
	// The employee is told who changed it and to ask a manager.
	got := e.mustSay("zhangsan", "/undo 1", "无法直接撤销 #1：之后有别人改过相同的标签：")
	for _, want := range []string{"mgr -咖啡 王小明 [command] #2（跟进人 zhangsan）", "mgr +咖啡 王小明 [command] #3", "请联系主管处理"} {
		if !strings.Contains(got, want) {
			t.Fatalf("conflict reply lacks %q:\n%s", want, got)
		}
	}
	e.mustSay("zhangsan", "/undo 1 force", "只有主管可以强制撤销")
	// The admin gets a proposal: text, card and /undo 1 force.
	rs := e.r.HandleText(context.Background(), "boss", "/undo 1")
	if len(rs) != 2 || rs[1].Card == nil || !strings.Contains(rs[0].Text, "/undo 1 force") {
		t.Fatalf("admin conflict replies: %+v", rs)
	}
	card := rs[1].Card
	if card.TaskID == "" || len(card.Buttons) != 2 || card.Buttons[0].Key != KeyConfirm {
		t.Fatalf("card %+v", card)
	}
	// Someone else clicking it, or a wrong task id, does nothing.
	if got := joinReplies(e.r.HandleCard(context.Background(), "mgr", CardEvent{TaskID: card.TaskID, EventKey: KeyConfirm})); !strings.Contains(got, "没有等待确认的操作") {
		t.Fatalf("foreign click: %s", got)
	}
	got = joinReplies(e.r.HandleCard(context.Background(), "boss", CardEvent{TaskID: card.TaskID, EventKey: KeyConfirm}))
	if !strings.Contains(got, "已撤销 #1：王小明 移除「咖啡」") || !strings.Contains(got, "已强制撤销") {
		t.Fatalf("card confirm: %s", got)
	}
	cs := e.ledger()[0]
	if !cs.Forced || cs.Reverts != 1 || cs.Actor != "boss" || cs.Source != store.SourceUndo {
		t.Fatalf("forced undo %+v", cs)
	}
	// The button works once.
	if got := joinReplies(e.r.HandleCard(context.Background(), "boss", CardEvent{TaskID: card.TaskID, EventKey: KeyConfirm})); !strings.Contains(got, "没有等待确认的操作") {
		t.Fatalf("second click: %s", got)
	}
	// /undo <id> force directly.
	e.mustSay("mgr", "/tag 王小明 +咖啡 @zhangsan", "#5")
	e.mustSay("zhangsan", "/untag 王小明 咖啡", "#6")
	e.mustSay("zhangsan", "/tag 王小明 咖啡", "#7")
	e.mustSay("boss", "/undo 5", "无法直接撤销 #5")
	e.mustSay("boss", "/undo 5 force", "已撤销 #5")
	e.verify()
}

// TestUndoRefusalsRecordedAndExplained: a denied attempt cannot be undone,
// whoever asks; an employee's undo of a colleague's change is refused and
// recorded; sync records are explained as such.
func TestUndoRefusalsRecordedAndExplained(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +VIP", "受保护标签") // #1, denied
	for _, u := range []string{"zhangsan", "mgr", "boss"} {
		e.mustSay(u, "/undo 1", "#1 是被拒绝的尝试，没有改变任何标签，不需要撤销。")
	}
	for _, u := range []string{"lisi", "wangwu"} { // zhangsan's relationship: not theirs to see
		e.mustSay(u, "/undo 1", "没有变更 #1。")
	}
	e.mustSay("mgr", "/tag 王小明 +咖啡 @lisi", "#2")
	n := len(e.ledger())
	e.mustSay("zhangsan", "/undo 2", "没有变更 #2。") // lisi's relationship
	if len(e.ledger()) != n {
		t.Fatalf("an undo of an unseen change was recorded: %+v", e.ledger()[0])
	}
	e.mustSay("lisi", "/undo 2", "你只能撤销自己的变更；#2 是 mgr 做的。请联系 mgr 或主管。")
	l := e.ledger()
	if len(l) != n+1 || l[0].Effective() || l[0].Actor != "lisi" || l[0].Follower != "lisi" || l[0].Reverts != 2 || l[0].Reason != "/undo 2" {
		t.Fatalf("refused undo recorded as %+v", l[0])
	}
	e.mustSay("lisi", "/history 王小明", "lisi -咖啡 王小明 [undo] #3（撤销 #2）（被拒绝：只能撤销自己的变更，#2 是 mgr 做的）")
	if got := e.tagNames("c1", "lisi"); !slices.Equal(got, []string{"咖啡"}) {
		t.Fatalf("lisi's tags %v", got)
	}
	sync := e.apply("sync", "c1", "zhangsan", "t11").ID.String()
	system := e.apply("system", "c1", "zhangsan", "t12").ID.String()
	e.mustSay("zhangsan", "/undo "+sync, "#"+sync+" 是企业微信同步记录，不能由你撤销；需要改请直接 /tag，或请主管处理。")
	e.mustSay("zhangsan", "/undo "+system, "#"+system+" 是企业微信同步记录，不能由你撤销")
	e.mustSay("mgr", "/undo "+sync, "已撤销 #"+sync+"：王小明 移除「保健品」")
	e.verify()
}

// TestUndoAlreadyUndoneByAnyone: undoing again names who undid it; plain
// /undo skips change-sets someone else undid.
func TestUndoAlreadyUndoneByAnyone(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +咖啡", "#1")
	e.mustSay("mgr", "/undo 1", "已撤销 #1：王小明 移除「咖啡」（变更 #2，")
	e.mustSay("zhangsan", "/undo 1", "#1 已被 mgr 撤销（#2），不需要再撤销。")
	e.mustSay("mgr", "/undo 1", "#1 已被你撤销（#2），不需要再撤销。要恢复请 /undo 2。")
	e.mustSay("zhangsan", "/undo", "你还没有可以撤销的变更")
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "#3")
	e.mustSay("zhangsan", "/tag 王小明 +保健品", "#4")
	e.mustSay("mgr", "/undo 4", "已撤销 #4")
	e.mustSay("zhangsan", "/undo", "已撤销 #3：王小明 移除「高意向」")
	// The undo of an undo puts the change back: it counts as not undone.
	e.mustSay("mgr", "/undo 2", "已撤销 #2：王小明 添加「咖啡」")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡"}) {
		t.Fatalf("tags %v", got)
	}
	e.verify()
}

// TestForcedUndoSaysOverwriteOnlyWhenItDid: "覆盖了之后别人的修改" only when
// the forced undo changed a tag someone else changed after the target.
func TestForcedUndoSaysOverwriteOnlyWhenItDid(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +咖啡 +保健品", "#1")
	e.mustSay("mgr", "/untag 王小明 咖啡 @zhangsan", "#2")
	got := e.mustSay("boss", "/undo 1 force", "已撤销 #1：王小明 移除「保健品」")
	if strings.Contains(got, "覆盖") {
		t.Fatalf("forced undo overwrote nothing: %s", got)
	}
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "#4")
	e.mustSay("mgr", "/untag 王小明 高意向 @zhangsan", "#5")
	e.mustSay("mgr", "/tag 王小明 +高意向 @zhangsan", "#6")
	e.mustSay("boss", "/undo 4 force", "已撤销 #4：王小明 移除「高意向」（变更 #7，/redo 可恢复）\n已强制撤销，覆盖了之后别人的修改。")
	e.verify()
}
