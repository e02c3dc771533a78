package config

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// contractKeys are the key paths of config.yaml other packages and
// operators rely on; the committed example must show every one of them.
var contractKeys = []string{
	"wecom", "wecom.corp_id", "wecom.agent_id", "wecom.secret", "wecom.token",
	"wecom.encoding_aes_key", "wecom.api_base", "wecom.rate_limits", "wecom.sync_interval",
	"server", "server.listen", "server.callback_path", "server.timestamp_window", "server.max_body_bytes",
	"store", "store.path", "store.sync", "store.compact_interval",
	"roles", "roles.admins", "roles.managers",
	"groups",
	"messages", "messages.per_user_per_minute", "messages.per_user_per_hour",
	"log", "log.level",
	"api", "api.token", "api.max_body_bytes", "intake", "intake.history", "kf", "kf.enabled", "kf.open_kfids",
	"llm", "llm.base_url", "llm.model", "llm.api_key", "llm.timeout", "llm.max_concurrency", "llm.daily_token_budget", "llm.redact",
	"suggestions", "suggestions.expire", "suggestions.reject_memory",
}

func TestCommittedExample(t *testing.T) {
	data, err := os.ReadFile("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data, "config.yaml", nil)
	if err != nil {
		t.Fatalf("committed config.yaml does not parse:\n%v", err)
	}
	for _, k := range contractKeys {
		if c.src.lines[k] == 0 {
			t.Errorf("config.yaml does not show key %s", k)
		}
	}
	for _, k := range []string{"editable_by", "exclusive", "protected"} {
		if c.src.lines["groups.意向程度."+k] == 0 {
			t.Errorf("config.yaml sample group 意向程度 does not show %s", k)
		}
	}

	// The example shows the defaults, apart from its sample groups.
	got := *c
	got.src, got.Groups, got.Triggers = nil, nil, nil
	want := *Default()
	want.Groups = nil
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("config.yaml differs from Default() (-want +got):\n%s", diff)
	}
	// The sample groups are SampleGroups(), which the demo uses without a config.yaml.
	if diff := cmp.Diff(SampleGroups(), c.Groups, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("config.yaml groups differ from SampleGroups() (-want +got):\n%s", diff)
	}
	// The sample triggers are SampleTriggers(), which the demo uses without a config.yaml.
	if diff := cmp.Diff(SampleTriggers(), c.Triggers, cmpopts.IgnoreFields(Trigger{}, "Line")); diff != "" {
		t.Errorf("config.yaml triggers differ from SampleTriggers() (-want +got):\n%s", diff)
	}
	if vip := c.Groups["客户等级"]; !vip.Exclusive || len(vip.Protected) != 1 || vip.Protected[0] != "VIP" {
		t.Errorf("客户等级 = %+v, want exclusive with VIP protected", vip)
	}
	if intent, ok := c.Groups["意向程度"]; !ok || !intent.Exclusive {
		t.Errorf("意向程度 = %+v (present %v), want exclusive", intent, ok)
	}

	// Credentials are left empty for demo; serve must be told about all four.
	err = c.RequireCredentials()
	ce, ok := err.(*Error)
	if !ok || len(ce.Problems) != 4 {
		t.Fatalf("RequireCredentials() = %v, want 4 problems", err)
	}
	for _, p := range ce.Problems {
		if p.Line == 0 {
			t.Errorf("problem %+v should point at its line in config.yaml", p)
		}
	}
}
