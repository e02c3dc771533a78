package config

import (
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"agentid", "agent_id", 1},
		{"sycn", "sync", 1}, // transposition
		{"kitten", "sitting", 3},
		{"客户等级", "客户级别", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	wecom := []string{"corp_id", "agent_id", "secret", "token", "encoding_aes_key", "api_base", "rate_limits"}
	tests := []struct {
		got  string
		want string
	}{
		{"agentid", "agent_id"},
		{"AgentID", "agent_id"},
		{"corp-id", "corp_id"},
		{"secert", "secret"},
		{"aes_key", "encoding_aes_key"},
		{"ratelimit", "rate_limits"},
		{"tokne", "token"},
		{"callback", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.got, wecom); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.got, got, tt.want)
		}
	}
}

func TestJoin(t *testing.T) {
	tests := []struct{ path, key, want string }{
		{"", "wecom", "wecom"},
		{"groups", "客户等级", "groups.客户等级"},
		{"groups", "a.b", `groups."a.b"`},
		{"groups", "has space", `groups."has space"`},
		{"groups", "", `groups.""`},
		{"wecom.rate_limits", "message/send", "wecom.rate_limits.message/send"},
	}
	for _, tt := range tests {
		if got := join(tt.path, tt.key); got != tt.want {
			t.Errorf("join(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
	}
}

func TestValidateProgrammaticConfig(t *testing.T) {
	c := Default()
	c.Store.Sync = "sometimes"
	c.Groups["a.b"] = GroupPolicy{Protected: []string{" "}}
	want := "store.sync: must be one of every_second, always, never, got \"sometimes\"\n" +
		"groups.\"a.b\".protected[0]: must not be empty"
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, want)
	}
}

func TestErrorWithoutFileName(t *testing.T) {
	_, err := Parse([]byte("log:\n  level: loud\n"), "", mapEnv(map[string]string{EnvAgentID: "x"}))
	want := "line 2: log.level: must be one of debug, info, warn, error, got \"loud\"\n" +
		"wecom.agent_id: want an integer, got \"x\" (from env TAGBOT_WECOM_AGENT_ID)"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}
