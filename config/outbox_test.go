package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestOutboxLimits(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    WeComLimits
		wantErr string
	}{
		{"defaults", "wecom:\n  corp_id: c\n", WeComLimits{HourlyLimits: map[string]int{}, Concurrency: map[string]int{}}, ""},
		{"set", "wecom:\n  hourly_limits:\n    externalcontact/mark_tag: 120000\n  concurrency:\n    externalcontact/mark_tag: 5\n",
			WeComLimits{HourlyLimits: map[string]int{"externalcontact/mark_tag": 120000}, Concurrency: map[string]int{"externalcontact/mark_tag": 5}}, ""},
		{"zero", "wecom:\n  concurrency:\n    externalcontact/mark_tag: 0\n", WeComLimits{}, "wecom.concurrency.externalcontact/mark_tag: must be a positive number of calls at once"},
		{"bad path", "wecom:\n  hourly_limits:\n    /cgi-bin/x?secret=1: 5\n", WeComLimits{}, "wecom.hourly_limits./cgi-bin/x…: must be an API path"},
		{"negative", "wecom:\n  hourly_limits:\n    externalcontact/mark_tag: -1\n", WeComLimits{}, "wecom.hourly_limits.externalcontact/mark_tag: must be a positive number of calls per hour (got -1)"},
		{"null", "wecom:\n  hourly_limits:\n    externalcontact/mark_tag:\n", WeComLimits{}, "want an integer, got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml", mapEnv(nil))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.WeCom.Outbox, tt.want) {
				t.Errorf("WeCom.Outbox = %+v, want %+v", c.WeCom.Outbox, tt.want)
			}
		})
	}
}

// TestLimitWarnings: values above WeCom's own limits are warned about by
// key (the corp would be blocked), at or below them not at all.
func TestLimitWarnings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"within", "wecom:\n  rate_limits:\n    externalcontact/mark_tag: 10000\n  hourly_limits:\n    externalcontact/mark_tag: 150000\n  concurrency:\n    externalcontact/mark_tag: 5\n    externalcontact/list: 20\n", nil},
		{"above", "wecom:\n  rate_limits:\n    externalcontact/mark_tag: 10001\n  hourly_limits:\n    externalcontact/get: 200000\n  concurrency:\n    externalcontact/mark_tag: 8\n", []string{
			"wecom.rate_limits.externalcontact/mark_tag: 10001 calls per minute is above WeCom's own limit of 10000 per API per corp (shared by all the corp's apps): the corp will be blocked (errcode 45009)",
			"wecom.hourly_limits.externalcontact/get: 200000 calls per hour is above WeCom's own limit of 150000 per API per corp (shared by all the corp's apps): the corp will be blocked (errcode 45009)",
			"wecom.concurrency.externalcontact/mark_tag: 8 calls at once is above WeCom's own limit of 5 per API per corp (shared by all the corp's apps): the corp will be blocked (errcode 45033)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml", mapEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.LimitWarnings(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LimitWarnings =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
