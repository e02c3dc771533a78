package importer

import (
	"bytes"
	"io"
	"testing"
	"unicode/utf8"
)

// FuzzReadCSV: any bytes read as CSV end in io.EOF or an error, never a
// panic, and UTF-8 input comes back unchanged in the cells.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"客户ID,标签\nwm1,高意向\n", "\ufeffa,b\n1,2\n", "\xbf\xcd\xbb\xa7ID,\xb1\xea\xc7\xa9\n", "a\tb\n\"x\n", "\xff\xfea\x00,\x00b\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows := OpenCSV(bytes.NewReader(data))
		var cells int
		for n := 0; n < 10000; n++ {
			rec, _, err := rows.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				break
			}
			cells += len(rec)
		}
		if rows.Encoding() == "" {
			t.Errorf("no encoding reported")
		}
		if utf8.Valid(data) && !bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}) && rows.Encoding() == "GB18030" {
			t.Errorf("valid UTF-8 read as GB18030: %q", data)
		}
	})
}

// FuzzParseHeader: any header either maps or is a *HeaderError, and the
// mapped columns point inside the header.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"客户ID,标签", "external_userid,tags,op", "手机号（选填）,客群", "，,标签组,标签组"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		rec, _, err := OpenCSV(bytes.NewReader([]byte(line))).Next()
		if err != nil {
			return
		}
		h, err := ParseHeader(rec, []string{"客群", "客户等级"})
		if err != nil {
			if _, ok := err.(*HeaderError); !ok {
				t.Fatalf("error %v is not a *HeaderError", err)
			}
			return
		}
		for f := FieldCustomerID; f <= FieldFollower; f++ {
			if i := h.Col(f); i >= len(rec) {
				t.Fatalf("field %v at column %d of %d", f, i, len(rec))
			}
		}
	})
}
