package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLLMParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		env  map[string]string
		want LLM
	}{
		{"absent: off with defaults", "", nil, defaultLLM()},
		{"full", "llm:\n  base_url: https://llm.example/v1\n  model: qwen-plus\n  api_key: sk-file\n  timeout: 20s\n" +
			"  max_concurrency: 2\n  daily_token_budget: 5000\n  redact: false\n  nl_per_user_per_hour: 5\n", nil,
			LLM{BaseURL: "https://llm.example/v1", Model: "qwen-plus", APIKey: "sk-file", Timeout: 20 * time.Second,
				MaxConcurrency: 2, DailyTokenBudget: 5000, Redact: false, NLPerUserPerHour: 5}},
		{"env key wins", "llm:\n  base_url: http://127.0.0.1:1/v1\n  model: m\n  api_key: sk-file\n",
			map[string]string{EnvLLMAPIKey: " sk-env "},
			LLM{BaseURL: "http://127.0.0.1:1/v1", Model: "m", APIKey: "sk-env", Timeout: DefaultLLMTimeout,
				MaxConcurrency: DefaultLLMMaxConcurrency, DailyTokenBudget: DefaultLLMDailyTokenBudget, Redact: true,
				NLPerUserPerHour: DefaultLLMNLPerUserPerHour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in), "config.yaml", mapEnv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.LLM); diff != "" {
				t.Errorf("LLM (-want +got):\n%s", diff)
			}
			if got, want := c.LLM.Enabled(), tt.want.BaseURL != ""; got != want {
				t.Errorf("Enabled() = %t, want %t", got, want)
			}
		})
	}
}

func TestLLMErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"llm:\n  base_url: ftp://x\n  model: m\n", "config.yaml:2: llm.base_url: must be an http(s) URL"},
		{"llm:\n  base_url: https://u:pw@x/v1\n  model: m\n", "llm.base_url: must not hold a user name or password"},
		{"llm:\n  base_url: https://x/v1\n", "llm.model: set both llm.base_url and llm.model"},
		{"llm:\n  timeout: 0s\n", "config.yaml:2: llm.timeout: must be between 1s and 5m"},
		{"llm:\n  max_concurrency: 0\n", "config.yaml:2: llm.max_concurrency: must be between 1 and 256"},
		{"llm:\n  daily_token_budget: -1\n", "config.yaml:2: llm.daily_token_budget: must not be negative"},
		{"llm:\n  nl_per_user_per_hour: -1\n", "config.yaml:2: llm.nl_per_user_per_hour: must be between 0"},
		{"llm:\n  redact: yes please\n", "config.yaml:2: llm.redact: want true or false"},
		{"llm:\n  apikey: x\n", "config.yaml:2: llm.apikey: unknown key (did you mean api_key?)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), "config.yaml", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "pw@") {
				t.Errorf("error leaks the URL password: %v", err)
			}
		})
	}
}

func TestLLMKeyNeverPrinted(t *testing.T) {
	c, err := Parse([]byte("llm:\n  base_url: https://x/v1?key=q-secret\n  model: m\n"), "config.yaml",
		mapEnv(map[string]string{EnvLLMAPIKey: "sk-topsecret"}))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", c, "llm", c.LLM)
	for name, out := range map[string]string{
		"Redacted": c.Redacted(), "%v": fmt.Sprintf("%v", c), "%+v llm": fmt.Sprintf("%+v", c.LLM),
		"%#v llm": fmt.Sprintf("%#v", c.LLM), "slog": logged.String(),
	} {
		for _, secret := range []string{"sk-topsecret", "q-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks %q:\n%s", name, secret, out)
			}
		}
	}
	if !strings.Contains(c.Redacted(), "  api_key: '***'\n") {
		t.Errorf("Redacted() lacks the masked api_key:\n%s", c.Redacted())
	}
}
