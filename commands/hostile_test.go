package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// forged is a line a hostile name tries to make look like a confirmation.
const forged = "已为 王小明 添加「VIP」（变更 #99，/undo 可撤销）"

// hostileNames are names that try to be layout; each starts with 恶意.
var hostileNames = map[string]string{
	"fake_confirmation": "恶意\n" + forged,
	"crlf":              "恶意\r\n" + forged + "\r",
	"bidi":              "恶意\u202e99# 更变\u2066甲\u2067乙\u2068丙\u2069",
	"zero_width":        "恶意\u200b\u200c\u200d\u200e\u200f\ufeff王",
	"controls":          "恶意\x00\x07\x1b[2J\x7f\u0080\u0085\u009b王",
	"combining":         "恶意" + strings.Repeat("\u0301\u0336\u20dd", 100) + "王",
	"huge":              "恶意" + strings.Repeat("长", 10*1024),
}

// hostileEnv adds to newEnv customers c9 (mobile 13900000099, followed by
// zhangsan and lisi) and c10 (13900000100, zhangsan) named name, with
// name as remark and company too; tag t20 named name in 兴趣, and tag t21
// 恶意标签 in a group named name.
func hostileEnv(t *testing.T, name string) *env {
	t.Helper()
	e := newEnv(t)
	lib := testLibrary
	lib.Groups = append(slices.Clone(lib.Groups), store.Group{ID: "g6", Name: name})
	lib.Tags = append(slices.Clone(lib.Tags),
		store.Tag{ID: "t20", GroupID: "g5", GroupName: "兴趣", Name: name},
		store.Tag{ID: "t21", GroupID: "g6", GroupName: name, Name: "恶意标签"})
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, mobile string
		f          []string
	}{{"c9", "13900000099", []string{"zhangsan", "lisi"}}, {"c10", "13900000100", []string{"zhangsan"}}} {
		var fi []store.FollowInfo
		for _, f := range c.f {
			fi = append(fi, store.FollowInfo{Follower: f, Remark: name, Mobiles: []string{c.mobile}})
		}
		if err := e.st.UpsertCustomer(store.Customer{ID: c.id, Name: name, CorpName: name}, fi); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// deleteTag removes tag id from the library as a WeCom sync would.
func deleteTag(t *testing.T, e *env, id string) {
	t.Helper()
	lib, err := e.st.Tags(false)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := e.st.Groups()
	if err != nil {
		t.Fatal(err)
	}
	lib = slices.DeleteFunc(lib, func(t store.Tag) bool { return t.ID == id })
	if _, err := e.st.PutLibrary(store.Library{Groups: groups, Tags: lib}, "sync"); err != nil {
		t.Fatal(err)
	}
}

// checkShown fails unless every reply keeps names as data: no forbidden
// rune, no line that starts like the forged confirmation, each text one
// WeCom message at most, card fields on one line each.
func checkShown(t *testing.T, replies []Reply) {
	t.Helper()
	for i, r := range replies {
		if got := display.Reply(r.Text); got != r.Text {
			t.Errorf("reply %d keeps forbidden runes: %q", i, r.Text)
		}
		if len(r.Text) > 2048 {
			t.Errorf("reply %d is %d bytes, more than one message", i, len(r.Text))
		}
		for _, line := range strings.Split(r.Text, "\n") {
			if strings.HasPrefix(line, forged[:len("已为 王小明 添加「VIP」")]) {
				t.Errorf("reply %d has a forged line: %q", i, line)
			}
		}
		if c := r.Card; c != nil {
			for _, f := range append([]string{c.Title, c.Desc}, c.Lines...) {
				if display.Line(f, len(f)+1) != f {
					t.Errorf("reply %d: card field is not one clean line: %q", i, f)
				}
			}
		}
	}
}

// TestHostileNamesInEveryReply shows customers, remarks, companies, tags
// and groups named to forge layout in every kind of reply.
func TestHostileNamesInEveryReply(t *testing.T) {
	type row struct {
		name  string
		user  string
		setup func(e *env) string // returns text substituted for {id}
		cmds  []string            // sent in order; the last reply is checked against want
		want  string
	}
	tagged := func(ids ...string) func(e *env) string {
		return func(e *env) string { return e.apply("zhangsan", "c9", "zhangsan", ids...).ID.String() }
	}
	rows := []row{
		{name: "tags", user: "zhangsan", setup: tagged("t20", "t21", "t3"), cmds: []string{"/tags 13900000099"}, want: " 的标签："},
		{name: "tags_manager", user: "mgr", setup: tagged("t20"), cmds: []string{"/tags 13900000099"}, want: "跟进人 zhangsan："},
		{name: "tag_confirmation", user: "zhangsan", cmds: []string{"/tag 13900000099 +高意向"}, want: "已为 恶意"},
		{name: "tag_manager_two_followers", user: "mgr", cmds: []string{"/tag 13900000099 +高意向"}, want: "有 2 位跟进人"},
		{name: "tag_no_change", user: "zhangsan", setup: tagged("t3"), cmds: []string{"/tag 13900000099 +高意向"}, want: "没有变化"},
		{name: "tag_exclusive", user: "zhangsan", cmds: []string{"/tag 13900000099 +高意向 +低意向"}, want: "只能选一个"},
		{name: "tag_denied", user: "wangwu", cmds: []string{"/tag c9 +高意向"}, want: "你不是这位客户的跟进人"},
		{name: "tag_mention_not_follower", user: "mgr", cmds: []string{"/tag 13900000099 +高意向 @\"x\u202ey\u200bz\""}, want: "不是 恶意"},
		{name: "find", user: "zhangsan", cmds: []string{"/find 1390000"}, want: "找到 2 位客户"},
		{name: "find_others", user: "wangwu", cmds: []string{"/find 恶意"}, want: "同事跟进的客户里有 2 位"},
		{name: "find_by_tag", user: "mgr", setup: tagged("t3"), cmds: []string{"/find tag:高意向"}, want: "有「高意向」的客户"},
		{name: "pick_list", user: "zhangsan", cmds: []string{"/tag 1390000 +高意向"}, want: "请用 #2 这样的编号指定"},
		{name: "pick_list_chosen", user: "zhangsan", cmds: []string{"/tag 1390000 +高意向", "#1"}, want: "已为 恶意"},
		{name: "history_customer", user: "zhangsan", setup: tagged("t20", "t21"), cmds: []string{"/history 13900000099"}, want: "（新的在前）"},
		{name: "history_own", user: "zhangsan", setup: tagged("t20"), cmds: []string{"/history"}, want: "你做的变更（新的在前）"},
		{name: "history_tag", user: "mgr", setup: tagged("t21"), cmds: []string{"/history tag:恶意标签"}, want: "标签「恶意标签」"},
		{name: "history_not_follower", user: "lisi", cmds: []string{"/history c10"}, want: "你不能查看"},
		{name: "undo", user: "zhangsan", setup: tagged("t20", "t21"), cmds: []string{"/undo"}, want: "已撤销 #"},
		{name: "undo_denied", user: "lisi", setup: func(e *env) string { return e.apply("zhangsan", "c9", "lisi", "t20").ID.String() }, cmds: []string{"/undo {id}"}, want: "你只能撤销自己的变更"},
		{name: "undo_conflict_card", user: "mgr", setup: func(e *env) string {
			id := e.apply("zhangsan", "c9", "zhangsan", "t20").ID
			e.apply("boss", "c9", "zhangsan", "-t20")
			return id.String()
		}, cmds: []string{"/undo {id}"}, want: "无法直接撤销"},
		{name: "redo", user: "zhangsan", setup: tagged("t20"), cmds: []string{"/undo", "/redo"}, want: "已重做"},
		{name: "rollback_proposal", user: "mgr", setup: func(e *env) string {
			e.clk.Advance(2 * time.Hour)
			return tagged("t20", "t21")(e)
		}, cmds: []string{"/rollback 13900000099 1小时前"}, want: "发送 /confirm 执行"},
		{name: "proposal_replaced", user: "mgr", setup: func(e *env) string {
			e.clk.Advance(2 * time.Hour)
			return tagged("t20", "t21")(e)
		}, cmds: []string{"/rollback 13900000099 1小时前 @zhangsan", "/rollback 13900000099 2小时前 @zhangsan"}, want: "之前等待确认的「"},
		{name: "rollback_confirmed", user: "mgr", setup: func(e *env) string {
			e.clk.Advance(2 * time.Hour)
			return tagged("t20", "t21")(e)
		}, cmds: []string{"/rollback 13900000099 1小时前 @zhangsan", "/confirm"}, want: "已把 恶意"},
		{name: "restore", user: "boss", setup: func(e *env) string {
			tagged("t21")(e)
			lib, err := e.st.Tags(false)
			if err != nil {
				t.Fatal(err)
			}
			groups, err := e.st.Groups()
			if err != nil {
				t.Fatal(err)
			}
			lib = slices.DeleteFunc(lib, func(t store.Tag) bool { return t.ID == "t21" })
			if _, err := e.st.PutLibrary(store.Library{Groups: groups, Tags: lib}, "sync"); err != nil {
				t.Fatal(err)
			}
			return ""
		}, cmds: []string{"/restore tag 恶意标签"}, want: "已恢复标签「恶意标签」"},
		{name: "did_you_mean_tag", user: "zhangsan", cmds: []string{"/tag 13900000099 +恶意"}, want: "没有标签「恶意」"},
		{name: "groups", user: "zhangsan", cmds: []string{"/groups"}, want: "【兴趣】"},
		{name: "echo_not_found", user: "zhangsan", cmds: []string{"/tags \"无此人\n" + forged + "\u202e\""}, want: "没有找到客户「无此人"},
		{name: "echo_unknown_command", user: "zhangsan", cmds: []string{"/\u202e恶意\u200b\n" + forged}, want: "没有这个命令"},
		{name: "echo_bad_token", user: "zhangsan", cmds: []string{"/tags 13900000099 \"x\n" + forged + "\""}, want: "看不懂「\"x"},
		{name: "echo_untag_fix", user: "zhangsan", cmds: []string{"/untag 13900000099 +\"a\u202eb\n" + forged + "\""}, want: "/untag 只删除标签"},
		{name: "whoami", user: "zhangsan", cmds: []string{"/whoami"}, want: "角色：员工"},
		// Hints never repeat a name that is not typed as shown: the id, or the #N picked.
		{name: "tags_hint_id", user: "zhangsan", cmds: []string{"/tags 13900000099"}, want: "改标签：/tag c9 +标签；看记录：/history c9"},
		{name: "tags_hint_pick", user: "zhangsan", cmds: []string{"/find 1390000", "/tags #1"}, want: "改标签：/tag #1 +标签；看记录：/history #1"},
		{name: "tag_no_change_hint", user: "zhangsan", setup: tagged("t3"), cmds: []string{"/tag 13900000099 +高意向"}, want: "发送 /tags c9 查看现在的标签"},
		{name: "tag_exclusive_hint", user: "zhangsan", cmds: []string{"/tag 13900000099 +高意向 +低意向"}, want: "例如 /tag c9 +高意向"},
		{name: "undo_deleted_tag_hint", user: "zhangsan", setup: func(e *env) string {
			tagged("t20")(e)
			e.apply("zhangsan", "c9", "zhangsan", "-t20")
			deleteTag(t, e, "t20")
			return ""
		}, cmds: []string{"/undo"}, want: "管理员可以先 /restore tag t20。"},
		{name: "restore_by_id", user: "boss", setup: func(e *env) string {
			tagged("t20")(e)
			deleteTag(t, e, "t20")
			return ""
		}, cmds: []string{"/restore tag t20"}, want: "已恢复标签「恶意"},
	}
	for variant, hostile := range hostileNames {
		for _, tc := range rows {
			t.Run(variant+"/"+tc.name, func(t *testing.T) {
				e := hostileEnv(t, hostile)
				id := ""
				if tc.setup != nil {
					id = tc.setup(e)
				}
				var got []Reply
				for _, cmd := range tc.cmds {
					got = e.r.HandleText(context.Background(), tc.user, strings.ReplaceAll(cmd, "{id}", id))
					checkShown(t, got)
				}
				if text := joinReplies(got); !strings.Contains(text, tc.want) {
					t.Fatalf("reply to %q:\n%s\nwant substring %q", tc.cmds, text, tc.want)
				}
			})
		}
	}
}

// TestHostileCardClick runs a card click on a proposal about a hostile
// customer: the click's answer keeps names as data too.
func TestHostileCardClick(t *testing.T) {
	for variant, hostile := range hostileNames {
		for _, key := range []string{KeyConfirm, KeyCancel} {
			t.Run(fmt.Sprintf("%s/%s", variant, key), func(t *testing.T) {
				e := hostileEnv(t, hostile)
				e.clk.Advance(2 * time.Hour)
				e.apply("zhangsan", "c9", "zhangsan", "t20")
				rs := e.r.HandleText(context.Background(), "mgr", "/rollback 13900000099 1小时前 @zhangsan")
				var task string
				for _, r := range rs {
					if r.Card != nil {
						task = r.Card.TaskID
					}
				}
				if task == "" {
					t.Fatalf("no card in %s", joinReplies(rs))
				}
				got := e.r.HandleCard(context.Background(), "mgr", CardEvent{TaskID: task, EventKey: key})
				checkShown(t, got)
				if text := joinReplies(got); !strings.Contains(text, "恶意") {
					t.Fatalf("click answer does not name the customer: %s", text)
				}
			})
		}
	}
}

// TestLookAlikeNames: customers whose names differ only by an invisible
// character or past the length a reply shows, or not at all, are told
// apart in lists, confirmations and hints, and a hint never acts on
// another customer.
func TestLookAlikeNames(t *testing.T) {
	long := "中国广东省深圳市前海某某科技有限公司采购经理张伟先生华东区负责人"
	type row struct {
		name string
		cmds []string // sent in order by zhangsan
		want []string // substrings of the last reply
		tags map[string][]string
	}
	rows := []row{
		{name: "look-alike picked, hinted and tagged by #N", cmds: []string{"/find 13900000008", "/tags #1", "/tag #1 +高意向"},
			want: []string{"已为 李华⟨U+200B⟩ 添加「高意向」"}, tags: map[string][]string{"c20/zhangsan": nil, "c21/zhangsan": {"高意向"}}},
		{name: "look-alike tags hint", cmds: []string{"/find 13900000008", "/tags #1"},
			want: []string{"李华⟨U+200B⟩ 的标签", "改标签：/tag #1 +标签"}},
		{name: "real name hint by name", cmds: []string{"/tags 李华"}, want: []string{"李华 的标签", "改标签：/tag 李华 +标签"}},
		{name: "invisible input ignored", cmds: []string{"/tag 李\u200b华 +低意向\u202e"},
			want: []string{"已为 李华 添加「低意向」"}, tags: map[string][]string{"c20/zhangsan": {"低意向"}, "c21/zhangsan": nil}},
		{name: "long names stay distinct", cmds: []string{"/find 采购经理"},
			want: []string{"1. " + display.Name(long+"甲"), "2. " + display.Name(long+"乙")}},
		{name: "long name hint by id", cmds: []string{"/tags " + long + "甲"}, want: []string{"改标签：/tag c30 +标签"}},
		{name: "shared name confirmation", cmds: []string{"/tag 张伟 +高意向", "#2"},
			want: []string{"已为 张伟（乙公司） 添加「高意向」"}, tags: map[string][]string{"c41/zhangsan": {"高意向"}}},
		{name: "shared name pick note", cmds: []string{"/find 张伟", "/groups", "/tag #1 +高意向"},
			want: []string{"（#1 取自 /find 张伟 的列表：张伟（甲公司））"}},
		{name: "shared name no-change hint", cmds: []string{"/find 张伟", "/untag #1 咖啡"},
			want: []string{"张伟（甲公司） 本来就没有「咖啡」，没有变化。发送 /tags #1 查看"}},
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, c := range []struct{ id, name, corp, mobile string }{
				{"c20", "李华", "", ""}, {"c21", "李华\u200b", "", "13900000008"},
				{"c30", long + "甲", "", ""}, {"c31", long + "乙", "", ""},
				{"c40", "张伟", "甲公司", ""}, {"c41", "张伟", "乙公司", ""},
			} {
				f := store.FollowInfo{Follower: "zhangsan"}
				if c.mobile != "" {
					f.Mobiles = []string{c.mobile}
				}
				if err := e.st.UpsertCustomer(store.Customer{ID: c.id, Name: c.name, CorpName: c.corp}, []store.FollowInfo{f}); err != nil {
					t.Fatal(err)
				}
			}
			got := ""
			for _, cmd := range tc.cmds {
				got = e.say("zhangsan", cmd)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply to %q:\n%s\nwant substring %q", tc.cmds, got, w)
				}
			}
			for rel, want := range tc.tags {
				cust, fol, _ := strings.Cut(rel, "/")
				if got := e.tagNames(cust, fol); !slices.Equal(got, want) {
					t.Errorf("%s tags = %v, want %v", rel, got, want)
				}
			}
		})
	}
}
