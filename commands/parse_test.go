package commands

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	w := func(v string) Token { return Token{Kind: Word, Value: v} }
	tests := []struct {
		in   string
		want Command
		err  string
	}{
		{in: "/tag 王小明 +高意向 -低意向", want: Command{Slash: true, Name: "tag", Args: []Token{w("王小明"), {Kind: AddTag, Value: "高意向"}, {Kind: RemoveTag, Value: "低意向"}}}},
		{in: "／打标签　\"王 小明\" ＋VIP －普通 咖啡", want: Command{Slash: true, Name: "打标签", Args: []Token{w("王 小明"), {Kind: AddTag, Value: "VIP"}, {Kind: RemoveTag, Value: "普通"}, w("咖啡")}}},
		{in: "/TAG 「王 小明」 +“高 意向”", want: Command{Slash: true, Name: "tag", Args: []Token{w("王 小明"), {Kind: AddTag, Value: "高 意向"}}}},
		{in: "/find tag:高意向 TAG：VIP page:2 标签:咖啡", want: Command{Slash: true, Name: "find", Args: []Token{
			{Kind: Filter, Key: "tag", Value: "高意向"}, {Kind: Filter, Key: "tag", Value: "VIP"}, {Kind: Filter, Key: "page", Value: "2"}, {Kind: Filter, Key: "tag", Value: "咖啡"}}}},
		{in: "/history @zhangsan since:2026-11-01 15:04 until:昨天", want: Command{Slash: true, Name: "history", Args: []Token{
			{Kind: Mention, Value: "zhangsan"}, {Kind: Filter, Key: "since", Value: "2026-11-01 15:04"}, {Kind: Filter, Key: "until", Value: "昨天"}}}},
		{in: "/rollback #2 11-01 9:30 @lisi", want: Command{Slash: true, Name: "rollback", Args: []Token{{Kind: Pick, Value: "2"}, w("11-01 9:30"), {Kind: Mention, Value: "lisi"}}}},
		{in: "/history 王小明 since:\"3 天前\"", want: Command{Slash: true, Name: "history", Args: []Token{w("王小明"), {Kind: Filter, Key: "since", Value: "3 天前"}}}},
		{in: "#3", want: Command{Args: []Token{{Kind: Pick, Value: "3"}}}},
		{in: "#3a + - @ tag: foo:bar", want: Command{Args: []Token{w("#3a"), w("+"), w("-"), w("@"), {Kind: Filter, Key: "tag", Value: "foo:bar"}}}},
		{in: "/history since: 昨天 15:04 tag: +x", want: Command{Slash: true, Name: "history", Args: []Token{
			{Kind: Filter, Key: "since", Value: "昨天 15:04"}, w("tag:"), {Kind: AddTag, Value: "x"}}}},
		{in: "/history since:２０２６－１１－０１　１５：０４ ＃１２ \"１２\"", want: Command{Slash: true, Name: "history", Args: []Token{
			{Kind: Filter, Key: "since", Value: "2026-11-01 15:04"}, {Kind: Pick, Value: "12"}, w("１２")}}},
		{in: "  给王小明打个标签  ", want: Command{Args: []Token{w("给王小明打个标签")}}},
		{in: "/tag 李\u200b华 +高意向\u202e @\u2066lisi\x00", want: Command{Slash: true, Name: "tag", Args: []Token{w("李华"), {Kind: AddTag, Value: "高意向"}, {Kind: Mention, Value: "lisi"}}}},
		{in: "/\u200btags\ufeff #\u200b1", want: Command{Slash: true, Name: "tags", Args: []Token{{Kind: Pick, Value: "1"}}}},
		{in: "/", want: Command{Slash: true}},
		{in: "", want: Command{}},
		{in: `/tag "王 小明 +高意向`, err: "引号没有配对"},
		{in: `/tag 王小明 +「高意向`, err: "引号没有配对"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %+v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) =\n %+v, %v\nwant\n %+v", tc.in, got, err, tc.want)
		}
		if back, err := Parse(got.String()); err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("Parse(%q).String() = %q reads back as %+v, %v", tc.in, got.String(), back, err)
		}
	}
}

// FuzzParse checks that Parse never panics, that tokens are well formed and
// that String gives text Parse reads back to the same command.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/tag 王小明 +高意向", "/find tag:VIP page:2", "#2", `/tag "王 小明" ＋VIP`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var ue *UserError
			if !asUserError(err, &ue) || ue.Code != CodeUsage {
				t.Fatalf("Parse(%q) error %v is not a usage UserError", s, err)
			}
			return
		}
		for _, tok := range c.Args {
			if !utf8.ValidString(tok.Value) {
				t.Fatalf("token value not UTF-8: %q", tok.Value)
			}
			switch tok.Kind {
			case Pick:
				if tok.Value == "" || strings.Trim(tok.Value, "0123456789") != "" {
					t.Fatalf("pick %q", tok.Value)
				}
			case Filter:
				if _, ok := filterKeys[tok.Key]; !ok {
					t.Fatalf("filter key %q", tok.Key)
				}
			}
		}
		text := c.String()
		back, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q fails: %v", s, text, err)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip of %q via %q:\n %+v\n %+v", s, text, c, back)
		}
	})
}

func asUserError(err error, target **UserError) bool {
	ue, ok := err.(*UserError)
	*target = ue
	return ok
}
