package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "https://qyapi.weixin.qq.com", "https://qyapi.weixin.qq.com"},
		{"path kept", "https://proxy.example/wecom/", "https://proxy.example/wecom/"},
		{"user and password", "http://user:secret@host:8080/p", "http://***@host:8080/p"},
		{"user only", "http://token@host", "http://***@host"},
		{"at sign in password", "http://u:p@ss@host", "http://***@host"},
		{"query values", "https://h/p?access_token=abc&corpsecret=def&flag", "https://h/p?access_token=***&corpsecret=***&flag"},
		{"fragment dropped", "https://h/#secret", "https://h/"},
		{"no scheme", "user:secret@host/x", "***@host/x"},
		{"at sign in path is not userinfo", "https://h/a@b", "https://h/a@b"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	in := `proxy "http://u:pw@h:1/x?k=v" failed; retry https://a:b@c then ftp://d`
	want := `proxy "http://***@h:1/x?k=***" failed; retry https://***@c then ftp://d`
	if got := RedactText(in); got != want {
		t.Errorf("RedactText:\n got %s\nwant %s", got, want)
	}
}

// TestConfigViewsRedactAPIBase: a password in api_base (refused by Load,
// but a Config can still be built and printed) shows in no view.
func TestConfigViewsRedactAPIBase(t *testing.T) {
	c := Default()
	c.WeCom.APIBase = "https://user:pa55word@proxy.example/?key=k3y"
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", c)
	views := map[string]string{
		"Redacted":  c.Redacted(),
		"%v wecom":  fmt.Sprintf("%v", c.WeCom),
		"%#v wecom": fmt.Sprintf("%#v", c.WeCom),
		"slog":      logged.String(),
	}
	for name, out := range views {
		if strings.Contains(out, "pa55word") || strings.Contains(out, "k3y") {
			t.Errorf("%s leaks the api_base password or query:\n%s", name, out)
		}
		if !strings.Contains(out, "proxy.example") {
			t.Errorf("%s lost the api_base host:\n%s", name, out)
		}
	}
}

func FuzzRedactURLHidesPassword(f *testing.F) {
	f.Add("http", "user", "secret", "host", "k")
	f.Fuzz(func(t *testing.T, scheme, user, password, host, key string) {
		if len(password) < 4 || strings.ContainsAny(scheme+password, "/?#@&=") || strings.ContainsAny(user, "/?#@") ||
			strings.ContainsAny(host, "/?#@") || strings.Contains(scheme+user+host+key, password) {
			return
		}
		raw := scheme + "://" + user + ":" + password + "@" + host + "/?" + key + "=" + password
		if got := RedactURL(raw); strings.Contains(got, password) {
			t.Errorf("RedactURL(%q) = %q keeps the password", raw, got)
		}
	})
}
