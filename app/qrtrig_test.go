package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/channel"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// TestEndToEndChannelQRCode: a manager creates a channel QR code
// (add_contact_way), a customer scans it (the add_external_contact
// callback with State and WelcomeCode, encrypted, through the real
// callback handler), and gets the welcome text (send_welcome_msg, sent
// before the customer is read from WeCom) and the channel's tags
// (mark_tag); a retried callback changes nothing; /qr counts the customer;
// /qr del removes the QR code (del_contact_way).
func TestEndToEndChannelQRCode(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	say(t, d, "/as lisi")
	out := say(t, d, `/qr 618活动 +高意向 +抖音 @zhangsan welcome "欢迎！618 优惠请看置顶"`)
	mustContain(t, "/qr reply", out, "已创建渠道「618活动」", "高意向、抖音", "https://wework.qpic.cn/")
	ways := d.Fake.ContactWays()
	want := wecomtest.ContactWayInfo{Type: 1, Scene: 2, State: channel.StateOf("618活动"), Users: []string{"zhangsan"}}
	if len(ways) != 1 || ways[0].Type != want.Type || ways[0].Scene != want.Scene || ways[0].State != want.State || !slices.Equal(ways[0].Users, want.Users) {
		t.Fatalf("contact ways = %+v, want one like %+v", ways, want)
	}

	xml, err := d.Fake.ScanContactWay(ways[0].ConfigID, "wmScan0001", "扫码客户")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.deliver(ctx, xml); err != nil {
		t.Fatal(err)
	}
	welcomes := d.Fake.Welcomes()
	if len(welcomes) != 1 || welcomes[0].Text != "欢迎！618 优惠请看置顶" || welcomes[0].ExternalUserID != "wmScan0001" {
		t.Fatalf("welcomes = %+v, want the channel's text to wmScan0001", welcomes)
	}
	if order := callOrder(d, "externalcontact/send_welcome_msg", "externalcontact/get"); order >= 0 {
		t.Fatalf("send_welcome_msg came after externalcontact/get: the 20-second code waited for a WeCom read")
	}
	var marks []markTagBody
	for _, c := range markTagCalls(t, d) {
		if c.ExternalUserID == "wmScan0001" {
			marks = append(marks, c)
		}
	}
	wantTags := []string{tagID(t, d, "高意向"), tagID(t, d, "抖音")}
	slices.Sort(wantTags)
	if len(marks) != 1 || marks[0].UserID != "zhangsan" || !slices.Equal(sorted(marks[0].AddTag), wantTags) {
		t.Fatalf("mark_tag for the new customer = %+v, want one adding %v as zhangsan", marks, wantTags)
	}
	hist, err := d.Main.Store.History(store.Query{Customer: "wmScan0001", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) == 0 || hist[0].Source != store.SourceChannel || !strings.Contains(hist[0].Reason, "渠道「618活动」") {
		t.Fatalf("newest change-set of the customer = %+v, want source channel naming 618活动", hist)
	}

	// WeCom retries the callback: no second welcome, no second change.
	if _, err := d.deliver(ctx, xml); err != nil {
		t.Fatal(err)
	}
	if n := len(d.Fake.Welcomes()); n != 1 {
		t.Fatalf("%d welcomes after a retried callback, want 1", n)
	}
	again, _ := d.Main.Store.History(store.Query{Customer: "wmScan0001", Limit: 10})
	if len(again) != len(hist) {
		t.Fatalf("a retried callback wrote %d change-sets", len(again)-len(hist))
	}

	out = say(t, d, "/qr")
	mustContain(t, "/qr list", out, "618活动", "带来 1 位客户")
	out = say(t, d, "/stats channels")
	mustContain(t, "/stats channels", out, "618活动：1 位")
	out = say(t, d, "/qr del 618活动")
	mustContain(t, "/qr del", out, "已删除渠道「618活动」")
	if ways := d.Fake.ContactWays(); !ways[0].Deleted {
		t.Fatalf("contact way not deleted on WeCom: %+v", ways[0])
	}
	if err := d.Main.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestChannelCountsCustomersFromBeforeTagbot: customers who scanned while
// tagbot did not hear of it (or before it ran) are counted once a full
// sync has recorded their relationship's state.
func TestChannelCountsCustomersFromBeforeTagbot(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as lisi")
	say(t, d, "/qr 展会码 +展会")
	d.Fake.AddCustomer(wecomtest.Customer{ExternalUserID: "wmOld0001", Name: "老客户",
		Follows: []wecomtest.Follow{{UserID: "lisi", State: channel.StateOf("展会码"), CreateTime: 1767225600}}})
	if _, err := d.Main.Syncer.FullSync(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := say(t, d, "/qr")
	mustContain(t, "/qr list after a sync", out, "展会码", "带来 1 位客户，最近一位 01-01 08:00")
}

func TestChannelCommandRefusals(t *testing.T) {
	d := startSampleDemo(t)
	tests := []struct{ as, line, want string }{
		{"zhangsan", "/qr 某渠道 +展会", "主管"},
		{"lisi", "/qr 某渠道", "请写扫码客户要打的标签"},
		{"lisi", "/qr 某渠道 +不存在的标签", "没有标签「不存在的标签」"},
		{"lisi", "/qr 某渠道 +高意向 +低意向", "意向程度"},
		{"lisi", "/qr del 没有的渠道", "没有渠道「没有的渠道」"},
		{"lisi", `/qr 某渠道 +展会 welcome ""`, "欢迎语是空的"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			say(t, d, "/as "+tc.as)
			mustContain(t, tc.line, say(t, d, tc.line), tc.want)
			if n := len(d.Fake.ContactWays()); n != 0 {
				t.Fatalf("a refused /qr made %d contact ways", n)
			}
		})
	}
}

// callOrder compares the first calls to two API paths: negative when a
// came first (or b never), positive when b came first.
func callOrder(d *DemoBot, a, b string) int {
	for _, c := range d.Fake.Calls() {
		switch c.Path {
		case a:
			return -1
		case b:
			return 1
		}
	}
	return 0
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// startSampleDemo is startDemo with the sample group policies (意向程度
// and 客户等级 exclusive, VIP protected) and triggers of config.yaml.
func startSampleDemo(t *testing.T) *DemoBot {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups, cfg.Triggers = config.SampleGroups(), config.SampleTriggers()
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestEndToEndTriggers: with config.yaml's sample triggers, 已成交 takes
// 已报价 off (both reach WeCom) and /undo of it puts 已报价 back in the
// same undo; 高意向 tells the managers, naming the customer.
func TestEndToEndTriggers(t *testing.T) {
	d := startSampleDemo(t)
	say(t, d, "/as lisi")
	quote, deal := tagID(t, d, "已报价"), tagID(t, d, "已成交")
	out := say(t, d, "/tag 陈静 +已成交")
	mustContain(t, "/tag reply", out, "已成交")
	if tags := d.Fake.CustomerTags("wmDemo0006", "lisi"); !contains(tags, deal) || contains(tags, quote) {
		t.Fatalf("WeCom tags after +已成交 = %v, want 已成交 without 已报价", tags)
	}
	hist, err := d.Main.Store.History(store.Query{Customer: "wmDemo0006", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) < 2 || hist[0].Source != store.SourceTrigger || hist[0].Cause != hist[1].ID || !strings.Contains(hist[0].Reason, "触发器「成交去掉报价」") {
		t.Fatalf("newest change-sets = %+v, want the trigger's, caused by the /tag", hist)
	}
	out = say(t, d, "/undo")
	mustContain(t, "/undo reply", out, "已撤销", "连同标签触发器因它做的 1 项变更")
	if tags := d.Fake.CustomerTags("wmDemo0006", "lisi"); contains(tags, deal) || !contains(tags, quote) {
		t.Fatalf("WeCom tags after /undo = %v, want 已报价 back and 已成交 gone", tags)
	}

	say(t, d, "/as zhangsan")
	before := len(d.Fake.Messages())
	say(t, d, "/tag 李华 +高意向")
	var toLisi []string
	for _, m := range d.Fake.Messages()[before:] {
		if m.ToUser == "lisi" {
			toLisi = append(toLisi, m.Text)
		}
	}
	if len(toLisi) != 1 || !strings.Contains(toLisi[0], "李华") || !strings.Contains(toLisi[0], "高意向告诉主管") {
		t.Fatalf("messages to the manager lisi = %q, want one notice naming 李华 and the trigger", toLisi)
	}
	if err := d.Main.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

// startTriggerDemo is startDemo with the given group policies and triggers.
func startTriggerDemo(t *testing.T, groups map[string]config.GroupPolicy, triggers []config.Trigger) *DemoBot {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups, cfg.Triggers = groups, triggers
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestEndToEndUndoOfChangeTriggerReversed: a trigger takes back the tag
// that fired it; /undo of the /tag leaves the customer as before it
// (without the tag), /redo as after it (without it too), both in tagbot
// and in WeCom.
func TestEndToEndUndoOfChangeTriggerReversed(t *testing.T) {
	d := startTriggerDemo(t, nil, []config.Trigger{{Name: "A", OnAdd: []string{"初次接触"}, Remove: []string{"初次接触"}}})
	first := tagID(t, d, "初次接触")
	has := func(step string) {
		t.Helper()
		rel, err := d.Main.Store.Relationship("wmDemo0002", "zhangsan")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rel.Tags[first]; ok {
			t.Fatalf("after %s 李华 has 初次接触 in tagbot, want it absent as before the /tag", step)
		}
		if contains(d.Fake.CustomerTags("wmDemo0002", "zhangsan"), first) {
			t.Fatalf("after %s 李华 has 初次接触 in WeCom, want it absent", step)
		}
	}
	say(t, d, "/tag 李华 +初次接触")
	has("/tag")
	mustContain(t, "/undo reply", say(t, d, "/undo"), "已撤销")
	has("/undo")
	mustContain(t, "/redo reply", say(t, d, "/redo"), "已重做")
	has("/redo")
	if err := d.Main.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestTriggerLoopThroughExclusiveGroupRefusedAtStart: T1 adds 高意向,
// which takes 中意向 off (意向程度 is exclusive), which fires T2, which
// adds 中意向 back, which fires T1… — the bot refuses to start, naming
// the loop, instead of writing flip-flops up to the depth limit.
func TestTriggerLoopThroughExclusiveGroupRefusedAtStart(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups = config.SampleGroups()
	cfg.Triggers = []config.Trigger{
		{Name: "T1", OnAdd: []string{"中意向"}, Add: []string{"高意向"}},
		{Name: "T2", OnRemove: []string{"中意向"}, Add: []string{"中意向"}},
	}
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err == nil {
		d.Close()
		t.Fatal("started with triggers that loop through the exclusive group 意向程度")
	}
	if !strings.Contains(err.Error(), `"T1" → "T2" → "T1"`) {
		t.Fatalf("err = %v, want it to name the loop T1 → T2 → T1", err)
	}
}

// TestGroupMaxInTriggersAndChannels: with 关注产品 max 2, a trigger's add
// that would pass it is skipped and its change-set says why; /qr refuses
// a channel whose tags alone pass it (naming the group and its max, not a
// customer); a scan of a channel whose tags fire that trigger stays
// within max too.
func TestGroupMaxInTriggersAndChannels(t *testing.T) {
	groups := map[string]config.GroupPolicy{"关注产品": {Max: 2}}
	d := startTriggerDemo(t, groups, []config.Trigger{{Name: "成交加产品", OnAdd: []string{"已成交"}, Add: []string{"化妆品", "3C数码"}}})
	inGroup := func(customer, follower string) []string {
		t.Helper()
		rel, err := d.Main.Store.Relationship(customer, follower)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, id := range rel.TagIDs() {
			if tg, err := d.Main.Store.Tag(id); err == nil && tg.GroupName == "关注产品" {
				out = append(out, tg.Name)
			}
		}
		return sorted(out)
	}

	say(t, d, "/as zhaoliu")
	say(t, d, "/tag 刘洋 +已成交")
	if got, want := inGroup("wmDemo0005", "zhaoliu"), []string{"化妆品", "母婴"}; !slices.Equal(got, want) {
		t.Fatalf("刘洋's 关注产品 after the trigger = %v, want %v (3C数码 skipped at max 2)", got, want)
	}
	hist, err := d.Main.Store.History(store.Query{Customer: "wmDemo0005", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Source != store.SourceTrigger || !strings.Contains(hist[0].Reason, "未加「3C数码」：标签组「关注产品」最多 2 个") {
		t.Fatalf("trigger change-set = %+v, want its reason to name the skipped 3C数码 and the max", hist)
	}

	say(t, d, "/as lisi")
	out := say(t, d, "/qr 三件 +化妆品 +3C数码 +母婴")
	mustContain(t, "/qr over max", out, "标签组「关注产品」每位客户最多 2 个", "请去掉 1 个")
	if strings.Contains(out, "客户现在") || strings.Contains(out, "/untag") || len(d.Fake.ContactWays()) != 0 {
		t.Fatalf("/qr over max answered %q with %d contact ways; want a refusal about the channel, none made", out, len(d.Fake.ContactWays()))
	}

	mustContain(t, "/qr", say(t, d, "/qr 成交 +已成交 +母婴"), "已创建渠道「成交」")
	if _, err := d.consoleScan(context.Background(), "成交", "新客户"); err != nil {
		t.Fatal(err)
	}
	ch, err := d.Main.Store.Channel("成交")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inGroup(fmt.Sprintf("wmScan%04d", d.seq), ch.Followers[0]), []string{"化妆品", "母婴"}; !slices.Equal(got, want) {
		t.Fatalf("scanned customer's 关注产品 = %v, want %v", got, want)
	}
}

// TestTriggerNoticeKeepsHiddenGroupsHidden: 消费特征 is visible to the
// managers only; a trigger notifying the follower and the managers of
// +价格敏感型 tells the manager lisi and not the follower zhangsan.
func TestTriggerNoticeKeepsHiddenGroupsHidden(t *testing.T) {
	groups := map[string]config.GroupPolicy{"消费特征": {VisibleTo: []string{config.EditorManagers}}}
	d := startTriggerDemo(t, groups, []config.Trigger{{Name: "价格提醒", OnAdd: []string{"价格敏感型"},
		Notify: []string{config.NotifyFollower, config.EditorManagers}}})
	say(t, d, "/as lisi")
	before := len(d.Fake.Messages())
	out := say(t, d, "/tag 李华 +价格敏感型 @zhangsan")
	mustContain(t, "/tag reply", out, "价格敏感型")
	var got []string
	for _, m := range d.Fake.Messages()[before:] {
		if strings.Contains(m.Text, "价格敏感型") && strings.Contains(m.Text, "价格提醒") {
			got = append(got, m.ToUser)
		}
	}
	if want := []string{"lisi"}; !slices.Equal(sorted(got), want) {
		t.Fatalf("notice sent to %v, want %v (zhangsan may not see 消费特征)", got, want)
	}
}

// TestChannelListKeepsHiddenGroupsHidden: /qr lists a channel's tags
// without those of a group the reader may not see (visible_to); the
// admin who made it sees them all.
func TestChannelListKeepsHiddenGroupsHidden(t *testing.T) {
	d := startTriggerDemo(t, map[string]config.GroupPolicy{"消费特征": {VisibleTo: []string{config.EditorAdmins}}}, nil)
	say(t, d, "/as wangwu")
	mustContain(t, "/qr create", say(t, d, "/qr 会员日 +价格敏感型 +高意向"), "已创建渠道「会员日」")
	mustContain(t, "/qr as the admin", say(t, d, "/qr"), "价格敏感型、高意向")
	say(t, d, "/as lisi")
	out := say(t, d, "/qr")
	mustContain(t, "/qr as the manager lisi", out, "会员日：高意向；")
	if strings.Contains(out, "价格敏感型") {
		t.Fatalf("/qr names 价格敏感型 to lisi, who may not see 消费特征:\n%s", out)
	}
	out = say(t, d, "/stats channels")
	mustContain(t, "/stats channels as the manager lisi", out, "会员日：0 位（标签 高意向）")
	if strings.Contains(out, "价格敏感型") {
		t.Fatalf("/stats channels names 价格敏感型 to lisi, who may not see 消费特征:\n%s", out)
	}
}
