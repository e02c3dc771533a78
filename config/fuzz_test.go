package config

import (
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzParse checks that Parse never panics, that failures are always a
// non-empty *Error, and that an accepted config survives a Redacted round
// trip when it holds no secrets. Seeds: the committed config.yaml and
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../config.yaml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "config.yaml", nil)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %T %q is not a non-empty *Error", err, err)
			}
			for _, p := range ce.Problems {
				if p.Msg == "" || p.Line < 0 {
					t.Fatalf("bad problem %+v", p)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config fails Validate: %v", err)
		}
		_ = c.RequireCredentials()
		_ = c.Role("zhangsan")
		if c.WeCom.Secret != "" || c.WeCom.Token != "" || c.WeCom.EncodingAESKey != "" || c.API.Token != "" {
			return
		}
		back, err := Parse([]byte(c.Redacted()), "redacted.yaml", nil)
		if err != nil {
			t.Fatalf("Redacted() of an accepted config does not parse: %v\n%s", err, c.Redacted())
		}
		c.src, back.src = nil, nil
		if diff := cmp.Diff(normalize(c), normalize(back), cmpopts.IgnoreUnexported(Config{})); diff != "" {
			t.Fatalf("round trip changed the config (-before +after):\n%s", diff)
		}
	})
}

// normalize makes nil and empty slices compare equal.
func normalize(c *Config) *Config {
	n := *c
	fix := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s
	}
	n.Roles.Admins, n.Roles.Managers = fix(n.Roles.Admins), fix(n.Roles.Managers)
	n.KF.OpenKfIDs = fix(n.KF.OpenKfIDs)
	n.RulePacks = fix(n.RulePacks)
	n.Lifecycle = nil // like rules:, lifecycle: is not shown by Redacted
	n.Triggers = nil
	for _, t := range c.Triggers {
		t.Line = 0
		t.OnAdd, t.OnRemove, t.Add, t.Remove, t.Notify = fix(t.OnAdd), fix(t.OnRemove), fix(t.Add), fix(t.Remove), fix(t.Notify)
		n.Triggers = append(n.Triggers, t)
	}
	n.Groups = make(map[string]GroupPolicy, len(c.Groups))
	for k, g := range c.Groups {
		g.EditableBy, g.Protected = fix(g.EditableBy), fix(g.Protected)
		n.Groups[k] = g
	}
	return &n
}
