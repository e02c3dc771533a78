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
