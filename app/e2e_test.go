package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func startDemo(t *testing.T) *DemoBot {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir()) // StartDemo's own temp dir goes in there
	d, err := StartDemo(context.Background(), config.Default(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func say(t *testing.T, d *DemoBot, line string) string {
	t.Helper()
	out, err := d.Say(context.Background(), line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return out
}

// tagID finds a tag id of the demo library by name.
func tagID(t *testing.T, d *DemoBot, name string) string {
	t.Helper()
	for _, g := range d.Fake.TagGroups() {
		for _, tg := range g.Tags {
			if tg.Name == name {
				return tg.ID
			}
		}
	}
	t.Fatalf("no tag %s", name)
	return ""
}

type markTagBody struct {
	UserID         string   `json:"userid"`
	ExternalUserID string   `json:"external_userid"`
	AddTag         []string `json:"add_tag"`
	RemoveTag      []string `json:"remove_tag"`
}

func markTagCalls(t testing.TB, d *DemoBot) []markTagBody {
	t.Helper()
	var out []markTagBody
	for _, c := range d.Fake.Calls()[d.seededCalls:] {
		if c.Path != "externalcontact/mark_tag" || c.ErrCode != 0 || c.Status != 200 {
			continue
		}
		var b markTagBody
		if err := json.Unmarshal(c.Body, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestEndToEndTagReachesWeCom(t *testing.T) {
	d := startDemo(t)
	out := say(t, d, "/tag 王小明 +转介绍")
	if !strings.Contains(out, "已为 王小明 添加「转介绍」") {
		t.Fatalf("reply: %s", out)
	}
	calls := markTagCalls(t, d)
	want := tagID(t, d, "转介绍")
	if diff := cmp.Diff([]markTagBody{{UserID: "zhangsan", ExternalUserID: "wmDemo0001", AddTag: []string{want}}}, calls,
		cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("mark_tag calls (-want +got):\n%s", diff)
	}
	if tags := d.Fake.CustomerTags("wmDemo0001", "zhangsan"); !contains(tags, want) {
		t.Fatalf("fake WeCom tags %v", tags)
	}
	msgs := d.Fake.Messages()[d.msgs-1:]
	if len(msgs) != 1 || msgs[0].ToUser != "zhangsan" {
		t.Fatalf("replies %+v", msgs)
	}
	// Undo goes back to WeCom as a removal.
	if out := say(t, d, "/undo"); !strings.Contains(out, "已撤销") {
		t.Fatalf("undo reply: %s", out)
	}
	calls = markTagCalls(t, d)
	if len(calls) != 2 || len(calls[1].RemoveTag) != 1 || calls[1].RemoveTag[0] != want {
		t.Fatalf("after undo %+v", calls)
	}
	if err := d.Main.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

// mustContain fails t naming every one of wants that out lacks.
func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	var missing []string
	for _, w := range wants {
		if !strings.Contains(out, w) {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%s lacks %q:\n%s", what, missing, out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestEndToEndRetriedCallbackProcessedOnce(t *testing.T) {
	d := startDemo(t)
	xml := d.Fake.CallbackText("zhangsan", "/tag 李华 +高意向", "msg-retried-1")
	for i := 0; i < 3; i++ {
		if _, err := d.deliver(context.Background(), xml); err != nil {
			t.Fatal(err)
		}
	}
	if calls := markTagCalls(t, d); len(calls) != 1 {
		t.Fatalf("mark_tag sent %d times", len(calls))
	}
	if msgs := d.Fake.Messages(); len(msgs) != 1 {
		t.Fatalf("%d replies", len(msgs))
	}
}

func TestEndToEndRestartBetweenReceiptAndProcessing(t *testing.T) {
	fake, cfg := fakeCompany(t)
	ctx := context.Background()

	// First life: the callback is received and acknowledged, but the
	// process stops before any worker runs.
	m, err := New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SyncIfNeeded(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Callback)
	resp, err := fake.Deliver(ctx, srv.URL+cfg.Server.CallbackPath, fake.CallbackText("zhangsan", "/tag 王小明 +高意向", "msg-restart-1"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("deliver: %v %v", resp, err)
	}
	srv.Close()
	if err := m.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.CallsTo("externalcontact/mark_tag")); n != 0 {
		t.Fatalf("processed before restart: %d", n)
	}

	// Second life: the message is still there and is processed once.
	m, err = New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	d := &DemoBot{Fake: fake, Main: m, User: "zhangsan", cards: map[string]cardView{}}
	if _, err := d.settle(ctx); err != nil {
		t.Fatal(err)
	}
	if out := d.render(); !strings.Contains(out, "已为 王小明 添加「高意向」") {
		t.Fatalf("reply after restart: %q", out)
	}
	// A retry of the same callback after the restart is still a duplicate.
	if _, err := d.deliver(ctx, fake.CallbackText("zhangsan", "/tag 王小明 +高意向", "msg-restart-1")); err != nil {
		t.Fatal(err)
	}
	if calls := markTagCalls(t, d); len(calls) != 1 {
		t.Fatalf("mark_tag calls %d", len(calls))
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := m.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
}

func TestEndToEndOutboxFailureToldToActor(t *testing.T) {
	d := startDemo(t)
	d.Fake.Fault("externalcontact/mark_tag", wecomtest.Fault{ErrCode: errcode.NoRelation, Times: 1})
	out := say(t, d, "/tag 李华 +高意向")
	mustContain(t, "replies", out, "添加「高意向」", "没能同步到企业微信", "记录已按企业微信的实际情况更正")
	rel, err := d.Main.Store.Relationship("wmDemo0002", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	if _, has := rel.Tags[tagID(t, d, "高意向")]; has {
		t.Fatal("ledger still claims a tag WeCom refused")
	}
}

func TestEndToEndCardConfirm(t *testing.T) {
	d := startDemo(t)
	// A rollback to before the first sync is refused: the ledger does not
	// know the tags customers had then.
	say(t, d, "/as lisi")
	if out := say(t, d, "/rollback 王小明 2020-01-01"); !strings.Contains(out, "（首次同步）开始，更早的状态不知道") || strings.Contains(out, "[1]") {
		t.Fatalf("rollback before the first sync: %s", out)
	}
	// zhangsan's change, changed again by the admin: the manager's undo of
	// it conflicts, and he gets a card proposing a forced undo.
	say(t, d, "/as zhangsan")
	out := say(t, d, "/tag 李华 +高意向")
	_, id, ok := strings.Cut(out, "变更 #")
	if !ok {
		t.Fatalf("tag: %s", out)
	}
	id, _, _ = strings.Cut(id, "，")
	say(t, d, "/as wangwu")
	say(t, d, "/untag 李华 高意向")
	say(t, d, "/tag 李华 +高意向")
	say(t, d, "/as lisi")
	out = say(t, d, "/undo "+id)
	if !strings.Contains(out, "[1]") {
		t.Fatalf("no card: %s", out)
	}
	before := len(markTagCalls(t, d))
	out = say(t, d, "/click 1")
	if !strings.Contains(out, "已撤销 #"+id) || !strings.Contains(out, "覆盖了之后别人的修改") {
		t.Fatalf("click reply: %s", out)
	}
	if after := len(markTagCalls(t, d)); after <= before {
		t.Fatal("confirmed undo sent nothing to WeCom")
	}
	// The clicked card's button becomes 已确认, so it cannot be used again.
	ups := d.Fake.CardUpdates()
	if len(ups) != 1 {
		t.Fatalf("%d card updates, want 1: %s", len(ups), ups)
	}
	mustContain(t, "card update", string(ups[0]), "已确认", d.cards["lisi"].ResponseCode)
	// Pressing the same card again (the other button: the same one within
	// the same second is a double-click WeCom-style dedup drops) changes
	// nothing.
	n := len(markTagCalls(t, d))
	if out := say(t, d, "/click 2"); out == "" || strings.Contains(out, "已取消") {
		t.Fatalf("second click: %q", out)
	}
	if len(markTagCalls(t, d)) != n {
		t.Fatal("second click changed something")
	}
	if tags := d.Fake.CustomerTags("wmDemo0002", "zhangsan"); slices.Contains(tags, tagID(t, d, "高意向")) {
		t.Fatalf("高意向 still on WeCom: %v", tags)
	}
}

// fakeCompany starts a fake WeCom holding the demo company and returns a
// config pointing at it, with the store in t.TempDir and a loopback listener.
func fakeCompany(t *testing.T) (*wecomtest.Server, *config.Config) {
	t.Helper()
	fake := wecomtest.New(wecomtest.Options{})
	t.Cleanup(fake.Close)
	SeedDemo(fake)
	cfg := config.Default()
	UseFake(cfg, fake)
	cfg.Store.Path = filepath.Join(t.TempDir(), "tagbot.db")
	cfg.Server.Listen = "127.0.0.1:0"
	return fake, cfg
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestEndToEndWeComSideChangesAndRestore(t *testing.T) {
	d := startDemo(t)
	// A change made in the WeCom client enters the ledger as wecom-ui.
	out := say(t, d, "/wecom tag 李华 -中意向 +低意向")
	if !strings.Contains(out, "来源 wecom-ui") {
		t.Fatalf("console tag: %s", out)
	}
	if n := len(markTagCalls(t, d)); n != 0 {
		t.Fatalf("a change seen on WeCom was sent back to WeCom (%d calls)", n)
	}
	// A tag deleted in the console is recorded with its assignments and
	// restored by an admin onto every customer that had it.
	out = say(t, d, "/wecom deltag 官网")
	if !strings.Contains(out, "1 处客户标签") {
		t.Fatalf("console deltag: %s", out)
	}
	say(t, d, "/as wangwu")
	if out := say(t, d, "/restore tag 官网"); !strings.Contains(out, "已恢复标签「官网」") {
		t.Fatalf("restore: %s", out)
	}
	newID := tagID(t, d, "官网")
	if tags := d.Fake.CustomerTags("wmDemo0001", "zhangsan"); !contains(tags, newID) {
		t.Fatalf("restored tag not on WeCom: %v (new id %s)", tags, newID)
	}
	if err := d.Main.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestCrashAfterApplyDoesNotRunMessageAgain: a command's change-set marks
// its inbox message applied in the same transaction, so a crash between the
// change and the end of processing cannot run the message again — which
// for /undo would take back a second, older change — and the member is
// told after the restart that it took effect.
func TestCrashAfterApplyDoesNotRunMessageAgain(t *testing.T) {
	fake, cfg := fakeCompany(t)
	ctx := context.Background()
	m, err := New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Store.Close()
	if err := m.SyncIfNeeded(ctx); err != nil {
		t.Fatal(err)
	}
	put := func(key, text string) store.ID {
		id, dup, err := m.Store.InboxPut(key, fake.CallbackText("zhangsan", text, key))
		if err != nil || dup {
			t.Fatalf("inbox put: %v %v", dup, err)
		}
		return id
	}
	put("m1", "/tag 李华 +展会")
	put("m2", "/tag 李华 +官网")
	if err := m.Loop.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// The /undo is handled up to its change-set, then the process "dies"
	// before the loop marks the message done or replies.
	undo := put("m3", "/undo")
	m.Router.HandleText(store.WithInbox(ctx, undo), "zhangsan", "/undo")
	if p, err := m.Store.InboxPending(0); err != nil || len(p) != 1 || p[0].Applied == 0 {
		t.Fatalf("the /undo is not marked applied: %+v", p)
	}
	// After the restart the loop does not run it again, and says so.
	before := len(fake.Messages())
	if err := m.Loop.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := m.Store.InboxPending(0); err != nil || len(p) != 0 {
		t.Fatalf("still pending: %+v", p)
	}
	msgs := fake.Messages()[before:]
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "已经执行") {
		t.Fatalf("replies after the restart: %+v", msgs)
	}
	rel, err := m.Store.Relationship("wmDemo0002", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for id := range rel.Tags {
		tg, _ := m.Store.Tag(id)
		names[tg.Name] = true
	}
	if !names["展会"] || names["官网"] {
		t.Fatalf("tags after the crash: %v (want 展会 kept, 官网 undone once)", names)
	}
	h, _ := m.Store.History(store.Query{Actor: "zhangsan"})
	if len(h) != 3 {
		t.Fatalf("ledger has %d change-sets by zhangsan, want 3: %+v", len(h), h)
	}
	type newest struct {
		Source store.Source
		Inbox  store.ID
	}
	if diff := cmp.Diff(newest{store.SourceUndo, undo}, newest{h[0].Source, h[0].Inbox}); diff != "" {
		t.Fatalf("newest change-set (-want +got):\n%s", diff)
	}
}

func TestEndToEndRollbackToYesterday(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as lisi")
	out := say(t, d, "/rollback 王小明 昨天")
	mustContain(t, "rollback proposal", out, "跟进人 zhangsan：", "-高意向", "[1] 确认")
	if out := say(t, d, "/click 1"); !strings.Contains(out, "已把 王小明 的标签恢复到") {
		t.Fatalf("confirm: %s", out)
	}
	tags := d.Fake.CustomerTags("wmDemo0001", "zhangsan")
	if !contains(tags, tagID(t, d, "中意向")) || contains(tags, tagID(t, d, "高意向")) {
		t.Fatalf("WeCom after the rollback: %v", tags)
	}
}
