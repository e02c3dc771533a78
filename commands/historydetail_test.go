package commands

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// TestHistoryDetail: /history cs:N shows one change-set in full with its
// hash, the hash before it and the anchor as `tagbot check --anchor`
// prints it, to those who may see the change-set.
func TestHistoryDetail(t *testing.T) {
	e := newEnv(t)
	first := e.apply("zhangsan", "c1", "zhangsan", "t11")  // #1 王小明/zhangsan
	second := e.apply("zhangsan", "c2", "zhangsan", "t11") // #2 王小红/zhangsan
	e.mustSay("zhangsan", "/tag 王小明 +VIP", "受保护标签")        // #3 denied
	e.mustSay("lisi", "/tag 王小明 +高意向", "已为")               // #4 王小明/lisi
	e.mustSay("zhangsan", "/undo 1", "已撤销")                // #5 reverts #1
	rep, err := e.st.VerifyChain()
	if err != nil {
		t.Fatal(err)
	}
	third, _ := e.st.Get(3)
	fifth, _ := e.st.Get(5)
	cases := []struct {
		name, user, cmd string
		want            []string // in order
		not             []string
	}{
		{name: "first", user: "zhangsan", cmd: "/history cs:#1",
			want: []string{"变更 #1\n", "时间：2026-11-21 15:04:00\n", "操作人：zhangsan（来源 command）", "客户：王小明（跟进人 zhangsan）", "标签：+保健品",
				"哈希：" + first.Hash + "\n", "前一条的哈希：" + strings.Repeat("0", 64) + "（第一条，前面没有变更）", "锚点：1:" + first.Hash}},
		{name: "Chinese key, no #", user: "zhangsan", cmd: "/历史 变更:2",
			want: []string{"变更 #2\n", "客户：王小红", "哈希：" + second.Hash, "前一条的哈希：" + first.Hash + "\n"}},
		{name: "denied attempt", user: "zhangsan", cmd: "/history cs:3",
			want: []string{"变更 #3\n", "想改的标签：+VIP\n", "原因：/tag 王小明 +VIP\n", "被拒绝：受保护标签「VIP」只有主管可以修改（没有改动标签）", "前一条的哈希：" + second.Hash}, not: []string{"\n标签：+VIP"}},
		{name: "undo, the head", user: "zhangsan", cmd: "/history cs:5",
			want: []string{"标签：-保健品", "撤销：#1\n", "哈希：" + fifth.Hash, "锚点：" + rep.Anchor() + "（"}},
		{name: "manager sees anyone's", user: "mgr", cmd: "/history cs:4",
			want: []string{"操作人：lisi", "客户：王小明（跟进人 lisi）", "前一条的哈希：" + third.Hash}},
		{name: "own action on a relationship", user: "lisi", cmd: "/history cs:4", want: []string{"变更 #4\n", "哈希："}},
		{name: "colleague's customer", user: "lisi", cmd: "/history cs:2",
			want: []string{"你不能查看变更 #2：员工只能查看自己跟进关系上的和自己做的变更。"}, not: []string{"王小红", second.Hash, "保健品"}},
		{name: "colleague's relationship of a shared customer", user: "lisi", cmd: "/history cs:1",
			want: []string{"你不能查看变更 #1"}, not: []string{first.Hash, "保健品"}},
		{name: "missing", user: "mgr", cmd: "/history cs:99", want: []string{"没有变更 #99。发送 /history 查看变更号。"}},
		{name: "not a number", user: "mgr", cmd: "/history cs:abc", want: []string{"cs: 后面写变更号，例如 /history cs:#120。"}},
		{name: "with other arguments", user: "mgr", cmd: "/history 王小明 cs:1", want: []string{"cs: 查看一条变更，不和其它条件一起用。例如 /history cs:#1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := e.say(tc.user, tc.cmd)
			rest := got
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("%s %s: reply lacks %q (after the earlier parts):\n%s", tc.user, tc.cmd, w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("%s %s: reply shows %q:\n%s", tc.user, tc.cmd, n, got)
				}
			}
		})
	}
}

// TestHistoryDetailBeforeTheChain: a change-set from before the chain (a
// migrated store) has no hash of its own, and the detail says so.
func TestHistoryDetailBeforeTheChain(t *testing.T) {
	e := newEnv(t)
	got := e.r.renderDetail(store.ChangeSet{ID: 7, Actor: "zhangsan", Source: store.SourceCommand, Customer: "c1", Follower: "zhangsan",
		Add: []store.TagRef{{ID: "t11", Name: "保健品"}}, Time: e.clk.Now()})
	for _, w := range []string{"变更 #7\n", "标签：+保健品", "哈希：无。这是启用哈希链之前的记录"} {
		if !strings.Contains(got, w) {
			t.Errorf("detail lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "锚点") {
		t.Errorf("detail of an unchained change-set shows an anchor:\n%s", got)
	}
}
