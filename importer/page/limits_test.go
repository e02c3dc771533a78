package page

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// wideXLSX is a workbook whose second row has a cell at column XFD.
func wideXLSX(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, text := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1"><c r="A1" t="inlineStr"><is><t>客户ID</t></is></c><c r="B1" t="inlineStr"><is><t>标签</t></is></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t>wm0000000000000001</t></is></c><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`,
	} {
		w, _ := z.Create(name)
		io.WriteString(w, text)
	}
	z.Close()
	return buf.String()
}

func TestUploadTooWideXLSX(t *testing.T) {
	f := newFixture(t)
	b := browser(t)
	link := f.link(t, "admin")
	_, page := get(t, b, link)
	code, page := upload(t, b, link, page, "wide.xlsx", wideXLSX(t))
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "第 2 行超过 256 列") {
		t.Errorf("upload: %d, page says the row is too wide: %v; want 413, true", code, strings.Contains(page, "第 2 行超过 256 列"))
	}
}

// TestPreviewUsesOnlyProposed: u0=use:<id> of a tag not proposed for the
// unknown name is ignored.
func TestPreviewUsesOnlyProposed(t *testing.T) {
	f := newFixture(t)
	b := browser(t)
	link := f.link(t, "admin")
	_, page := get(t, b, link)
	_, page = upload(t, b, link, page, "u.csv", "客户ID,标签\nwm0000000000000001,全新的标签名\n")
	resp, err := b.PostForm(link+"/preview", url.Values{"csrf": {csrfOf(page)}, "u0": {"use:t7"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), "受保护") {
		t.Errorf("the preview uses 受保护, which was not proposed for 全新的标签名")
	}
}
