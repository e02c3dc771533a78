package bulk

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
)

var testNow = time.Date(2026, 11, 20, 15, 0, 0, 0, config.ChinaZone)

// parseText parses a whole /bulk message.
func parseText(text string) (Request, error) {
	cmd, err := commands.Parse(text)
	if err != nil {
		return Request{}, err
	}
	return Parse(cmd.Args, testNow, config.ChinaZone)
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, sel, add, remove string
	}{
		{"/bulk tag:老客户 and not tag:已流失 +双十一", "tag:老客户 and not tag:已流失", "双十一", ""},
		{"/bulk tag:老客户 not tag:已流失 +双十一", "tag:老客户 and not tag:已流失", "双十一", ""},
		{"/bulk tag:A or tag:B -C", "tag:A or tag:B", "", "C"},
		{"/bulk (tag:A or tag:B) and @zhangsan +C -D", "(tag:A or tag:B) and @zhangsan", "C", "D"},
		{"/bulk ( tag:A 或 tag:B ) 且 非 tag:C +D", "(tag:A or tag:B) and not tag:C", "D", ""},
		{"/bulk tag:A and (tag:B or (tag:C and @lisi)) +D", "tag:A and (tag:B or (tag:C and @lisi))", "D", ""},
		{"/bulk （tag:A or tag:B） +C", "tag:A or tag:B", "C", ""},
		{"/bulk tag:客户(VIP) +C", "tag:「客户(VIP)」", "C", ""},
		{"/bulk (tag:客户(VIP)) +C", "tag:「客户(VIP)」", "C", ""},
		{"/bulk tag:A or tag:B and tag:C +D", "tag:A or (tag:B and tag:C)", "D", ""},
		{"/bulk state:展会2026 since:2026-11-01 until:2026-11-10 +D", "state:展会2026 and since:2026-11-01 and until:2026-11-10", "D", ""},
		{"/bulk 状态：展会 +D", "state:展会", "D", ""},
		{"/bulk not @zhangsan +D", "not @zhangsan", "D", ""},
		{"/bulk not not tag:A +D", "not not tag:A", "D", ""},
		{`/bulk tag:"老 客户" +"双 十一"`, "tag:「老 客户」", "双 十一", ""},
		{"/bulk +D tag:A", "tag:A", "D", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := parseText(tt.in)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			got := struct{ sel, add, remove string }{r.Select.String(), strings.Join(r.Add, ","), strings.Join(r.Remove, ",")}
			want := struct{ sel, add, remove string }{tt.sel, tt.add, tt.remove}
			if got != want {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseTimes(t *testing.T) {
	r, err := parseText("/bulk since:2026-11-01 until:2026-11-10 +D")
	if err != nil {
		t.Fatal(err)
	}
	and := r.Select.(And)
	since, until := and.Terms[0].(Since), and.Terms[1].(Until)
	if want := time.Date(2026, 11, 1, 0, 0, 0, 0, config.ChinaZone); !since.At.Equal(want) {
		t.Errorf("since %v; want %v", since.At, want)
	}
	if want := time.Date(2026, 11, 11, 0, 0, 0, 0, config.ChinaZone); !until.At.Equal(want) {
		t.Errorf("until %v; want the end of 11-10, %v", until.At, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/bulk tag:A", "+标签"},
		{"/bulk +A", "要改哪些客户"},
		{"/bulk (tag:A or tag:B +C", "少了右括号"},
		{"/bulk tag:A) +C", "多了一个右括号"},
		{"/bulk tag:A and +C", "条件没写完"},
		{"/bulk or tag:A +C", "前面要有条件"},
		{"/bulk () +C", "括号里没有条件"},
		{"/bulk 王小明 +C", "看不懂「王小明」"},
		{"/bulk #2 +C", "#编号"},
		{"/bulk page:2 +C", "不能用 page:"},
		{"/bulk since:明年 +C", ""},
		{"/bulk state: +C", "state: 后面"},
		{"/bulk tag:A" + strings.Repeat(" or tag:B", 40) + " +C", "条件太长"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseText(tt.in)
			var ue *commands.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v; want a user error", err)
			}
			if !strings.Contains(ue.Message, tt.want) {
				t.Errorf("message %q; want it to say %q", ue.Message, tt.want)
			}
		})
	}
}

// FuzzParse: no input panics, and a parsed selection written back with
// String parses to the same selection.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"tag:A and not tag:B +C", "(tag:A or @u) since:昨天 -D", "state:x ((tag:A)) +B", "not not ( +A", "tag:客户(VIP)) +A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := parseText("/bulk " + text)
		if err != nil {
			return
		}
		back := r.Select.String()
		if strings.ContainsAny(back, "」\"") {
			return // a value with a closing quote cannot be quoted back
		}
		again, err := parseText("/bulk " + back + " +X")
		if err != nil {
			t.Fatalf("%q parsed, but its String %q does not: %v", text, back, err)
		}
		if again.Select.String() != back {
			t.Fatalf("%q → %q → %q", text, back, again.Select.String())
		}
	})
}
