package importer

import (
	"bytes"
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

// openXLSX reads the workbook (at most lim.MaxBytes), checks it against
// lim (checkXLSX) before excelize unpacks anything, and opens it with
// excelize's unzip limits set from lim: parts over 16 MB stream from a
// temporary file, and nothing over lim.UnzipBytes is unpacked.
func openXLSX(r io.Reader, lim Limits) (Rows, error) {
	if lim.MaxBytes > 0 {
		r = io.LimitReader(r, lim.MaxBytes+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return nil, tooBig("最多 %d MB", lim.MaxBytes>>20)
	}
	if err := checkXLSX(data, lim); err != nil {
		return nil, err
	}
	xmlLimit := min(lim.UnzipBytes, excelize.StreamChunkSize)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.UnzipBytes, UnzipXMLSizeLimit: xmlLimit})
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
