package ops

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
)

// FuzzSplitList: a list cell written by joinList reads back as the list,
// and SplitList never panics on any cell.
func FuzzSplitList(f *testing.F) {
	f.Add("a|b")
	f.Add("意向;程度/高意向|x; y")
	f.Add(";;|;|")
	f.Fuzz(func(t *testing.T, s string) {
		SplitList(s)
		items := strings.Split(s, "|")
		got := SplitList(joinList(append([]string(nil), items...)))
		if len(items) == 1 && items[0] == "" {
			if len(got) != 0 {
				t.Fatalf("empty list read back as %q", got)
			}
			return
		}
		if len(got) != len(items) {
			t.Fatalf("%q read back as %q", items, got)
		}
		for i := range items {
			if got[i] != items[i] {
				t.Fatalf("item %d: %q read back as %q", i, items[i], got[i])
			}
		}
	})
}

// FuzzParseExportQuery: any input is either refused or gives a query with
// a known what and format.
func FuzzParseExportQuery(f *testing.F) {
	f.Add("ledger", "2026-03-01", "csv")
	f.Add("customers", "", "")
	f.Add("ledger", "2026-03-01T08:00:00+08:00", "jsonl")
	f.Fuzz(func(t *testing.T, what, since, format string) {
		q, err := ParseExportQuery(what, since, format, config.ChinaZone)
		if err != nil {
			return
		}
		if q.What != ExportLedger && q.What != ExportCustomers && q.What != ExportLibrary {
			t.Fatalf("accepted what %q", q.What)
		}
		if q.Format != FormatJSONL && q.Format != FormatCSV {
			t.Fatalf("accepted format %q", q.Format)
		}
		if since != "" && q.Since.IsZero() && !strings.HasPrefix(since, "0001-01-01") {
			t.Fatalf("since %q accepted as zero", since)
		}
	})
}
