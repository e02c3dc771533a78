package classify

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestLLMRedactor(t *testing.T) {
	names := []LLMName{
		{Text: "李华", Who: LLMWhoCustomer}, {Text: "李华华", Who: LLMWhoCustomer}, {Text: "wmCUSTOMER0000001", Who: LLMWhoCustomer},
		{Text: "li", Who: LLMWhoEmployee}, // too short: kept
		{Text: "lisi", Who: LLMWhoEmployee}, {Text: "王五", Who: LLMWhoEmployee}, {Text: "", Who: LLMWhoEmployee},
	}
	r := newLLMRedactor(names)
	tests := []struct{ in, want string }{
		{"我是李华", "我是〔客户〕"},
		{"李华华来了", "〔客户〕来了"},
		{"找王五或 lisi 都行", "找〔员工〕或 〔员工〕 都行"},
		{"lisinopril 还有吗", "lisinopril 还有吗"}, // userid only as a whole word
		{"li 老师", "li 老师"},
		{"电话13812345678", "电话〔电话〕"},
		{"+86 138 1234 5678", "〔电话〕"},
		{"手机：１３８１２３４５６７８", "手机：〔电话〕"},
		{"座机 010-62345678", "座机 〔电话〕"},
		{"订单 2026120212345678 没到", "订单 〔号码〕 没到"},
		{"身份证 11010119900307123X", "身份证 〔号码〕"},
		{"邮箱 Li.Hua+shop@mail.example.com.cn 收", "邮箱 〔邮箱〕 收"},
		{"id wmCUSTOMER0000001 和 woAbCdEf_1234567", "id 〔客户〕 和 〔ID〕"},
		{"买 2 件，共 399 元，6 号到", "买 2 件，共 399 元，6 号到"},
		{"会员号 123456", "会员号 123456"}, // short numbers stay (prices, counts, sizes)
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := r.text(tt.in); got != tt.want {
				t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseLLMTags(t *testing.T) {
	tests := []struct {
		in      string
		want    []llmAnswerTag
		wantErr bool
	}{
		{`{"tags":[]}`, nil, false},
		{`{"tags":[{"tag":" 高意向 ","confidence":1.7,"reason":" 想买 "},{"tag":"高意向","confidence":0.2},{"tag":"","confidence":1}]}`,
			[]llmAnswerTag{{Tag: "高意向", Confidence: 1, Reason: "想买"}}, false},
		{`{"tags":[{"tag":"VIP","confidence":-3}]}`, []llmAnswerTag{{Tag: "VIP", Confidence: 0}}, false},
		{"```json\n{\"tags\":[{\"tag\":\"VIP\",\"confidence\":0.5}]}\n```", []llmAnswerTag{{Tag: "VIP", Confidence: 0.5}}, false},
		{`{"tags":null}`, nil, true},
		{`{}`, nil, true},
		{`[]`, nil, true},
		{`{"tags":[{"tag":1}]}`, nil, true},
		{`{"tags":[]} trailing`, nil, true},
		{``, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseLLMTags(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %t", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseLLMTags: any content parses or fails cleanly; parsed tags are
// non-blank, distinct, with confidence in 0..1.
func FuzzParseLLMTags(f *testing.F) {
	f.Add(`{"tags":[{"tag":"高意向","confidence":0.9,"reason":"想买"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := parseLLMTags(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, a := range tags {
			if a.Tag == "" || seen[a.Tag] || a.Confidence < 0 || a.Confidence > 1 {
				t.Fatalf("parseLLMTags(%q) gave %+v", s, a)
			}
			seen[a.Tag] = true
		}
		if _, err := parseLLMVerdict(s); err == nil && !strings.Contains(s, "supported") {
			t.Fatalf("parseLLMVerdict(%q) accepted an answer without supported", s)
		}
	})
}

// llmLongDigits is what redaction must never leave: 7 or more ASCII digits in a row.
var llmLongDigits = regexp.MustCompile(`[0-9]{7,}`)

// FuzzLLMRedact: the names given and runs of 7+ digits never survive
// redaction.
func FuzzLLMRedact(f *testing.F) {
	f.Add("我是李华，电话 138-1234-5678", "李华")
	f.Fuzz(func(t *testing.T, text, name string) {
		r := newLLMRedactor([]LLMName{{Text: name, Who: LLMWhoCustomer}})
		got := r.text(text)
		if m := llmLongDigits.FindString(got); m != "" {
			t.Fatalf("text(%q) = %q keeps the number %s", text, got, m)
		}
		n := strings.TrimSpace(name)
		if utf8.ValidString(n) && len([]rune(n)) >= 2 && !llmWordByte(n[0]) && !llmWordByte(n[len(n)-1]) && !strings.ContainsAny(n, "〔〕") &&
			strings.Contains(got, n) && !strings.Contains(strings.ReplaceAll(text, n, ""), n) {
			t.Fatalf("text(%q) = %q keeps the name %q", text, got, n)
		}
	})
}

func TestLLMMask(t *testing.T) {
	names := []LLMName{{Text: "张三", Who: LLMWhoCustomer}, {Text: "李四", Who: LLMWhoCustomer}}
	masked, back := LLMMask("给张三打上VIP，李四和张三的手机13812345678，订单1234567", names)
	wantMasked := "给〔客户1〕打上VIP，〔客户2〕和〔客户1〕的手机〔电话1〕，订单〔号码1〕"
	wantBack := map[string]string{"〔客户1〕": "张三", "〔客户2〕": "李四", "〔电话1〕": "13812345678", "〔号码1〕": "1234567"}
	if masked != wantMasked {
		t.Errorf("masked = %q, want %q", masked, wantMasked)
	}
	if !reflect.DeepEqual(back, wantBack) {
		t.Errorf("back = %v, want %v", back, wantBack)
	}
}
