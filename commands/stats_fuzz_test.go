package commands

import (
	"context"
	"strings"
	"testing"
)

// FuzzStats feeds arbitrary arguments to /stats as a manager and as an
// employee: every input gets a reply, never an internal error or a panic.
func FuzzStats(f *testing.F) {
	for _, s := range []string{"", "tag:保健品 tag:咖啡", "trend tag:咖啡 since:上周 until:昨天", "@zhangsan", "team", "rules page:0", "tag:咖啡 page:99999"} {
		f.Add(s)
	}
	e := statsEnv(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, user := range []string{"mgr", "lisi"} {
			replies := e.r.HandleText(context.Background(), user, "/stats "+s)
			got := joinReplies(replies)
			if len(replies) == 0 || got == "" {
				t.Fatalf("%s /stats %q: no reply", user, s)
			}
			if strings.Contains(got, "内部错误") {
				t.Fatalf("%s /stats %q: %s", user, s, got)
			}
		}
	})
}
