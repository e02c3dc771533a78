package bulk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSelect(t *testing.T) {
	st, _ := openStore(t)
	ids := map[string]string{}
	for _, tg := range testLibrary.Tags {
		ids[tg.Name] = tg.ID
	}
	lookup := func(name string) (string, error) { return ids[name], nil }
	tests := []struct {
		sel  string
		want string
	}{
		{"tag:老客户", "c1:lisi c1:zhangsan c2:zhangsan c5:zhangsan"},
		{"tag:老客户 and not tag:已流失", "c1:zhangsan c2:zhangsan c5:zhangsan"},
		{"tag:已流失 or tag:双十一", "c1:lisi c2:zhangsan c3:lisi"},
		{"not tag:老客户", "c3:lisi c4:lisi"},
		{"@lisi", "c1:lisi c3:lisi c4:lisi"},
		{"@lisi and not tag:已流失", "c4:lisi"},
		{"state:展会", "c1:zhangsan c4:lisi"},
		{"since:2026-11-01", "c3:lisi c4:lisi c5:zhangsan"},
		{"until:2026-10-31", "c1:lisi c1:zhangsan c2:zhangsan"},
		{"since:2026-11-01 and not state:官网", "c4:lisi c5:zhangsan"},
		{"(tag:已流失 or state:展会) and @lisi", "c1:lisi c3:lisi c4:lisi"},
		{"tag:金", ""},
		{"tag:金 or not tag:金", "c1:lisi c1:zhangsan c2:zhangsan c3:lisi c4:lisi c5:zhangsan"},
		{"@nobody or (tag:老客户 and since:2026-10-03 and until:2026-10-10)", "c2:zhangsan"},
	}
	for _, tt := range tests {
		t.Run(tt.sel, func(t *testing.T) {
			r, err := parseText("/bulk " + tt.sel + " +X")
			if err != nil {
				t.Fatal(err)
			}
			n, err := Resolve(r.Select, lookup)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Select(st, n)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(strings.Fields(tt.want), got, cmpEmpty); d != "" {
				t.Errorf("selected (-want +got):\n%s", d)
			}
		})
	}
}

var cmpEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})
