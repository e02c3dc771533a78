package importer

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// xlsxRows streams the first sheet of a workbook with excelize's row
// iterator (GetRows would hold the whole sheet).
type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func openXLSX(r io.Reader) (Rows, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fmt.Errorf("%w: 没有工作表", ErrFormat)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

func (x *xlsxRows) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, x.line, err
		}
		return nil, x.line, io.EOF
	}
	x.line++
	cells, err := x.rows.Columns()
	return cells, x.line, err
}

func (x *xlsxRows) Format() string   { return "xlsx" }
func (x *xlsxRows) Encoding() string { return "" }

func (x *xlsxRows) Close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}
