package commands

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Ledger effects a command may have.
const (
	none    = "none"    // nothing written
	applied = "applied" // one or more effective change-sets
	denied  = "denied"  // a refused attempt recorded
)

// TestCommandRolePolicyTable runs every command as admin (boss), manager
// (mgr), employee follower (zhangsan) and employee non-follower (lisi on c2,
// wangwu), across the group policies of testConfig: exclusive 客户等级 with
// protected VIP, exclusive 意向程度, 渠道 editable by managers, 区域
// editable by zhangsan, 兴趣 open to all, and those of policyGroups:
// 婚姻状况 visible to zhangsan and department 7 (lisi) only, 爱好 at most
// 2 tags, 客户来源 required.
func TestCommandRolePolicyTable(t *testing.T) {
	type row struct {
		user, cmd string
		setup     func(e *env) store.ID // returns an id substituted for {id}
		want      string                // reply substring
		hide      string                // must not be in the reply
		effect    string                // none, applied or denied
		rel       string                // "c1/zhangsan": relationship to check
		tags      []string              // its tag names afterwards (sorted)
	}
	has := func(cust, fol string, ids ...string) func(e *env) store.ID {
		return func(e *env) store.ID { return e.apply("mgr", cust, fol, ids...).ID }
	}
	rows := []row{
		// /tag: relationship choice by role
		{user: "zhangsan", cmd: "/tag 王小明 +高意向", want: "已为 王小明 添加「高意向」（变更 #", effect: applied, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "zhangsan", cmd: "/打标签 王总 高意向 咖啡", want: "添加「高意向」「咖啡」", effect: applied, rel: "c1/zhangsan", tags: []string{"咖啡", "高意向"}},
		{user: "zhangsan", cmd: "/TAG 13800000001 +咖啡", want: "添加「咖啡」", effect: applied, rel: "c1/zhangsan", tags: []string{"咖啡"}},
		{user: "wangwu", cmd: "/tag 王小明 +高意向", want: "你不是这位客户的跟进人", effect: denied, rel: "c1/zhangsan"},
		{user: "lisi", cmd: "/tag 王小红 +高意向", want: "请联系跟进人 zhangsan 或主管", effect: denied, rel: "c2/zhangsan"},
		{user: "zhangsan", cmd: "/tag 王小明 +高意向 @lisi", want: "你只能改自己跟进关系上的标签（@lisi 是别人的）。去掉 @lisi 即可改你自己的。", effect: denied, rel: "c1/lisi"},
		{user: "wangwu", cmd: "/tag 王小明 +高意向 @lisi", want: "你不是这位客户的跟进人", effect: denied, rel: "c1/lisi"},
		{user: "mgr", cmd: "/tag 王小明 +高意向", want: "有 2 位跟进人：lisi、zhangsan。请加上 @跟进人", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/tag 王小明 +高意向 @lisi", want: "已为 王小明（跟进人 lisi）添加「高意向」", effect: applied, rel: "c1/lisi", tags: []string{"高意向"}},
		{user: "mgr", cmd: "/tag 王小红 +高意向", want: "（跟进人 zhangsan）添加「高意向」", effect: applied, rel: "c2/zhangsan", tags: []string{"高意向"}},
		{user: "boss", cmd: "/tag c3 +咖啡", want: "已为 赵敏（跟进人 lisi）添加「咖啡」", effect: applied, rel: "c3/lisi", tags: []string{"咖啡"}},
		{user: "mgr", cmd: "/tag 王小明 +高意向 @wangwu", want: "wangwu 不是 王小明 的跟进人", effect: none, rel: "c1/zhangsan"},
		// protected
		{user: "zhangsan", cmd: "/tag 王小明 +VIP", want: "你没有权限修改「VIP」：受保护标签只有主管可以修改。请联系主管。", effect: denied, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/tag 王小明 +VIP @zhangsan", want: "添加「VIP」", effect: applied, rel: "c1/zhangsan", tags: []string{"VIP"}},
		{user: "boss", cmd: "/tag 王小红 +VIP", want: "添加「VIP」", effect: applied, rel: "c2/zhangsan", tags: []string{"VIP"}},
		{user: "zhangsan", cmd: "/untag 王小明 VIP", setup: has("c1", "zhangsan", "t1"), want: "受保护标签", effect: denied, rel: "c1/zhangsan", tags: []string{"VIP"}},
		{user: "mgr", cmd: "/删标签 王小明 VIP @zhangsan", setup: has("c1", "zhangsan", "t1"), want: "移除「VIP」", effect: applied, rel: "c1/zhangsan"},
		// exclusive
		{user: "zhangsan", cmd: "/tag 王小明 +高意向", setup: has("c1", "zhangsan", "t4"), want: "添加「高意向」，移除「低意向」", effect: applied, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "zhangsan", cmd: "/tag 王小明 +高意向 +低意向", want: "只能选一个", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/tag 王小明 +普通", setup: has("c1", "zhangsan", "t1"), want: "加这个标签需要去掉「VIP」", effect: denied, rel: "c1/zhangsan", tags: []string{"VIP"}},
		{user: "mgr", cmd: "/tag 王小明 +普通 @zhangsan", setup: has("c1", "zhangsan", "t1"), want: "移除「VIP」", effect: applied, rel: "c1/zhangsan", tags: []string{"普通"}},
		{user: "zhangsan", cmd: "/tag 王小明 +咖啡 +保健品", setup: has("c1", "zhangsan", "t11"), want: "「保健品」 原本就有", effect: applied, rel: "c1/zhangsan", tags: []string{"保健品", "咖啡"}},
		// editable_by
		{user: "zhangsan", cmd: "/tag 王小明 +展会", want: "标签组「渠道」只有主管可以修改", effect: denied, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/tag 王小明 +展会 @zhangsan", want: "添加「展会」", effect: applied, rel: "c1/zhangsan", tags: []string{"展会"}},
		{user: "zhangsan", cmd: "/tag 王小明 +华东", want: "添加「华东」", effect: applied, rel: "c1/zhangsan", tags: []string{"华东"}},
		{user: "lisi", cmd: "/tag 王小明 +华东", want: "标签组「区域」只有zhangsan可以修改", effect: denied, rel: "c1/lisi"},
		{user: "mgr", cmd: "/tag 王小明 +华东 @lisi", want: "只有zhangsan可以修改", effect: denied, rel: "c1/lisi"},
		{user: "boss", cmd: "/tag 王小明 +华东 @lisi", want: "添加「华东」", effect: applied, rel: "c1/lisi", tags: []string{"华东"}},
		// no change, bad input
		{user: "zhangsan", cmd: "/tag 王小明 +高意向", setup: has("c1", "zhangsan", "t3"), want: "已经有「高意向」，没有变化", effect: none, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "zhangsan", cmd: "/untag 王小明 咖啡", want: "本来就没有「咖啡」", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/tag 王小明", want: "请写出客户和标签", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/tag 陈某 +高意向", want: "没有找到客户「陈某」", effect: none, rel: "c1/zhangsan"},
		// /tags
		{user: "zhangsan", cmd: "/tags 王小明", setup: has("c1", "zhangsan", "t3"), want: "意向程度：高意向（mgr ", effect: none, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "lisi", cmd: "/tags 王小红", want: "你不是这位客户的跟进人", effect: none, rel: "c2/zhangsan"},
		{user: "mgr", cmd: "/tags 王小明", setup: has("c1", "lisi", "t12"), want: "跟进人 lisi：\n兴趣：咖啡", effect: none, rel: "c1/lisi", tags: []string{"咖啡"}},
		// /undo, /redo
		{user: "zhangsan", cmd: "/undo", setup: func(e *env) store.ID { return e.apply("zhangsan", "c1", "zhangsan", "t3").ID }, want: "已撤销 #", effect: applied, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/undo {id}", setup: has("c1", "zhangsan", "t3"), want: "你只能撤销自己的变更；", effect: denied, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "mgr", cmd: "/undo {id}", setup: func(e *env) store.ID { return e.apply("zhangsan", "c1", "zhangsan", "t3").ID }, want: "已撤销", effect: applied, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/undo {id}", setup: func(e *env) store.ID { return e.apply("zhangsan", "c1", "zhangsan", "t1").ID }, want: "受保护标签", effect: denied, rel: "c1/zhangsan", tags: []string{"VIP"}},
		{user: "zhangsan", cmd: "/undo", want: "你还没有可以撤销的变更", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/redo", want: "没有可以重做的", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/undo 999", want: "没有变更 #999", effect: none, rel: "c1/zhangsan"},
		// /rollback, /confirm, /cancel (full flows in rollback_test.go)
		{user: "zhangsan", cmd: "/rollback 王小明 昨天", want: "/rollback 只有主管和管理员可以使用", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/rollback 王小明 1小时前", setup: has("c1", "zhangsan", "t3"), want: "发送 /confirm 执行", effect: none, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "mgr", cmd: "/rollback 王小明 1小时前", want: "没有可以恢复的变化", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/confirm", want: "没有等待确认的操作", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/cancel", want: "没有等待确认的操作", effect: none, rel: "c1/zhangsan"},
		// /restore
		{user: "zhangsan", cmd: "/restore tag 高意向", want: "只有管理员可以使用", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/restore tag 高意向", want: "只有管理员可以使用", effect: none, rel: "c1/zhangsan"},
		{user: "boss", cmd: "/restore tag 高意向", want: "「高意向」没有被删除", effect: none, rel: "c1/zhangsan"},
		// reading commands
		{user: "zhangsan", cmd: "/history @lisi", want: "员工只能查看自己做的变更", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/history @zhangsan", setup: func(e *env) store.ID { return e.apply("zhangsan", "c1", "zhangsan", "t3").ID }, want: "zhangsan +高意向 王小明 [command] #", effect: none, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "lisi", cmd: "/history 王小红", want: "你不是这位客户的跟进人", effect: none, rel: "c2/zhangsan"},
		{user: "zhangsan", cmd: "/find 王", want: "找到 3 位客户", effect: none, rel: "c1/zhangsan"},
		{user: "lisi", cmd: "/find 王", want: "找到 1 位客户", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/groups", want: "【客户等级】VIP🔒、普通（互斥：只能选一个；受保护：VIP）", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/whoami", want: "受保护标签 VIP（客户等级）只有主管可以修改", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/whoami", want: "标签组「区域」只有zhangsan可以修改", effect: none, rel: "c1/zhangsan"},
		{user: "boss", cmd: "/whoami", want: "角色：管理员", effect: none, rel: "c1/zhangsan"},
		// max: 爱好 at most 2
		{user: "zhangsan", cmd: "/tag 王小明 +跑步 +读书", want: "添加「跑步」「读书」", effect: applied, rel: "c1/zhangsan", tags: []string{"读书", "跑步"}},
		{user: "zhangsan", cmd: "/tag 王小明 +旅行", setup: has("c1", "zhangsan", "t15", "t16"), want: "标签组「爱好」最多选 2 个标签，这位客户现在已有「读书」「跑步」，不能再加。请先去掉一个再加，例如 /untag 王小明 读书", effect: none, rel: "c1/zhangsan", tags: []string{"读书", "跑步"}},
		{user: "zhangsan", cmd: "/tag 王小明 +跑步 +读书 +旅行", want: "最多选 2 个标签", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/tag 王小明 +旅行 -跑步", setup: has("c1", "zhangsan", "t15", "t16"), want: "添加「旅行」，移除「跑步」", effect: applied, rel: "c1/zhangsan", tags: []string{"旅行", "读书"}},
		{user: "mgr", cmd: "/tag 王小明 +旅行 @lisi", setup: has("c1", "lisi", "t15", "t16"), want: "最多选 2 个标签", effect: none, rel: "c1/lisi", tags: []string{"读书", "跑步"}},
		{user: "zhangsan", cmd: "/undo {id}", setup: func(e *env) store.ID {
			e.apply("zhangsan", "c1", "zhangsan", "t15")
			id := e.apply("zhangsan", "c1", "zhangsan", "-t15").ID
			e.apply("zhangsan", "c1", "zhangsan", "t16", "t17")
			return id
		}, want: "撤销 #2 会让标签组「爱好」有 3 个标签，超过上限 2 个（现在已有「旅行」「读书」）", effect: denied, rel: "c1/zhangsan", tags: []string{"旅行", "读书"}},
		{user: "mgr", cmd: "/rollback 王小明 1小时前", setup: func(e *env) store.ID {
			e.apply("mgr", "c1", "zhangsan", "t15", "t16")
			e.clk.Advance(2 * time.Hour)
			return e.apply("mgr", "c1", "zhangsan", "-t15", "-t16", "t17").ID
		}, want: "发送 /confirm 执行", effect: none, rel: "c1/zhangsan", tags: []string{"旅行"}},
		{user: "mgr", cmd: "/rollback 王小明 1小时前", setup: func(e *env) store.ID {
			e.apply("mgr", "c1", "zhangsan", "t15", "t16", "t17") // before max was configured
			e.clk.Advance(2 * time.Hour)
			return e.apply("mgr", "c1", "zhangsan", "-t15", "-t16", "-t17").ID
		}, want: "回滚会让标签组「爱好」有 3 个标签，超过上限 2 个。请先用 /untag 去掉多余的再试。", effect: denied, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/groups", want: "【爱好】旅行、读书、跑步（最多选 2 个）", effect: none, rel: "c1/zhangsan"},
		// required: 客户来源
		{user: "zhangsan", cmd: "/tags 王小明", setup: has("c1", "zhangsan", "t3"), want: "还缺必选标签组：客户来源", effect: none, rel: "c1/zhangsan", tags: []string{"高意向"}},
		{user: "zhangsan", cmd: "/tags 王小明", setup: has("c1", "zhangsan", "t18"), want: "客户来源：官网", hide: "还缺必选", effect: none, rel: "c1/zhangsan", tags: []string{"官网"}},
		{user: "zhangsan", cmd: "/untag 王小明 官网", setup: has("c1", "zhangsan", "t18"), want: "标签组「客户来源」是必选的，这位客户现在没有这一组的标签了。请补一个：/tag 王小明 +标签", effect: applied, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/tag 王小明 +转介绍 -官网", setup: has("c1", "zhangsan", "t18"), want: "添加「转介绍」，移除「官网」", hide: "必选", effect: applied, rel: "c1/zhangsan", tags: []string{"转介绍"}},
		{user: "zhangsan", cmd: "/groups", want: "（必选：每位客户都要有一个）", effect: none, rel: "c1/zhangsan"},
		// visible_to: 婚姻状况 for zhangsan and department 7 (lisi)
		{user: "zhangsan", cmd: "/tags 王小明", setup: has("c1", "zhangsan", "t13", "t3"), want: "婚姻状况：已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚", "高意向"}},
		{user: "lisi", cmd: "/tags 王小明", setup: has("c1", "lisi", "t13"), want: "婚姻状况：已婚", effect: none, rel: "c1/lisi", tags: []string{"已婚"}},
		{user: "boss", cmd: "/tags 王小明", setup: has("c1", "zhangsan", "t13"), want: "婚姻状况：已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/tags 王小明", setup: has("c1", "zhangsan", "t13", "t3"), want: "意向程度：高意向", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚", "高意向"}},
		{user: "lisi", cmd: "/tag 王小明 +已婚", want: "添加「已婚」", effect: applied, rel: "c1/lisi", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/tag 王小明 +已婚 @zhangsan", want: "没有标签「已婚」", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/tag 王小明 +已昏 @zhangsan", want: "没有标签「已昏」", hide: "已婚", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/tag 王小明 +已昏", want: "相近的有：「已婚」", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/untag 王小明 已婚 @zhangsan", setup: has("c1", "zhangsan", "t13"), want: "没有标签「已婚」", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/tag 王小明 +未婚 @zhangsan", setup: has("c1", "zhangsan", "t13"), want: "没有标签「未婚」", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/undo {id}", setup: has("c1", "zhangsan", "t13"), want: "没有变更 #", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/undo {id}", setup: has("c1", "zhangsan", "t13", "t3"), want: "不能由你撤销", hide: "已婚", effect: denied, rel: "c1/zhangsan", tags: []string{"已婚", "高意向"}},
		{user: "mgr", cmd: "/history 王小明", setup: has("c1", "zhangsan", "t13"), want: "没有找到记录", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/history 王小明", setup: has("c1", "zhangsan", "t13", "t3"), want: "+高意向", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚", "高意向"}},
		{user: "zhangsan", cmd: "/history 王小明", setup: has("c1", "zhangsan", "t13", "t3"), want: "+已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚", "高意向"}},
		{user: "mgr", cmd: "/history tag:已婚", want: "没有标签「已婚」", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/history cs:{id}", setup: has("c1", "zhangsan", "t13"), want: "没有变更 #", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/find tag:已婚", setup: has("c1", "zhangsan", "t13"), want: "没有标签「已婚」", hide: "王小明", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "zhangsan", cmd: "/find tag:已婚", setup: has("c1", "zhangsan", "t13"), want: "有「已婚」的客户", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/stats", setup: has("c1", "zhangsan", "t13"), want: "另有 14 个标签没有客户", hide: "婚姻状况", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "zhangsan", cmd: "/stats", setup: has("c1", "zhangsan", "t13"), want: "【婚姻状况】", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
		{user: "mgr", cmd: "/stats tag:已婚 tag:高意向", want: "没有标签「已婚」", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/stats trend tag:已婚", want: "没有标签「已婚」", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/export tag:高意向 and not tag:已婚", want: "没有标签「已婚」", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/groups", want: "【意向程度】", hide: "婚姻状况", effect: none, rel: "c1/zhangsan"},
		{user: "zhangsan", cmd: "/groups", want: "【婚姻状况】已婚、未婚（互斥：只能选一个；仅zhangsan、部门 7可见）", effect: none, rel: "c1/zhangsan"},
		{user: "mgr", cmd: "/rollback 王小明 1小时前", setup: func(e *env) store.ID {
			e.clk.Advance(2 * time.Hour)
			return e.apply("zhangsan", "c1", "zhangsan", "t13").ID
		}, want: "没有可以恢复的变化", hide: "已婚", effect: none, rel: "c1/zhangsan", tags: []string{"已婚"}},
	}
	for i, tc := range rows {
		t.Run(fmt.Sprintf("%02d_%s_%s", i, tc.user, tc.cmd), func(t *testing.T) {
			e := newPolicyEnv(t)
			cmd := tc.cmd
			if tc.setup != nil {
				cmd = strings.ReplaceAll(cmd, "{id}", tc.setup(e).String())
			}
			before := len(e.ledger())
			if got := e.mustSay(tc.user, cmd, tc.want); tc.hide != "" && strings.Contains(got, tc.hide) {
				t.Fatalf("reply shows %q, which %s may not see:\n%s", tc.hide, tc.user, got)
			}
			after := e.ledger()
			added := after[:len(after)-before]
			switch tc.effect {
			case none:
				if len(added) != 0 {
					t.Fatalf("ledger grew by %d: %+v", len(added), added)
				}
			case applied, denied:
				if len(added) == 0 {
					t.Fatalf("ledger unchanged, want %s", tc.effect)
				}
				if got := added[0].Denied != ""; got != (tc.effect == denied) {
					t.Fatalf("newest change-set %+v, want %s", added[0], tc.effect)
				}
				if tc.effect == denied && added[0].Actor != tc.user {
					t.Fatalf("denied attempt recorded for %s, want %s", added[0].Actor, tc.user)
				}
			}
			cust, fol, _ := strings.Cut(tc.rel, "/")
			if got := e.tagNames(cust, fol); !slices.Equal(got, tc.tags) {
				t.Fatalf("%s tags = %v, want %v", tc.rel, got, tc.tags)
			}
			if tc.effect == applied && e.kicks.Load() == 0 {
				t.Fatal("write without Kick")
			}
			e.verify()
		})
	}
}
