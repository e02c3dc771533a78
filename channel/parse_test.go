package channel

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/wecom"
)

func parseLine(t testing.TB, line string) (request, error) {
	t.Helper()
	cmd, err := commands.Parse(line)
	if err != nil {
		return request{}, err
	}
	return parseArgs(cmd.Args)
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		line string
		want request
	}{
		{"/qr", request{action: actList}},
		{"/qr del 618活动", request{action: actDelete, name: "618活动"}},
		{"/qr 删除 618活动", request{action: actDelete, name: "618活动"}},
		{"/qr 618活动 +618意向用户", request{action: actCreate, name: "618活动", tags: []string{"618意向用户"}}},
		{"/qr 618活动 +A +B +A @zhangsan @lisi", request{action: actCreate, name: "618活动", tags: []string{"A", "B"}, followers: []string{"zhangsan", "lisi"}}},
		{`/qr 展会 +展会 welcome "欢迎 光临：请看置顶"`, request{action: actCreate, name: "展会", tags: []string{"展会"}, welcome: "欢迎 光临：请看置顶"}},
		{`/qr 展会 +展会 欢迎语 「你好 呀」`, request{action: actCreate, name: "展会", tags: []string{"展会"}, welcome: "你好 呀"}},
		{`/qr 展会 +展会 欢迎语「你好」`, request{action: actCreate, name: "展会", tags: []string{"展会"}, welcome: "你好"}},
		{`/qr 展会 +展会 welcome:你好`, request{action: actCreate, name: "展会", tags: []string{"展会"}, welcome: "你好"}},
		{`/qr 展会 +展会 WELCOME: "你 好"`, request{action: actCreate, name: "展会", tags: []string{"展会"}, welcome: "你 好"}},
		{`/qr welcomepage +展会`, request{action: actCreate, name: "welcomepage", tags: []string{"展会"}}},
		{`/qr 展会 +展会 welcome:"欢迎 光临 @门店" @lisi`, request{action: actCreate, name: "展会", tags: []string{"展会"}, followers: []string{"lisi"}, welcome: "欢迎 光临 @门店"}},
		{`/qr 展会 +展会 welcome:「你好 呀」`, request{action: actCreate, name: "展会", tags: []string{"展会"}, welcome: "你好 呀"}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got, err := parseLine(t, tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parse = %+v\nwant    %+v", got, tc.want)
			}
		})
	}
}

func TestParseArgsRefused(t *testing.T) {
	tests := []struct{ line, want string }{
		{"/qr 618活动", "请写扫码客户要打的标签"},
		{"/qr +A", "请写渠道名"},
		{"/qr del", "用法：/qr del <渠道名>"},
		{"/qr del a b", "用法：/qr del <渠道名>"},
		{"/qr a b +A", "看不懂「b」"},
		{"/qr " + strings.Repeat("长", 31) + " +A", "渠道名要 1 到 30 个字"},
		{`/qr a +A welcome`, "欢迎语是空的"},
		{`/qr a +A welcome x welcome y`, "欢迎语只能写一段"},
		{"/qr a +A -B", "看不懂"},
		{`/qr a +A welcome:"没有 结尾`, "欢迎语的引号没有配对"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			_, err := parseLine(t, tc.line)
			var ue *commands.UserError
			if !errors.As(err, &ue) || !strings.Contains(ue.Message, tc.want) {
				t.Errorf("err = %v, want a user error containing %q", err, tc.want)
			}
		})
	}
}

func TestStateOf(t *testing.T) {
	tests := []struct{ name, want string }{
		{"618活动", "qr-618-"},
		{"展会", "qr-"},
		{"Spring Sale 2026 China", "qr-SpringSale20-"},
	}
	for _, tc := range tests {
		got := StateOf(tc.name)
		if !strings.HasPrefix(got, tc.want) || len(got) > wecom.MaxStateLen {
			t.Errorf("StateOf(%q) = %q, want prefix %q and at most %d characters", tc.name, got, tc.want, wecom.MaxStateLen)
		}
	}
	if StateOf("渠道A") == StateOf("渠道B") {
		t.Errorf("two names share a state %q", StateOf("渠道A"))
	}
}

// FuzzParseArgs: any /qr line parses to a valid request or a user error;
// a channel name is 1–30 visible characters and its state fits WeCom's 30.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"/qr", "/qr del 618活动", `/qr 展会 +展会 @a welcome "欢迎 光临"`, "/qr 展会 +展会 欢迎语「你好」", "/qr a +A welcome:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, err := parseLine(t, line)
		if err != nil {
			var ue *commands.UserError
			if !errors.As(err, &ue) || ue.Message == "" {
				t.Fatalf("%q: error %v is not a user error", line, err)
			}
			return
		}
		switch got.action {
		case actList:
		case actCreate, actDelete:
			if n := utf8.RuneCountInString(got.name); n == 0 || n > MaxNameLen {
				t.Fatalf("%q: name %q", line, got.name)
			}
			if st := StateOf(got.name); utf8.RuneCountInString(st) > wecom.MaxStateLen || strings.ContainsAny(st, ": \r\n") {
				t.Fatalf("%q: state %q", line, st)
			}
			if got.action == actCreate && len(got.tags) == 0 {
				t.Fatalf("%q: create without tags", line)
			}
		default:
			t.Fatalf("%q: action %q", line, got.action)
		}
	})
}
