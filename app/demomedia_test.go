package app

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/internal/sheet"
)

var filePath = regexp.MustCompile(`\[文件\] (\S+\.xlsx)`)

// TestDemoExportFile: /export in the demo goes through the Sender,
// media/upload and a file message; the demo writes the file and prints its
// path, and the workbook read back equals the store: one row per
// customer, over all its relationships.
func TestDemoExportFile(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as wangwu")
	say(t, d, "/tag 李华 +高意向")
	got := exportFile(t, d, "/export tag:高意向")
	st := d.Main.Store
	tags, err := st.TagsByName("高意向")
	if err != nil || len(tags) != 1 {
		t.Fatalf("tag 高意向: %v %v", tags, err)
	}
	lists, err := st.TagCustomers([]string{tags[0].ID}, "")
	if err != nil {
		t.Fatal(err)
	}
	library, err := st.Tags(true)
	if err != nil {
		t.Fatal(err)
	}
	var want []sheet.Row
	for _, id := range lists[tags[0].ID] {
		c, err := st.Customer(id)
		if err != nil {
			t.Fatal(err)
		}
		rels, err := st.Relationships(id)
		if err != nil {
			t.Fatal(err)
		}
		row := sheet.Row{ID: c.ID, Name: c.Name}
		var fols, remarks, phones, ids []string
		for _, rel := range rels {
			fols = append(fols, rel.Follower)
			if rel.Remark != "" && !slices.Contains(remarks, rel.Remark) {
				remarks = append(remarks, rel.Remark)
			}
			phones = append(phones, rel.Mobiles...)
			ids = append(ids, rel.TagIDs()...)
		}
		slices.Sort(fols)
		row.Follower, row.Remark, row.Mobile = strings.Join(fols, sheet.TagSep), strings.Join(remarks, sheet.TagSep), strings.Join(phones, sheet.TagSep)
		for _, tg := range library { // tags in library order, as /tags lists them
			if slices.Contains(ids, tg.ID) {
				row.Tags = append(row.Tags, tg.Name)
			}
		}
		want = append(want, row)
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("export read back:\n%+v\nstore:\n%+v", got, want)
	}
}

// TestDemoExportAgreesWithStats: the review's case — 王小明 has 高意向
// from zhangsan and VIP from lisi; /stats counts him in both, and so does
// /export, once, with both tags and zhangsan's mobile.
func TestDemoExportAgreesWithStats(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as wangwu")
	if out := say(t, d, "/stats tag:高意向 tag:VIP"); !strings.Contains(out, "王小明") {
		t.Fatalf("/stats tag:高意向 tag:VIP: %q, want 王小明 listed", out)
	}
	rows := exportFile(t, d, "/export tag:高意向 and tag:VIP")
	i := slices.IndexFunc(rows, func(r sheet.Row) bool { return r.ID == "wmDemo0001" })
	if i < 0 {
		t.Fatalf("rows %+v, want 王小明 (wmDemo0001)", rows)
	}
	if r := rows[i]; r.Name != "王小明" || r.Follower != "lisi、zhangsan" || r.Mobile != "13800000001" ||
		!slices.Contains(r.Tags, "VIP") || !slices.Contains(r.Tags, "高意向") {
		t.Fatalf("王小明's row %+v, want followers lisi、zhangsan, mobile 13800000001, tags with VIP and 高意向", r)
	}
	for _, r := range exportFile(t, d, "/export tag:高意向 and not tag:VIP") {
		if r.ID == "wmDemo0001" {
			t.Fatalf("王小明 (VIP on lisi's relationship) exported by tag:高意向 and not tag:VIP: %+v", r)
		}
	}
}

// exportFile sends an /export in the demo and reads back the file it
// printed.
func exportFile(t *testing.T, d *DemoBot, cmd string) []sheet.Row {
	t.Helper()
	out := say(t, d, cmd)
	m := filePath.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("%s: %q, want a [文件] path", cmd, out)
	}
	data, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sheet.ReadCustomers(data)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
