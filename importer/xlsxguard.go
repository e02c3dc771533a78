package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Limits bound what reading one spreadsheet may cost. An XLSX is a zip of
// XML: a few hundred kilobytes can unpack to gigabytes (one huge cell, or
// megabytes of spaces), and a row can name column XFD (16,384 cells).
type Limits struct {
	// MaxBytes bounds the file itself; 0 is no bound.
	MaxBytes int64
	// UnzipBytes bounds the XLSX's unpacked parts together.
	UnzipBytes int64
	// Columns bounds a row's width (the column of its last cell).
	Columns int
}

// TooBigError is a file past Limits; Msg says why in Chinese, for users.
type TooBigError struct{ Msg string }

func (e *TooBigError) Error() string { return "文件太大：" + e.Msg }

func tooBig(format string, a ...any) error { return &TooBigError{fmt.Sprintf(format, a...)} }

// Cell and text bounds common to every file.
const (
	// MaxCellRunes is the longest cell a row may have: longer, the row is
	// bad (no tag, name or id is that long).
	MaxCellRunes = 1000
	// maxXMLText bounds the text of one XLSX cell or shared string, and
	// any run of bytes between two XML tags, before excelize reads it.
	maxXMLText = 64 << 10
	// maxOtherPart bounds a part other than sheets and shared strings
	// (styles, workbook, relationships), which excelize holds whole.
	maxOtherPart = 8 << 20
	// unzipFactor is UnzipBytes as a multiple of import.max_bytes: XML
	// compresses about tenfold, so a real file of max_bytes fits.
	unzipFactor = 10
	// defaultColumns is the widest row: a template has 7 columns, group
	// columns add a few.
	defaultColumns = 256
)

// LimitsFor derives the limits from import.max_bytes: the unpacked XLSX
// may be unzipFactor (10) times the file, rows at most 256 columns wide.
func LimitsFor(maxBytes int64) Limits {
	return Limits{MaxBytes: maxBytes, UnzipBytes: unzipFactor * maxBytes, Columns: defaultColumns}
}

// DefaultLimits are the limits at config's default import.max_bytes (20 MB).
var DefaultLimits = LimitsFor(20 << 20)

// checkXLSX refuses a workbook that unpacks beyond lim.UnzipBytes, has a
// cell or shared string longer than maxXMLText, or a row wider than
// lim.Columns, streaming each part once without holding it.
func checkXLSX(data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if lim.UnzipBytes > 0 && total > uint64(lim.UnzipBytes) {
			return tooBig("解压后超过 %d MB，请删掉多余的内容或改存为 CSV", lim.UnzipBytes>>20)
		}
	}
	for _, f := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		sheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		if !sheet && name != "xl/sharedstrings.xml" {
			if f.UncompressedSize64 > maxOtherPart {
				return tooBig("「%s」解压后超过 %d MB，请另存为新的 XLSX 或 CSV", f.Name, maxOtherPart>>20)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		err = scanXML(bufio.NewReaderSize(rc, 64<<10), sheet, lim.Columns)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// scanXML checks one part byte by byte: no text run or tag longer than
// maxXMLText, no cell (c, is) or shared string (si) whose text adds up to
// more, and in a sheet no row wider than columns.
func scanXML(r io.ByteReader, sheet bool, columns int) error {
	var (
		tag      []byte
		inTag    bool
		run      int // bytes since the last < or >
		unitText int // text bytes in the current c or si
		row, col int // the current row's number (as counted) and last column
	)
	for {
		b, err := r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		switch {
		case b == '<':
			inTag, tag, run = true, tag[:0], 0
			continue
		case b == '>' && inTag:
			inTag, run = false, 0
			if err := scanTag(tag, sheet, columns, &row, &col, &unitText); err != nil {
				return err
			}
			continue
		}
		run++
		if run > maxXMLText {
			return tooBig("第 %d 行或其后有超过 %d KB 的单元格或空白", max(row, 1), maxXMLText>>10)
		}
		if inTag {
			tag = append(tag, b)
		} else if unitText++; unitText > maxXMLText {
			return tooBig("第 %d 行有超过 %d KB 的单元格", row, maxXMLText>>10)
		}
	}
}

// scanTag follows the element structure scanXML needs: rows, cells and
// shared strings.
func scanTag(tag []byte, sheet bool, columns int, row, col, unitText *int) error {
	if len(tag) == 0 || tag[0] == '/' || tag[0] == '?' || tag[0] == '!' {
		return nil
	}
	name, attrs := tag, []byte(nil)
	if i := bytes.IndexAny(tag, " \t\r\n"); i >= 0 {
		name, attrs = tag[:i], tag[i:]
	}
	name = bytes.TrimSuffix(name, []byte("/"))
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch string(name) {
	case "si":
		*unitText = 0
	case "row":
		if !sheet {
			return nil
		}
		*row++
		if n := attrInt(attrs, "r"); n > 0 {
			*row = n
		}
		*col = 0
	case "c":
		if !sheet {
			return nil
		}
		*unitText = 0
		*col++
		if ref := attr(attrs, "r"); ref != "" {
			*col = columnOf(ref, columns+1)
		}
		if columns > 0 && *col > columns {
			return tooBig("第 %d 行超过 %d 列：请删掉表格右边多余的列", *row, columns)
		}
	}
	return nil
}

// attr is the value of the attribute key in a tag's attribute bytes.
func attr(attrs []byte, key string) string {
	for _, q := range []string{`"`, `'`} {
		pat := " " + key + "=" + q
		s := " " + strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(string(attrs))
		if i := strings.Index(s, pat); i >= 0 {
			v := s[i+len(pat):]
			if j := strings.Index(v, q); j >= 0 {
				return v[:j]
			}
		}
	}
	return ""
}

func attrInt(attrs []byte, key string) int {
	n := 0
	for _, c := range attr(attrs, key) {
		if c < '0' || c > '9' || n > 1<<24 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// columnOf is the column number of a cell reference ("B7" → 2), at most
// ceiling.
func columnOf(ref string, ceiling int) int {
	n := 0
	for _, c := range strings.ToUpper(ref) {
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
		if n > ceiling {
			return ceiling
		}
	}
	return n
}
