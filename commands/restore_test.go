package commands

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// deleteTag removes a tag from the library the way a sync does after an
// admin deleted it in WeCom.
func (e *env) deleteTag(id string) {
	e.t.Helper()
	lib := testLibrary
	lib.Tags = slices.DeleteFunc(slices.Clone(lib.Tags), func(t store.Tag) bool { return t.ID == id })
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		e.t.Fatal(err)
	}
}

func TestRestoreAfterDeletion(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t3")
	e.apply("zhangsan", "c2", "zhangsan", "t3")
	e.apply("zhangsan", "c4", "zhangsan", "t3")
	e.apply("lisi", "c3", "lisi", "t3")
	e.clk.Advance(time.Hour)
	e.deleteTag("t3")
	if got := e.tagNames("c1", "zhangsan"); len(got) != 0 {
		t.Fatalf("deletion left %v", got)
	}
	// Afterwards one customer leaves and another gets a tag of the same
	// exclusive group.
	if _, err := e.st.RemoveRelationship("c4", "zhangsan", store.ReconcileOptions{Source: store.SourceSync, Actor: "sync"}); err != nil {
		t.Fatal(err)
	}
	e.apply("zhangsan", "c2", "zhangsan", "t6")
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "已在 11-21 16:04 从标签库删除。管理员可以用 /restore tag 高意向 恢复。")

	e.mustSay("mgr", "/history tag:高意向", "sync -高意向 王小明 [sync] #")
	got := e.mustSay("boss", "/restore tag 高意向", "已恢复标签「高意向」（标签组「意向程度」），重新打回 2 个客户关系（删除时共 4 个）。")
	for _, want := range []string{"1 个客户已不再跟进，跳过。", "1 个客户之后已选了同组（互斥）的其它标签，跳过。", "/history tag:高意向"} {
		if !strings.Contains(got, want) {
			t.Fatalf("restore reply lacks %q:\n%s", want, got)
		}
	}
	if n := e.creator.calls.Load(); n != 1 {
		t.Fatalf("CreateTag called %d times", n)
	}
	for _, rel := range [][2]string{{"c1", "zhangsan"}, {"c3", "lisi"}} {
		if got := e.tagNames(rel[0], rel[1]); !slices.Equal(got, []string{"高意向"}) {
			t.Fatalf("%v tags %v", rel, got)
		}
	}
	if got := e.tagNames("c2", "zhangsan"); !slices.Equal(got, []string{"中意向"}) {
		t.Fatalf("c2 tags %v", got)
	}
	batch, err := e.st.History(store.Query{Batch: "restore-tnew1"})
	if err != nil || len(batch) != 2 || batch[0].Source != store.SourceRestore || batch[0].Actor != "boss" {
		t.Fatalf("restore batch %+v %v", batch, err)
	}
	if old, _ := e.st.Tag("t3"); old.RestoredAs != "tnew1" {
		t.Fatalf("old tag not marked restored: %+v", old)
	}
	if e.kicks.Load() == 0 {
		t.Fatal("restore did not Kick")
	}
	e.mustSay("boss", "/restore tag 高意向", "「高意向」已经恢复过了")
	e.mustSay("boss", "/restore tag 火星人", "没有找到被删除的标签「火星人」")
	e.mustSay("mgr", "/history tag:高意向", "boss +高意向 赵敏 [restore]")
	e.verify()
}

func TestRestoreCreateFailureAndRetry(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t12")
	e.deleteTag("t12")
	e.creator.fail = errors.New("wecom: add_corp_tag: errcode 40071")
	e.mustSay("boss", "/restore 咖啡", "内部错误（编号 ")
	if old, _ := e.st.Tag("t12"); old.RestoredAs != "" {
		t.Fatal("failed restore marked the tag restored")
	}
	// The tag was created on WeCom and synced meanwhile: the retry reuses it.
	if err := e.st.PutTag(testLibrary.Groups[4], store.Tag{ID: "tw", GroupID: "g5", GroupName: "兴趣", Name: "咖啡"}); err != nil {
		t.Fatal(err)
	}
	e.mustSay("boss", "/restore tag 咖啡", "重新打回 1 个客户关系")
	if n := e.creator.calls.Load(); n != 1 {
		t.Fatalf("CreateTag called again: %d", n)
	}
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡"}) {
		t.Fatalf("tags %v", got)
	}
	e.mustSay("boss", "/restore tag", "请写一个标签名")
	e.verify()
}

func TestRestoreWithoutTagCreator(t *testing.T) {
	e := newEnv(t)
	r, err := NewRouter(Options{Store: e.st, Config: testConfig()})
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	e.mustSay("boss", "/restore tag 高意向", "恢复标签需要连接企业微信")
}

// TestRestoreAgainAfterUndoSuggestsRedo: a restore that was undone is not
// restored twice; the reply says how to put the tags back.
func TestRestoreAgainAfterUndoSuggestsRedo(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t12")
	e.apply("zhangsan", "c2", "zhangsan", "t12")
	e.deleteTag("t12")
	e.mustSay("boss", "/restore tag 咖啡", "重新打回 2 个客户关系")
	e.mustSay("boss", "/restore tag 咖啡", "「咖啡」已经恢复过了，标签还在标签库里。发送 /history tag:咖啡 查看。")
	e.mustSay("boss", "/undo", "已撤销 #5、#6（一起做的 2 项变更）")
	e.mustSay("boss", "/restore tag 咖啡", "「咖啡」已经恢复过了，但重新打回客户的那批变更已被 boss 撤销（#8）。要再打回去请发送 /redo（或 /undo 8）。")
	e.mustSay("boss", "/redo", "已重做 2 项变更")
	if got := e.tagNames("c2", "zhangsan"); !slices.Equal(got, []string{"咖啡"}) {
		t.Fatalf("tags %v", got)
	}
	e.mustSay("boss", "/restore tag 咖啡", "「咖啡」已经恢复过了，标签还在标签库里。")
	e.verify()
}

// lockProbe is a TagCreator that notes whether the router's write lock
// was held while WeCom was called.
type lockProbe struct {
	TagCreator
	r    *Router
	held bool
}

func (p *lockProbe) CreateTag(ctx context.Context, group, name string) (store.Tag, error) {
	if p.r.writeMu.TryLock() {
		p.r.writeMu.Unlock()
	} else {
		p.held = true
	}
	return p.TagCreator.CreateTag(ctx, group, name)
}

// TestRestoreCallsWeComOutsideWriteLock: the tag is created on WeCom
// before the write lock is taken.
func TestRestoreCallsWeComOutsideWriteLock(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t3")
	e.deleteTag("t3")
	probe := &lockProbe{TagCreator: e.creator, r: e.r}
	e.r.tags = probe
	e.mustSay("boss", "/restore tag 高意向", "已恢复标签「高意向」（标签组「意向程度」），重新打回 1 个客户关系")
	if e.creator.calls.Load() != 1 {
		t.Fatalf("CreateTag called %d times, want 1", e.creator.calls.Load())
	}
	if probe.held {
		t.Fatal("CreateTag ran while the write lock was held")
	}
}
