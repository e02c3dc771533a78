package config

import (
	"strings"
	"testing"
)

func TestSuggestionKeys(t *testing.T) {
	tests := []struct {
		name, yaml, want string // want: a problem in the error, "" for none
	}{
		{"defaults", "", ""},
		{"expire too short", "suggestions:\n  expire: 10s\n", "config.yaml:2: suggestions.expire: must be at least 1m"},
		{"negative memory", "suggestions:\n  reject_memory: -1h\n", "config.yaml:2: suggestions.reject_memory: must not be negative"},
		{"unknown key", "suggestions:\n  expires: 1h\n", "suggestions.expires: unknown key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml", nil)
			if tc.want == "" {
				if err != nil || c.Suggestions.Expire != DefaultSuggestionExpire || c.Suggestions.RejectMemory != DefaultRejectMemory {
					t.Errorf("Parse = %+v, %v; want the defaults", c.Suggestions, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
