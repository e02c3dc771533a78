package rules

import (
	"errors"
	"strings"
	"testing"
)

func TestCompileLifecycle(t *testing.T) {
	tests := []struct {
		when    string
		wantErr string // "" compiles
	}{
		{`days_since(customer.last_message) > 180 and has_tag("活跃会员")`, ""},
		{`days_since(tag_added("童装尺码档案")) > 90 and count_events("order", "90d") == 0`, ""},
		{`count("咖啡", "30d") >= 8`, ""},
		{`customer.state == "展会" and events("coupon_claim", "7d") > 0`, ""},
		{`count_events("order", "90x") == 0`, `window "90x"`},
		{`tag_added(3)`, "column"},
		{`message.text contains "x" or nosuch("a")`, "unknown name nosuch (column 30)"},
		{`count("a", "1d")`, "expected bool"},
		{" ", "empty condition"},
	}
	for _, tt := range tests {
		t.Run(tt.when, func(t *testing.T) {
			prog, err := CompileLifecycle(tt.when)
			if tt.wantErr == "" {
				if err != nil || prog == nil {
					t.Fatalf("CompileLifecycle: %v", err)
				}
				return
			}
			var ee *ExprError
			if !errors.As(err, &ee) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v; want an *ExprError containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLiteralArgs(t *testing.T) {
	prog, err := CompileLifecycle(`has_tag("A") and days_since(tag_added("B")) > 1 and count("x", "30d") > 1 or has_tag("C")`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(LiteralArgs(prog, "has_tag", 0), ","); got != "A,C" {
		t.Errorf("has_tag args %q; want A,C", got)
	}
	if got := strings.Join(LiteralArgs(prog, "count", 1), ","); got != "30d" {
		t.Errorf("count windows %q; want 30d", got)
	}
}

// FuzzCompileLifecycle: any condition compiles or fails with an
// *ExprError whose column is inside the text; nothing panics.
func FuzzCompileLifecycle(f *testing.F) {
	for _, s := range []string{`days_since(customer.last_message) > 180 and has_tag("活跃会员")`,
		`count_events("order", "90d") == 0`, `count("咖啡", "30d") >= 8`, `tag_added(`, "\"\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, when string) {
		_, err := CompileLifecycle(when)
		if err == nil {
			return
		}
		var ee *ExprError
		if !errors.As(err, &ee) || ee.Line < 1 || ee.Column < 1 {
			t.Fatalf("error %T %v: want an *ExprError with a position", err, err)
		}
	})
}
