package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// xlsxOf builds a minimal workbook whose sheet1.xml is head, then body
// written n times, then the sheet's end; extra adds parts (name, text).
func xlsxOf(t testing.TB, head, body string, n int, extra ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	parts := []struct{ name, text string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, p := range parts {
		w, _ := z.Create(p.name)
		io.WriteString(w, p.text)
	}
	for _, p := range extra {
		w, _ := z.Create(p[0])
		io.WriteString(w, p[1])
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+head)
	for range n {
		io.WriteString(w, body)
	}
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func inline(ref, s string) string {
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, s)
}

var xlsxHeader = `<row r="1">` + inline("A1", "手机号") + inline("B1", "标签") + `</row>`

// readAll opens data and reads every row.
func readAll(data []byte, lim Limits) error {
	rows, err := OpenLimited("x.xlsx", bytes.NewReader(data), lim)
	if err != nil {
		return err
	}
	defer rows.Close()
	for {
		if _, _, err := rows.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func TestOpenXLSXRefusesBombs(t *testing.T) {
	mb := strings.Repeat(" ", 1<<20)
	bigCell := `<row r="2">` + inline("A2", "13900000001") + `<c r="B2" t="inlineStr"><is><t>`
	for _, tc := range []struct {
		name       string
		head, body string
		n          int
		lim        Limits
		msg        string
		extra      [][2]string
	}{
		{"30 MB of spaces", xlsxHeader, mb, 30, DefaultLimits, "超过 64 KB", nil},
		{"one 30 MB cell", xlsxHeader + bigCell, strings.Repeat("a", 1<<20), 30, DefaultLimits, "第 2 行或其后有超过 64 KB", nil},
		{"a 9 MB styles part", xlsxHeader, "", 0, DefaultLimits, "「xl/styles.xml」解压后超过 8 MB", [][2]string{{"xl/styles.xml", strings.Repeat(" ", 9<<20)}}},
		{"unpacks past the limit", xlsxHeader, `<row>` + inline("A2", "13900000001") + `</row>`, 2000, LimitsFor(4 << 10), "解压后超过", nil},
		{"a cell at XFD", xlsxHeader, `<row>` + inline("A9", "13900000001") + inline("XFD9", "x") + `</row>`, 20000, DefaultLimits, "第 2 行超过 256 列", nil},
		{"a cell at XFD, attributes on new lines", xlsxHeader, "<row>\n<c\nr=\"XFD9\"\tt=\"inlineStr\"><is><t>x</t></is></c></row>", 20000, DefaultLimits, "第 2 行超过 256 列", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := xlsxOf(t, tc.head, tc.body, tc.n, tc.extra...)
			start := time.Now()
			err := readAll(data, tc.lim)
			var tb *TooBigError
			if !errors.As(err, &tb) {
				t.Fatalf("err = %v, want a *TooBigError", err)
			}
			if !strings.Contains(tb.Msg, tc.msg) {
				t.Errorf("Msg = %q, want it to say %q", tb.Msg, tc.msg)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}

func TestLongCellIsBadRow(t *testing.T) {
	long := strings.Repeat("长", MaxCellRunes+1)
	data := xlsxOf(t, xlsxHeader, `<row r="2">`+inline("A2", "13900000001")+inline("B2", long)+`</row><row r="3">`+inline("A3", "13900000002")+inline("B3", "高意向")+`</row>`, 1)
	rows, err := OpenLimited("x.xlsx", bytes.NewReader(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	p, err := DryRun(rows, Options{Store: newTestStore(t), Policy: testPolicy{user: "admin", all: true}, MaxBadShare: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := viewIssues(p.Bad), []issueView{{2, "标签", ""}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Bad = %+v, want %+v", got, want)
	}
	for _, c := range p.Changes {
		if c.Row != 3 {
			t.Errorf("a change from row %d, want row 3 only", c.Row)
		}
	}
}
