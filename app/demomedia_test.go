package app

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/internal/sheet"
)

var filePath = regexp.MustCompile(`\[文件\] (\S+\.xlsx)`)

// TestDemoExportFile: /export in the demo goes through the Sender,
// media/upload and a file message; the demo writes the file and prints its
// path, and the workbook read back equals the store.
func TestDemoExportFile(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as wangwu")
	say(t, d, "/tag 李华 +高意向")
	out := say(t, d, "/export tag:高意向")
	m := filePath.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("/export: %q, want a [文件] path", out)
	}
	data, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	got, err := sheet.ReadCustomers(data)
	if err != nil {
		t.Fatal(err)
	}
	st := d.Main.Store
	tags, err := st.TagsByName("高意向")
	if err != nil || len(tags) != 1 {
		t.Fatalf("tag 高意向: %v %v", tags, err)
	}
	rels, err := st.CustomersWithTags([]string{tags[0].ID}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var want []sheet.Row
	for _, rel := range rels {
		c, err := st.Customer(rel.Customer)
		if err != nil {
			t.Fatal(err)
		}
		row := sheet.Row{Name: c.Name, Remark: rel.Remark, Follower: rel.Follower, Mobile: strings.Join(rel.Mobiles, sheet.TagSep)}
		for _, id := range rel.TagIDs() {
			tg, err := st.Tag(id)
			if err != nil {
				t.Fatal(err)
			}
			row.Tags = append(row.Tags, tg.Name)
		}
		want = append(want, row)
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("export read back:\n%+v\nstore:\n%+v", got, want)
	}
}
