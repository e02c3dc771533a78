package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func credentialed(t *testing.T) *Config {
	t.Helper()
	c, err := Parse([]byte("wecom:\n  corp_id: ww42\n"), "config.yaml", mapEnv(map[string]string{
		EnvSecret:         "topsecret-value",
		EnvToken:          "token-value",
		EnvEncodingAESKey: validKey,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRedactionNeverLeaks(t *testing.T) {
	c := credentialed(t)
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", c)
	outputs := map[string]string{
		"Redacted":      c.Redacted(),
		"String":        c.String(),
		"%v pointer":    fmt.Sprintf("%v", c),
		"%+v value":     fmt.Sprintf("%+v", *c),
		"%#v pointer":   fmt.Sprintf("%#v", c),
		"%v wecom":      fmt.Sprintf("%v", c.WeCom),
		"%+v wecom":     fmt.Sprintf("%+v", c.WeCom),
		"%#v wecom":     fmt.Sprintf("%#v", c.WeCom),
		"slog LogValue": logged.String(),
	}
	for name, out := range outputs {
		for _, secret := range []string{"topsecret-value", "token-value", validKey} {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks %q:\n%s", name, secret, out)
			}
		}
		if !strings.Contains(out, "***") || !strings.Contains(out, "ww42") {
			t.Errorf("%s should show *** and the corp id:\n%s", name, out)
		}
	}
}

func TestRedactedIsYAML(t *testing.T) {
	c := credentialed(t)
	c.Groups["客户等级"] = GroupPolicy{Exclusive: true, Protected: []string{"VIP"}}
	out := c.Redacted()
	for _, line := range []string{
		"  secret: '***'",
		"  token: '***'",
		"  encoding_aes_key: '***'",
		"  timestamp_window: 5m0s",
		"  sync_interval: 24h0m0s",
		"    protected: [VIP]",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("Redacted() lacks line %q:\n%s", line, out)
		}
	}
	// Unset secrets show as empty, so the output stays a valid config.
	back, err := Parse([]byte(Default().Redacted()), "redacted.yaml", nil)
	if err != nil {
		t.Fatalf("Default().Redacted() does not parse: %v", err)
	}
	back.src = nil
	if got, want := back.Redacted(), Default().Redacted(); got != want {
		t.Errorf("round trip changed the config:\n%s\nwant\n%s", got, want)
	}
}

func TestRole(t *testing.T) {
	c := Default()
	c.Roles = Roles{Admins: []string{"boss", "both"}, Managers: []string{"lead", "both"}}
	tests := []struct{ user, want string }{
		{"boss", RoleAdmin},
		{"both", RoleAdmin},
		{"lead", RoleManager},
		{"zhangsan", RoleEmployee},
		{"", RoleEmployee},
		{"Boss", RoleEmployee}, // userids are case-sensitive
	}
	for _, tt := range tests {
		if got := c.Role(tt.user); got != tt.want {
			t.Errorf("Role(%q) = %q, want %q", tt.user, got, tt.want)
		}
	}
}

func TestSlogLevel(t *testing.T) {
	tests := map[string]slog.Level{
		LevelDebug: slog.LevelDebug, LevelInfo: slog.LevelInfo,
		LevelWarn: slog.LevelWarn, LevelError: slog.LevelError,
	}
	for level, want := range tests {
		if got := (Log{Level: level}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", level, got, want)
		}
	}
}
