// Package sheet writes and reads the XLSX workbook of /export: one row per
// customer (external_userid, name, remarks, followers, mobiles, tags). Every cell
// is written as a string, so a name such as "=HYPERLINK(…)" stays text and
// never becomes a formula. 客户导出表格。
package sheet

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// SheetName is the only worksheet of an export.
const SheetName = "客户"

// TagSep joins a row's tags in one cell (and, written by the caller, its
// remarks, followers and mobiles).
const TagSep = "、"

// Header is the first row.
var Header = []string{"客户ID", "客户", "备注", "跟进人", "手机号", "标签"}

// Row is one customer as exported: ID is its external_userid, so a file
// can be joined back and two customers of one name told apart; Remark,
// Follower and Mobile may each hold several values joined by TagSep.
type Row struct {
	ID, Name, Remark, Follower, Mobile string
	Tags                               []string
}

// cells is the row as string cells, in Header order.
func (r Row) cells() []any {
	return []any{
		excelize.Cell{Value: r.ID}, excelize.Cell{Value: r.Name}, excelize.Cell{Value: r.Remark}, excelize.Cell{Value: r.Follower},
		excelize.Cell{Value: r.Mobile}, excelize.Cell{Value: strings.Join(r.Tags, TagSep)},
	}
}

// Customers builds the workbook, streaming rows so memory stays close to
// the size of the file.
func Customers(rows []Row) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	if err := sw.SetColWidth(1, len(Header), 18); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = excelize.Cell{Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, fmt.Errorf("sheet: header: %w", err)
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), r.cells()); err != nil {
			return nil, fmt.Errorf("sheet: row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("sheet: write: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadCustomers reads a workbook written by Customers back into rows
// (for tests and for checking an export).
func ReadCustomers(b []byte) ([]Row, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("sheet: open: %w", err)
	}
	defer f.Close()
	all, err := f.GetRows(SheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("sheet: read: %w", err)
	}
	if len(all) == 0 || strings.Join(all[0], "|") != strings.Join(Header, "|") {
		return nil, fmt.Errorf("sheet: not a customer export (header %q)", firstRow(all))
	}
	var out []Row
	for _, cells := range all[1:] {
		cells = append(cells, make([]string, len(Header))...)
		r := Row{ID: cells[0], Name: cells[1], Remark: cells[2], Follower: cells[3], Mobile: cells[4]}
		if cells[5] != "" {
			r.Tags = strings.Split(cells[5], TagSep)
		}
		out = append(out, r)
	}
	return out, nil
}

func firstRow(all [][]string) []string {
	if len(all) == 0 {
		return nil
	}
	return all[0]
}
