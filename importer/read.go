package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Rows reads a spreadsheet one row at a time, never the whole sheet.
type Rows interface {
	// Next returns the next row's cells and its row number as the
	// spreadsheet shows it (the header is row 1); io.EOF after the last.
	Next() (cells []string, line int, err error)
	// Format is "csv" or "xlsx"; Encoding is how a CSV's bytes were read
	// (UTF-8, UTF-8 BOM, GB18030, UTF-16), "" for XLSX.
	Format() string
	Encoding() string
	Close() error
}

// ErrFormat is returned by Open for a file that is neither CSV nor XLSX.
var ErrFormat = errors.New("importer: not a CSV or XLSX file")

// zipMagic starts every XLSX (a zip archive).
var zipMagic = []byte("PK\x03\x04")

// Open is OpenLimited with DefaultLimits.
func Open(name string, r io.Reader) (Rows, error) { return OpenLimited(name, r, DefaultLimits) }

// OpenLimited reads r as XLSX when it is a zip archive (or name ends in
// .xlsx) and as CSV otherwise. Old binary .xls files are refused with
// ErrFormat; a file past lim with a *TooBigError.
func OpenLimited(name string, r io.Reader, lim Limits) (Rows, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	lower := strings.ToLower(name)
	switch {
	case bytes.HasPrefix(head, zipMagic) || strings.HasSuffix(lower, ".xlsx"):
		return openXLSX(br, lim)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")) || strings.HasSuffix(lower, ".xls"):
		return nil, fmt.Errorf("%w: 旧版 .xls，请另存为 .xlsx 或 CSV", ErrFormat)
	}
	return OpenCSV(br), nil
}

// csvRows reads CSV through the encoding sniffer.
type csvRows struct {
	cr  *csv.Reader
	dec *sniffer
}

// OpenCSV reads CSV in UTF-8 (with or without BOM), UTF-16 with BOM, or
// GBK/GB18030, as Excel on Chinese Windows saves it: the encoding is
// decided at the first non-ASCII bytes (see sniffer). The delimiter is a
// comma, or a tab or semicolon when the first line has those and no comma.
func OpenCSV(r io.Reader) Rows {
	dec := newSniffer(r)
	br := bufio.NewReaderSize(dec, 64<<10)
	cr := csv.NewReader(br)
	cr.Comma = sniffComma(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvRows{cr: cr, dec: dec}
}

func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, fmt.Errorf("第 %d 行无法解析：%v", pe.StartLine, pe.Err)
		}
		return nil, 0, err
	}
	line, _ := c.cr.FieldPos(0)
	return rec, line, nil
}

func (c *csvRows) Format() string   { return "csv" }
func (c *csvRows) Encoding() string { return c.dec.encoding() }
func (c *csvRows) Close() error     { return nil }

// sniffComma picks the delimiter from the first line.
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(4 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, ',') >= 0 {
		return ','
	}
	if bytes.IndexByte(head, '\t') >= 0 {
		return '\t'
	}
	if bytes.IndexByte(head, ';') >= 0 {
		return ';'
	}
	return ','
}

// sniffWindow is how many bytes from the first non-ASCII byte decide
// between UTF-8 and GB18030: a few hundred Chinese characters, among which
// a GBK text valid as UTF-8 by chance does not occur in practice.
const sniffWindow = 4 << 10

// sniffer passes ASCII through until the first non-ASCII byte, then
// decides the encoding on the window starting there: valid UTF-8 stays
// UTF-8, anything else is GB18030 (a superset of GBK and GB2312). A file
// whose first thousands of rows are ASCII is still decided on its Chinese
// text, not on its header. Byte-order marks decide at once.
type sniffer struct {
	br  *bufio.Reader
	out io.Reader
	enc string
}

func newSniffer(r io.Reader) *sniffer {
	s := &sniffer{br: bufio.NewReaderSize(r, 2*sniffWindow)}
	head, _ := s.br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		s.br.Discard(3)
		s.out, s.enc = s.br, "UTF-8 BOM"
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		s.out, s.enc = transform.NewReader(s.br, unicode.BOMOverride(dec)), "UTF-16"
	}
	return s
}

func (s *sniffer) encoding() string {
	if s.enc == "" {
		return "UTF-8"
	}
	return s.enc
}

func (s *sniffer) Read(p []byte) (int, error) {
	if s.out != nil {
		return s.out.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := s.br.Peek(1); err != nil {
		return 0, err
	}
	buf, _ := s.br.Peek(s.br.Buffered())
	i := firstNonASCII(buf)
	switch {
	case i < 0:
		return s.br.Read(p[:min(len(p), len(buf))])
	case i > 0:
		return s.br.Read(p[:min(len(p), i)])
	}
	win, _ := s.br.Peek(sniffWindow)
	if utf8.Valid(trimPartialRune(win)) {
		s.out, s.enc = s.br, "UTF-8"
	} else {
		s.out, s.enc = transform.NewReader(s.br, simplifiedchinese.GB18030.NewDecoder()), "GB18030"
	}
	return s.out.Read(p)
}

func firstNonASCII(b []byte) int {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// trimPartialRune drops a UTF-8 sequence cut at the end of the window.
func trimPartialRune(b []byte) []byte {
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return b[:len(b)-k]
			}
			return b
		}
	}
	return b
}
