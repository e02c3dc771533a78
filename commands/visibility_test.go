package commands

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// TestVisibilityTable runs every command as an employee who does not
// follow the customer concerned (lisi follows c1 with zhangsan, and c3;
// not c2 王小红 or c4 王大明) and as a manager. zhangsan's relationships
// carry 保健品, which lisi must never see. Every command of the router
// must have at least one row, so a new command cannot skip the policy.
func TestVisibilityTable(t *testing.T) {
	type row struct {
		spec      string // the command's Spec.Name
		user, cmd string
		want      string
		not       []string // must not appear
	}
	secret := []string{"保健品", "王小红", "王大明"}
	rows := []row{
		{spec: "tag", user: "lisi", cmd: "/tag 王小红 +咖啡", want: "你不是这位客户的跟进人", not: []string{"保健品"}},
		{spec: "tag", user: "lisi", cmd: "/tag 王 +咖啡", want: "「王」只是部分匹配，找到 1 位客户：\n1. 王小明", not: secret},
		{spec: "untag", user: "lisi", cmd: "/untag 王小明 咖啡 @zhangsan", want: "你只能改自己跟进关系上的标签", not: []string{"保健品"}},
		{spec: "tags", user: "lisi", cmd: "/tags 王小明", want: "王小明（小明科技） 的标签：\n（没有标签）", not: append(secret, "王总")},
		{spec: "tags", user: "lisi", cmd: "/tags 王总", want: "没有找到客户「王总」", not: []string{"王小明", "保健品"}},
		{spec: "tags", user: "zhangsan", cmd: "/tags 王总", want: "王小明（小明科技，备注 王总） 的标签："},
		{spec: "find", user: "lisi", cmd: "/find 王总", want: "没有找到「王总」", not: []string{"王小明"}},
		{spec: "find", user: "lisi", cmd: "/find 13800000001", want: "没有找到「13800000001」", not: []string{"王小明"}},
		{spec: "find", user: "zhaoliu", cmd: "/find 王总", want: "没有找到「王总」", not: []string{"王小明", "zhangsan"}},
		{spec: "find", user: "zhaoliu", cmd: "/find 王小明", want: "· 王小明（小明科技） 跟进人：lisi、zhangsan", not: []string{"王总"}},
		{spec: "find", user: "zhangsan", cmd: "/find 800000001", want: "1. 王小明（小明科技，备注 王总）"},
		{spec: "find", user: "mgr", cmd: "/find 王总", want: "1. 王小明（小明科技，备注 王总） 跟进：lisi、zhangsan"},
		{spec: "tags", user: "lisi", cmd: "/tags 王小红", want: "你不能查看 王小红 的标签", not: []string{"保健品"}},
		{spec: "tags", user: "mgr", cmd: "/tags 王小明", want: "跟进人 zhangsan：\n兴趣：保健品"},
		{spec: "find", user: "lisi", cmd: "/find 王", want: "找到 1 位客户", not: secret},
		{spec: "find", user: "lisi", cmd: "/find tag:保健品", want: "没有客户有「保健品」", not: []string{"王小红", "王大明", "王小明"}},
		{spec: "find", user: "lisi", cmd: "/find 王小红", want: "你跟进的客户里没有「王小红」。同事跟进的客户里有 1 位", not: []string{"保健品"}},
		{spec: "find", user: "mgr", cmd: "/find tag:保健品", want: "1. 王小明（小明科技，备注 王总） 跟进人 zhangsan\n2. 王小红 跟进人 zhangsan"},
		{spec: "history", user: "lisi", cmd: "/history 王小明", want: "没有找到记录（王小明）", not: secret},
		{spec: "history", user: "lisi", cmd: "/history tag:保健品", want: "没有找到记录（标签「保健品」）", not: []string{"王小红", "王小明"}},
		{spec: "history", user: "lisi", cmd: "/history @zhangsan", want: "员工只能查看自己做的变更（/history @lisi）", not: secret},
		{spec: "history", user: "mgr", cmd: "/history tag:保健品", want: "zhangsan +保健品 王小红"},
		{spec: "undo", user: "lisi", cmd: "/undo {id}", want: "没有变更 #", not: []string{"保健品", "王小红", "zhangsan", "只能撤销"}},
		{spec: "undo", user: "lisi", cmd: "/undo {sync}", want: "没有变更 #", not: []string{"同步", "王小红"}},
		{spec: "undo", user: "zhangsan", cmd: "/undo {sync}", want: "是企业微信同步记录"},
		{spec: "undo", user: "lisi", cmd: "/undo {c1}", want: "你只能撤销自己的变更；#", not: []string{"保健品"}},
		{spec: "history", user: "lisi", cmd: "/history cs:{id}", want: "你不能查看变更 #", not: []string{"保健品", "王小红", "哈希"}},
		{spec: "history", user: "mgr", cmd: "/history cs:{id}", want: "客户：王小红（跟进人 zhangsan）\n标签：+保健品"},
		{spec: "redo", user: "lisi", cmd: "/redo", want: "你最近没有撤销过变更", not: secret},
		{spec: "rollback", user: "lisi", cmd: "/rollback 王小红 昨天", want: "/rollback 只有主管和管理员可以使用", not: secret},
		{spec: "confirm", user: "lisi", cmd: "/confirm", want: "没有等待确认的操作", not: secret},
		{spec: "cancel", user: "lisi", cmd: "/cancel", want: "没有等待确认的操作", not: secret},
		{spec: "restore", user: "lisi", cmd: "/restore tag 保健品", want: "/restore 只有管理员可以使用"},
		{spec: "groups", user: "lisi", cmd: "/groups", want: "标签库：", not: []string{"王小红", "王大明", "王小明"}},
		{spec: "help", user: "lisi", cmd: "/help", want: "可以用的命令", not: []string{"王小红", "王大明", "王小明"}},
		{spec: "whoami", user: "lisi", cmd: "/whoami", want: "角色：员工", not: []string{"王小红", "王大明", "王小明"}},
		{spec: "set", user: "lisi", cmd: "/set confirm off", want: "不再先问确认", not: []string{"王小红", "王大明", "王小明"}},
		// Suggestion commands run in package suggestion (its tests cover whose
		// suggestions and customers they show); without a handler they say so.
		{spec: "reject", user: "lisi", cmd: "/reject 1", want: "自动建议功能没有启用", not: secret},
		{spec: "suggestions", user: "lisi", cmd: "/suggestions", want: "自动建议功能没有启用", not: secret},
		{spec: "classify", user: "lisi", cmd: "/classify 王小红 多少钱", want: "自动建议功能没有启用", not: secret},
		{spec: "rules", user: "lisi", cmd: "/rules", want: "/rules 只有主管和管理员可以使用"},
		{spec: "stats", user: "lisi", cmd: "/stats", want: "你跟进的 2 位客户", not: []string{"王小红", "王大明", "王小明"}},
		{spec: "stats", user: "lisi", cmd: "/stats tag:保健品 tag:咖啡", want: "保健品     0", not: []string{"王小红", "王大明", "王小明"}},
		{spec: "stats", user: "mgr", cmd: "/stats tag:保健品 tag:咖啡", want: "保健品     2"},
		{spec: "stats", user: "lisi", cmd: "/stats trend tag:保健品", want: "「保健品」：0 位客户（你跟进的 2 位客户中）\n趋势 2026-10-22 至 2026-11-21：没有客户新增或移除这个标签。", not: []string{"王小红", "王大明", "王小明", "+1"}},
		{spec: "stats", user: "lisi", cmd: "/stats team", want: "团队统计只有主管和管理员能看", not: []string{"zhangsan"}},
		{spec: "stats", user: "lisi", cmd: "/stats @zhangsan", want: "你只能看自己的变更统计", not: []string{"命令"}},
		{spec: "stats", user: "mgr", cmd: "/stats @zhangsan", want: "zhangsan     2"},
		{spec: "reload", user: "mgr", cmd: "/reload", want: "/reload 只有管理员可以使用"},
		{spec: "export", user: "lisi", cmd: "/export tag:保健品", want: "/export 只有主管和管理员可以使用", not: secret},
		{spec: "export", user: "mgr", cmd: "/export tag:保健品", want: "已导出 2 位客户"},
	}
	covered := map[string]bool{}
	for i, tc := range rows {
		covered[tc.spec] = true
		t.Run(fmt.Sprintf("%02d_%s_%s", i, tc.user, tc.cmd), func(t *testing.T) {
			e := newEnv(t)
			e.apply("zhangsan", "c1", "zhangsan", "t11")
			id := e.apply("zhangsan", "c2", "zhangsan", "t11").ID
			e.mustSay("mgr", "/rollback 王小红 1小时前", "") // a proposal of someone else
			cmd := strings.ReplaceAll(tc.cmd, "{id}", id.String())
			if strings.Contains(cmd, "{c1}") { // a change on lisi's relationship, by someone else
				cmd = strings.ReplaceAll(cmd, "{c1}", e.apply("mgr", "c1", "lisi", "t12").ID.String())
			}
			if strings.Contains(cmd, "{sync}") {
				cmd = strings.ReplaceAll(cmd, "{sync}", e.apply("sync", "c2", "zhangsan", "t12").ID.String())
			}
			got := e.mustSay(tc.user, cmd, tc.want)
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("reply shows %q, which %s must not see:\n%s", n, tc.user, got)
				}
			}
		})
	}
	for _, s := range newEnv(t).r.Specs() {
		if !covered[s.Name] {
			t.Errorf("command /%s has no visibility row", s.Name)
		}
	}
}

