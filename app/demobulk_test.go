package app

import (
	"slices"
	"strings"
	"testing"
)

// TestDemoBulk: a manager previews a /bulk in the demo, confirms it, and
// gets the summary with the batch id; WeCom ends with the tag.
func TestDemoBulk(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as lisi")
	steps := []struct{ line, want string }{
		{"/bulk tag:VIP or tag:展会 +高意向", "将给 3 位客户（3 个跟进关系）+高意向"},
		{"/confirm", "批量修改完成（批次 bg-bulk-1）"},
		{"/history tag:高意向", "批次 bg-bulk-1"},
	}
	for _, s := range steps {
		if got := say(t, d, s.line); !strings.Contains(got, s.want) {
			t.Fatalf("%s:\n%s\nwant %q", s.line, got, s.want)
		}
	}
	id := tagID(t, d, "高意向")
	for _, r := range [][2]string{{"wmDemo0001", "lisi"}, {"wmDemo0004", "zhangsan"}, {"wmDemo0008", "lisi"}} {
		if !slices.Contains(d.Fake.CustomerTags(r[0], r[1]), id) {
			t.Errorf("%s/%s lacks 高意向 on WeCom", r[0], r[1])
		}
	}
}
