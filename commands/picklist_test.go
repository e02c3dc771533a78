package commands

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// TestPickListNeverStale: any reply that shows customers replaces or
// clears the user's numbered list, and a #N picked from a list shown
// before the previous message says which list it came from.
func TestPickListNeverStale(t *testing.T) {
	type step struct {
		cmd, want, not string
		advance        bool   // advance the clock past PickTTL first
		click          string // click this button of the last card shown instead of sending cmd
	}
	type row struct {
		name  string
		user  string // zhangsan when empty
		steps []step
		tags  map[string][]string // "c1/zhangsan" → tag names afterwards
	}
	const stale = "#编号已失效：你之后发的 "
	rows := []row{
		{name: "find numbered, find colleagues' only, pick", steps: []step{
			{cmd: "/find 138", want: "找到 1 位客户（第 1 页）：\n1. 王小明"},
			{cmd: "/find 孙", want: "你跟进的客户里没有「孙」。同事跟进的客户里有 1 位"},
			{cmd: "/tag #1 +高意向", want: stale + "/find 孙 显示了别的客户，没有编号。为免选错客户，请重新 /find，或直接写客户名。"},
		}, tags: map[string][]string{"c1/zhangsan": nil, "c5/lisi": nil}},
		{name: "find, find nothing, pick", steps: []step{
			{cmd: "/find 138", want: "1. 王小明"},
			{cmd: "/find 火星人", want: "没有找到「火星人」"},
			{cmd: "/tag #1 +高意向", want: stale + "/find 火星人 显示了别的客户"},
		}, tags: map[string][]string{"c1/zhangsan": nil}},
		{name: "find, tags by name, pick", steps: []step{
			{cmd: "/find 138", want: "1. 王小明"},
			{cmd: "/tags 王小红", want: "王小红 的标签："},
			{cmd: "/tag #1 +高意向", want: stale + "/tags 王小红 显示了别的客户"},
		}, tags: map[string][]string{"c1/zhangsan": nil, "c2/zhangsan": nil}},
		{name: "find, own history, pick", steps: []step{
			{cmd: "/tag 王小红 +咖啡", want: "已为 王小红"},
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/history", want: "你做的变更（新的在前）"},
			{cmd: "/tag #1 +高意向", want: stale + "/history 显示了别的客户"},
		}, tags: map[string][]string{"c1/zhangsan": nil, "c2/zhangsan": {"咖啡"}}},
		{name: "find, undo, pick", steps: []step{
			{cmd: "/tag 王小红 +咖啡", want: "已为 王小红"},
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/undo", want: "已撤销 #"},
			{cmd: "/tag #1 +高意向", want: stale + "/undo 显示了别的客户"},
		}, tags: map[string][]string{"c1/zhangsan": nil, "c2/zhangsan": nil}},
		{name: "history of a picked customer keeps the list", steps: []step{
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/history #2", want: "没有找到记录（王小红"},
			{cmd: "/tag #2 +咖啡", want: "已为 王小红 添加「咖啡」（变更 #1，/undo 可撤销）\n（#2 取自 /find 王 的列表：王小红）"},
		}, tags: map[string][]string{"c2/zhangsan": {"咖啡"}}},
		{name: "tags with several matches, bare pick, pick again", steps: []step{
			{cmd: "/tags 王", want: "找到 3 位客户"},
			{cmd: "#2", want: "王小红 的标签：", not: "取自"},
			{cmd: "/tag #3 +咖啡", want: "已为 王大明 添加「咖啡」（变更 #1，/undo 可撤销）\n（#3 取自 /tags 王 的列表：王大明）"},
		}, tags: map[string][]string{"c4/zhangsan": {"咖啡"}, "c2/zhangsan": nil}},
		{name: "a new list replaces the old one", steps: []step{
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/find 138", want: "找到 1 位客户"},
			{cmd: "/tag #2 +咖啡", want: "#2 不在列表里（/find 138 的列表），请用 #1 到 #1。"},
			{cmd: "/tag #1 +咖啡", want: "已为 王小明 添加「咖啡」（变更 #1，/undo 可撤销）\n（#1 取自 /find 138 的列表：王小明）"},
		}, tags: map[string][]string{"c1/zhangsan": {"咖啡"}, "c2/zhangsan": nil}},
		{name: "pick right after the list needs no note", steps: []step{
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/tag #3 +咖啡", want: "已为 王大明 添加「咖啡」", not: "取自"},
		}, tags: map[string][]string{"c4/zhangsan": {"咖啡"}}},
		{name: "replies without customers keep the list", steps: []step{
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/groups", want: "标签库："},
			{cmd: "/whoami", want: "角色：员工"},
			{cmd: "/tag #2 +咖啡", want: "已为 王小红 添加「咖啡」（变更 #1，/undo 可撤销）\n（#2 取自 /find 王 的列表：王小红）"},
		}, tags: map[string][]string{"c2/zhangsan": {"咖啡"}}},
		{name: "find, card confirm, pick", user: "mgr", steps: []step{
			{cmd: "/tag 王小明 +咖啡 @zhangsan", want: "已为 王小明"},
			{cmd: "/rollback 王小明 15分钟前 @zhangsan", advance: true, want: "发送 /confirm 执行"},
			{cmd: "/find 王", want: "找到 3 位客户"},
			{click: KeyConfirm, want: "已把 王小明"},
			{cmd: "/tags #2", want: stale + "/confirm 显示了别的客户"},
		}, tags: map[string][]string{"c1/zhangsan": nil}},
		{name: "find, card cancel, pick", user: "mgr", steps: []step{
			{cmd: "/tag 王小明 +咖啡 @zhangsan", want: "已为 王小明"},
			{cmd: "/rollback 王小明 15分钟前 @zhangsan", advance: true, want: "发送 /confirm 执行"},
			{cmd: "/find 王", want: "找到 3 位客户"},
			{click: KeyCancel, want: "已取消「回滚 王小明"},
			{cmd: "#2", want: stale + "/cancel 显示了别的客户"},
		}, tags: map[string][]string{"c1/zhangsan": {"咖啡"}}},
		{name: "protected tag refused before the list", steps: []step{
			{cmd: "/find 138", want: "1. 王小明"},
			{cmd: "/tag 王 +VIP", want: "你没有权限修改「VIP」：受保护标签只有主管可以修改。", not: "找到"},
			{cmd: "#1", want: stale},
		}, tags: map[string][]string{"c1/zhangsan": nil}},
		{name: "allowed tag still asks which customer", steps: []step{
			{cmd: "/tag 王 +高意向", want: "找到 3 位客户"},
			{cmd: "#2", want: "已为 王小红 添加「高意向」"},
		}, tags: map[string][]string{"c2/zhangsan": {"高意向"}}},
		{name: "expiry", steps: []step{
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/tag #1 +咖啡", advance: true, want: "没有可以用 # 选择的列表（列表 10 分钟后失效）"},
		}, tags: map[string][]string{"c1/zhangsan": nil}},
		{name: "a cleared list expires like a list", steps: []step{
			{cmd: "/find 王", want: "找到 3 位客户"},
			{cmd: "/find 孙", want: "同事跟进的客户里有 1 位"},
			{cmd: "#1", advance: true, want: "没有可以用 # 选择的列表"},
		}},
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if err := e.st.UpsertCustomer(store.Customer{ID: "c5", Name: "孙丽"}, []store.FollowInfo{{Follower: "lisi"}}); err != nil {
				t.Fatal(err)
			}
			user := cmp.Or(tc.user, "zhangsan")
			task := ""
			for i, s := range tc.steps {
				if s.advance {
					e.clk.Advance(PickTTL + 1)
				}
				var rs []Reply
				if s.click != "" {
					rs = e.r.HandleCard(context.Background(), user, CardEvent{TaskID: task, EventKey: s.click})
				} else {
					rs = e.r.HandleText(context.Background(), user, s.cmd)
				}
				for _, r := range rs {
					if r.Card != nil {
						task = r.Card.TaskID
					}
				}
				got := joinReplies(rs)
				if !strings.Contains(got, s.want) || (s.not != "" && strings.Contains(got, s.not)) {
					t.Fatalf("step %d %q:\nreply: %s\nwant substring %q, not %q", i, s.cmd, got, s.want, s.not)
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

// TestPickListsPerUser: one user's reply never clears another's list.
func TestPickListsPerUser(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/find 王", "找到 3 位客户")
	e.mustSay("lisi", "/find 赵", "1. 赵敏")
	e.mustSay("lisi", "/tags 王小明", "王小明")
	got := e.mustSay("zhangsan", "/tag #2 +咖啡", "已为 王小红 添加「咖啡」")
	if strings.Contains(got, "取自") {
		t.Fatalf("another user's messages made the pick doubtful: %s", got)
	}
	e.mustSay("lisi", "/tag #1 +咖啡", fmt.Sprintf("%s/tags 王小明 显示了别的客户", "#编号已失效：你之后发的 "))
}