// TestViewer checks the policy itself for an employee and a manager.
func TestViewer(t *testing.T) {
	own := store.Customer{ID: "c1", Followers: []string{"zhangsan", "lisi"}}
	other := store.Customer{ID: "c2", Followers: []string{"zhangsan"}}
	type got struct {
		SeesAll, SeesOwn, SeesOther, SeesOwnRel, SeesOtherRel bool
		SeesOthersChange, SeesOwnChange, MayRevertOthers      bool
		Seen, Others                                          []string
		Rels                                                  []string
		Scoped                                                store.Query
		ScopedOK, OthersActionsOK                             bool
	}
	ids := func(cs []store.Customer) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	run := func(v Viewer) got {
		seen, others := v.Split([]store.Customer{own, other})
		var rels []string
		for _, r := range v.Relationships([]store.Relationship{{Customer: "c1", Follower: "zhangsan"}, {Customer: "c1", Follower: "lisi"}}) {
			rels = append(rels, r.Follower)
		}
		q, ok := v.ScopeHistory(store.Query{Customer: "c1"})
		_, ok2 := v.ScopeHistory(store.Query{Actor: "zhangsan"})
		othersCS := store.ChangeSet{Actor: "zhangsan", Follower: "zhangsan"}
		return got{
			SeesAll: v.SeesAll(), SeesOwn: v.SeesCustomer(own), SeesOther: v.SeesCustomer(other),
			SeesOwnRel: v.SeesRelationship("lisi"), SeesOtherRel: v.SeesRelationship("zhangsan"),
			SeesOthersChange: v.SeesChange(othersCS), SeesOwnChange: v.SeesChange(store.ChangeSet{Actor: "lisi", Follower: "zhangsan"}),
			MayRevertOthers: v.MayRevert(othersCS),
			Seen:            ids(seen), Others: ids(others), Rels: rels, Scoped: q, ScopedOK: ok, OthersActionsOK: ok2,
		}
	}
	tests := []struct {
		name string
		v    Viewer
		want got
	}{
		{"employee", Viewer{User: "lisi", Role: RoleEmployee}, got{
			SeesOwn: true, SeesOwnRel: true, SeesOwnChange: true,
			Seen: []string{"c1"}, Others: []string{"c2"}, Rels: []string{"lisi"},
			Scoped: store.Query{Customer: "c1", Follower: "lisi"}, ScopedOK: true}},
		{"manager", Viewer{User: "mgr", Role: RoleManager}, got{
			SeesAll: true, SeesOwn: true, SeesOther: true, SeesOwnRel: true, SeesOtherRel: true,
			SeesOthersChange: true, SeesOwnChange: true, MayRevertOthers: true,
			Seen: []string{"c1", "c2"}, Rels: []string{"zhangsan", "lisi"},
			Scoped: store.Query{Customer: "c1"}, ScopedOK: true, OthersActionsOK: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := run(tc.v)
			gv, wv := reflect.ValueOf(g), reflect.ValueOf(tc.want)
			for i := 0; i < gv.NumField(); i++ {
				if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
					t.Errorf("%s = %v, want %v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
				}
			}
		})
	}
}
