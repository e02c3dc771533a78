package app

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseInjection(t *testing.T) {
	tests := []struct {
		line string
		want injection
		err  bool
	}{
		{"王小明: 这个多少钱", injection{Customer: "王小明", Text: "这个多少钱"}, false},
		{"王小明：几点发货: 明天吗", injection{Customer: "王小明", Text: "几点发货: 明天吗"}, false},
		{"王小明 !coupon_claim delay_seconds=3", injection{Customer: "王小明", EventType: "coupon_claim", Attrs: map[string]any{"delay_seconds": 3.0}}, false},
		{"王小明 !doc_view url=http://x/y", injection{Customer: "王小明", EventType: "doc_view", Attrs: map[string]any{"url": "http://x/y"}}, false},
		{"王小明 !order amount", injection{}, true},
		{"王小明", injection{}, true},
		{": 多少钱", injection{}, true},
		{"王小明:", injection{}, true},
		{"王小明 !", injection{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := parseInjection(tt.line)
			if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseInjection(%q) = %+v, %v; want %+v, error %v", tt.line, got, err, tt.want, tt.err)
			}
		})
	}
}

func FuzzParseInjection(f *testing.F) {
	for _, s := range []string{"王小明: 这个多少钱", "王小明 !coupon_claim delay_seconds=3", "a !b c=d e=1e9", "：", "x!y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		in, err := parseInjection(line)
		if err != nil {
			return
		}
		if in.Customer == "" || (in.Text == "") == (in.EventType == "") {
			t.Errorf("parseInjection(%q) = %+v: want a customer and exactly one of text and event", line, in)
		}
		if utf8.ValidString(line) && !strings.Contains(line, in.Customer) {
			t.Errorf("parseInjection(%q): customer %q is not from the line", line, in.Customer)
		}
	})
}
