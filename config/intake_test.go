package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestIntakeKeys(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want string // a problem in the error, "" for none
	}{
		{"defaults", "", nil, ""},
		{"short token", "api:\n  token: abc\n", nil, "config.yaml:2: api.token: must be at least 16 characters"},
		{"token from the environment", "", map[string]string{EnvAPIToken: "short"}, "(from env TAGBOT_API_TOKEN)"},
		{"body limit", "api:\n  max_body_bytes: 0\n", nil, "config.yaml:2: api.max_body_bytes: must be a positive number"},
		{"history too short", "intake:\n  history: 10m\n", nil, "config.yaml:2: intake.history: must be at least 1h"},
		{"blank kf account", "kf:\n  open_kfids: [\"\"]\n", nil, "kf.open_kfids[0]: must not be empty"},
		{"unknown kf key", "kf:\n  enable: true\n", nil, "kf.enable: unknown key (did you mean enabled?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml", func(k string) string { return tc.env[k] })
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if c.Intake.History != DefaultHistory || c.API.MaxBodyBytes != DefaultAPIMaxBodyBytes {
					t.Errorf("defaults = %+v, %+v", c.Intake, c.API)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	c := Default()
	c.API.Token = "0123456789abcdef-tokenvalue"
	for _, out := range []string{fmt.Sprint(c.API), fmt.Sprintf("%#v", c.API), c.Redacted()} {
		if strings.Contains(out, "tokenvalue") {
			t.Errorf("token leaks: %s", out)
		}
	}
}
