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
	got.src, got.Groups = nil, nil
	want := *Default()
	want.Groups = nil
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("config.yaml differs from Default() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(GroupPolicy{Exclusive: true, Protected: []string{"VIP"}}, c.Groups["客户等级"], cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("客户等级 (-want +got):\n%s", diff)
	}
	if intent, ok := c.Groups["意向程度"]; !ok || !intent.Exclusive {
		t.Errorf("意向程度 = %+v (present %v), want exclusive", intent, ok)
	}
	if len(c.Groups) != 2 {
		t.Errorf("got %d sample groups, want 2", len(c.Groups))
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
