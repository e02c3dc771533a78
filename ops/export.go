package ops

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tagbot/tagbot/store"
)

// What an export holds.
const (
	ExportLedger    = "ledger"    // every change-set, oldest first
	ExportCustomers = "customers" // customers with relationships and current tags
	ExportLibrary   = "library"   // the tag library, deleted tags included
)

// Export formats.
const (
	FormatJSONL = "jsonl" // one JSON object per line
	FormatCSV   = "csv"   // RFC 4180, header row, UTF-8 with BOM (for Excel)
)

// ExportQuery is a parsed `tagbot export` request.
type ExportQuery struct {
	What   string    // ExportLedger, ExportCustomers or ExportLibrary
	Since  time.Time // ledger only: change-sets at or after it; zero for all
	Format string    // FormatJSONL or FormatCSV
}

// ParseExportQuery reads what, since (RFC 3339 or 2006-01-02, in China
// time when it has no zone; "" for all) and format ("" is jsonl).
func ParseExportQuery(what, since, format string, zone *time.Location) (ExportQuery, error) {
	q := ExportQuery{What: what, Format: format}
	switch what {
	case ExportLedger, ExportCustomers, ExportLibrary:
	default:
		return q, fmt.Errorf("export: want ledger, customers or library, got %q", clip(what))
	}
	switch q.Format {
	case "":
		q.Format = FormatJSONL
	case FormatJSONL, FormatCSV:
	default:
		return q, fmt.Errorf("export: --format wants jsonl or csv, got %q", clip(format))
	}
	if since == "" {
		return q, nil
	}
	if what != ExportLedger {
		return q, fmt.Errorf("export: --since applies to the ledger only")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, since, zone); err == nil {
			q.Since = t
			return q, nil
		}
	}
	return q, fmt.Errorf("export: --since wants a time like 2026-03-01 or 2026-03-01T08:00:00+08:00, got %q", clip(since))
}

// clipLen is how much of an argument an error message repeats.
const clipLen = 64

// clip cuts an argument for an error message to clipLen bytes (at a rune
// boundary), so a huge value is not echoed whole.
func clip(s string) string {
	if len(s) <= clipLen {
		return s
	}
	i := clipLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// Export streams q's rows from st to w, in bounded memory (the store is
// read in chunks, rows are written as they are read).
func Export(w io.Writer, st *store.Store, q ExportQuery) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := newRowWriter(bw, q.Format)
	var err error
	switch q.What {
	case ExportLedger:
		err = exportLedger(enc, st, q.Since)
	case ExportCustomers:
		err = exportCustomers(enc, st)
	case ExportLibrary:
		err = exportLibrary(enc, st)
	default:
		err = fmt.Errorf("export: unknown %q", q.What)
	}
	if err == nil {
		err = enc.flush(map[string][]string{ExportLedger: LedgerHeader, ExportCustomers: CustomerHeader, ExportLibrary: LibraryHeader}[q.What])
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// rowWriter writes a row either as a JSON line (the object) or as a CSV
// record (the cells, after one header).
type rowWriter struct {
	json   *json.Encoder
	csv    *csv.Writer
	w      io.Writer
	header bool
}

func newRowWriter(w io.Writer, format string) *rowWriter {
	if format == FormatCSV {
		return &rowWriter{csv: csv.NewWriter(w), w: w}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &rowWriter{json: enc, w: w}
}

// row writes one row: obj for JSONL; header (once) and cells for CSV.
func (r *rowWriter) row(obj any, header []string, cells func() []string) error {
	if r.json != nil {
		return r.json.Encode(obj)
	}
	if err := r.writeHeader(header); err != nil {
		return err
	}
	return r.csv.Write(safeCells(cells()))
}

// writeHeader writes the BOM and the header row once.
func (r *rowWriter) writeHeader(header []string) error {
	if r.header {
		return nil
	}
	r.header = true
	if _, err := io.WriteString(r.w, "\ufeff"); err != nil {
		return err
	}
	return r.csv.Write(header)
}

// safeCells keeps a spreadsheet from reading a cell as a formula or a
// number it is not: names, remarks and tags come from customers and
// employees, and a WeChat name like =HYPERLINK(…) must stay text. A cell
// starting with = + - @ or a tab/CR gets a leading apostrophe (OWASP's
// CSV-injection advice), which Excel hides, unless it is a plain decimal
// such as -2 or -2.50 (plainNumber): +8613800000000 stays a phone number
// rather than 8.6138E+12, and -Inf text rather than #NAME?.
func safeCells(cells []string) []string {
	for i, c := range cells {
		if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) || plainNumber.MatchString(c) {
			continue
		}
		cells[i] = "'" + c
	}
	return cells
}

// plainNumber is a cell safeCells leaves alone though it starts with "-".
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// flush ends the output; a CSV with no rows still gets its BOM and header
// (header), so a loader sees the columns.
func (r *rowWriter) flush(header []string) error {
	if r.csv == nil {
		return nil
	}
	if err := r.writeHeader(header); err != nil {
		return err
	}
	r.csv.Flush()
	return r.csv.Error()
}

// joinList joins a list cell; items never contain ";" in ids, names are
// escaped by doubling it.
func joinList(items []string) string {
	for i, s := range items {
		items[i] = strings.ReplaceAll(s, ";", ";;")
	}
	return strings.Join(items, "; ")
}

// SplitList reads a list cell written by the CSV export back.
func SplitList(cell string) []string {
	if cell == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	for i := 0; i < len(cell); i++ {
		switch {
		case cell[i] == ';' && i+1 < len(cell) && cell[i+1] == ';':
			cur.WriteByte(';')
			i++
		case cell[i] == ';' && i+1 < len(cell) && cell[i+1] == ' ':
			out = append(out, cur.String())
			cur.Reset()
			i++
		default:
			cur.WriteByte(cell[i])
		}
	}
	return append(out, cur.String())
}

// csvTime formats a time for a cell ("" for zero).
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
