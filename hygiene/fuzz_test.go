package hygiene

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// FuzzCommands feeds arbitrary arguments to /merge (as an admin) and to
// /undo's mass forms (as a manager and an employee): the replies are never
// an internal error, and no argument writes anything before /confirm
// (plain /undo [N], which writes at once, is left out).
// Seeds: testdata/fuzz/FuzzCommands.
func FuzzCommands(f *testing.F) {
	for _, s := range []string{"北京上海广州用户 into 北上广客户", "@zhangsan since:今天 tag:VIP force", "source:import since:昨天 until:今天",
		"bg-merge-1", "into", "a into b into c", "@ since:", "source：IMPORT since:3天前", "「北上广 客户」 into VIP"} {
		f.Add(s)
	}
	e := newEnv(f)
	e.apply("zhangsan", store.SourceCommand, "c1", "zhangsan", []string{"VIP"}, nil)
	before, err := e.st.History(store.Query{Limit: 1000})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, args string) {
		if strings.ContainsAny(args, "\r\n") {
			return
		}
		mass := strings.ContainsAny(args, "@:：") || strings.Contains(args, store.BackgroundBatchPrefix)
		for _, m := range []struct{ user, cmd string }{{"boss", "/merge "}, {"mgr", "/undo "}, {"zhangsan", "/undo "}} {
			if m.cmd == "/undo " && !mass {
				continue // plain /undo [N] is the router's own, and writes
			}
			got := e.say(m.user, m.cmd+args)
			if strings.Contains(got, "内部错误") {
				t.Fatalf("%s %q: %q", m.user, m.cmd+args, got)
			}
			e.say(m.user, "/cancel")
		}
		after, err := e.st.History(store.Query{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("arguments %q wrote to the ledger without /confirm", args)
		}
	})
}
