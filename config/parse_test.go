package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const validKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" // 43 base64 characters

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"tab indentation", "wecom:\n\tcorp_id: x\n",
			"config.yaml:2: invalid YAML: found character that cannot start any token"},
		{"unclosed flow", "roles:\n  admins: [a,\n",
			"config.yaml:2: invalid YAML: did not find expected node content"},
		{"two documents", "log: {level: info}\n---\nlog: {level: info}\n",
			"config.yaml:2: only one YAML document is allowed"},
		{"top level list", "- wecom\n",
			"config.yaml:1: want a mapping, got a list"},
		{"unknown top key with suggestion", "log: {}\nwecon: {}\n",
			"config.yaml:2: wecon: unknown key (did you mean wecom?)"},
		{"unknown nested key with suggestion", "wecom:\n  corp_id: ww1\n  agentid: 5\n",
			"config.yaml:3: wecom.agentid: unknown key (did you mean agent_id?)"},
		{"unknown key camel case", "wecom:\n  encodingAESKey: x\n",
			"config.yaml:2: wecom.encodingAESKey: unknown key (did you mean encoding_aes_key?)"},
		{"unknown key without suggestion", "server:\n  tls: true\n",
			"config.yaml:2: server.tls: unknown key"},
		{"unknown key in group policy", "groups:\n  客户等级:\n    exclusiv: true\n",
			"config.yaml:3: groups.客户等级.exclusiv: unknown key (did you mean exclusive?)"},
		{"duplicate key", "store:\n  path: a.db\n  path: b.db\n",
			"config.yaml:3: store.path: duplicate key (first at line 2)"},
		{"merge key", "base: &b {level: info}\nlog:\n  <<: *b\n",
			"config.yaml:1: base: unknown key\nconfig.yaml:3: log: merge keys (<<) are not supported"},
		{"non-string key", "roles:\n  ? [a]\n  : x\n",
			"config.yaml:2: roles: keys must be strings, got a list"},
		{"section not a mapping", "wecom: 5\n",
			"config.yaml:1: wecom: want a mapping, got \"5\""},
		{"integer from letters", "wecom:\n  corp_id: ww1\n  secret: s\n  agent_id: abc\n",
			"config.yaml:4: wecom.agent_id: want an integer, got \"abc\""},
		{"integer quoted", "wecom:\n  agent_id: \"5\"\n",
			"config.yaml:2: wecom.agent_id: want an integer, got \"5\""},
		{"integer float", "server:\n  max_body_bytes: 1.5\n",
			"config.yaml:2: server.max_body_bytes: want an integer, got \"1.5\""},
		{"integer overflow", "messages:\n  per_user_per_hour: 99999999999999999999\n",
			"config.yaml:2: messages.per_user_per_hour: want an integer, got \"99999999999999999999\""},
		{"integer list", "messages:\n  per_user_per_minute: [1]\n",
			"config.yaml:2: messages.per_user_per_minute: want an integer, got a list"},
		{"rate limit null", "wecom:\n  rate_limits:\n    message/send:\n",
			"config.yaml:3: wecom.rate_limits.message/send: want an integer, got null"},
		{"rate limits not a map", "wecom:\n  rate_limits: [a]\n",
			"config.yaml:2: wecom.rate_limits: want a mapping, got a list"},
		{"bool", "groups:\n  意向程度:\n    exclusive: yes\n",
			"config.yaml:3: groups.意向程度.exclusive: want true or false, got \"yes\""},
		{"duration without unit", "server:\n  timestamp_window: 300\n",
			"config.yaml:2: server.timestamp_window: want a duration like 5m or 90s, got \"300\""},
		{"duration mapping", "server:\n  timestamp_window: {m: 5}\n",
			"config.yaml:2: server.timestamp_window: want a duration like 5m or 90s, got a mapping"},
		{"sync interval without unit", "wecom:\n  sync_interval: 3600\n",
			"config.yaml:2: wecom.sync_interval: want a duration like 5m or 90s, got \"3600\""},
		{"sync interval list", "wecom:\n  sync_interval: [1h]\n",
			"config.yaml:2: wecom.sync_interval: want a duration like 5m or 90s, got a list"},
		{"list from scalar", "roles:\n  admins: zhangsan\n",
			"config.yaml:2: roles.admins: want a list, got \"zhangsan\""},
		{"list element not a string", "roles:\n  managers:\n    - lisi\n    - {name: x}\n",
			"config.yaml:4: roles.managers[1]: want a string, got a mapping"},
		{"list element null", "groups:\n  g:\n    protected: [VIP, ~]\n",
			"config.yaml:3: groups.g.protected[1]: want a string, got null"},
		{"string from list", "wecom:\n  corp_id: [a]\n",
			"config.yaml:2: wecom.corp_id: want a string, got a list"},
		{"long value truncated", "wecom:\n  agent_id: " + strings.Repeat("x", 50) + "\n",
			"config.yaml:2: wecom.agent_id: want an integer, got \"" + strings.Repeat("x", 40) + "…\""},
		{"aes key length", "wecom:\n  corp_id: ww1\n  secret: s\n  token: t\n\n\n  encoding_aes_key: abcdefghijkl\n",
			"config.yaml:7: wecom.encoding_aes_key: must be 43 characters (got 12)"},
		{"aes key url-safe base64", "wecom:\n  encoding_aes_key: \"" + strings.Repeat("-", 43) + "\"\n",
			"config.yaml:2: wecom.encoding_aes_key: must be base64 (A-Z a-z 0-9 + /) as shown in the WeCom admin console"},
		{"agent id zero", "wecom:\n  agent_id: 0\n",
			"config.yaml:2: wecom.agent_id: must be a positive integer (got 0)"},
		{"api base scheme", "wecom:\n  api_base: ftp://qyapi.weixin.qq.com\n",
			"config.yaml:2: wecom.api_base: must be an http(s) URL like https://qyapi.weixin.qq.com, got \"ftp://qyapi.weixin.qq.com\""},
		{"api base with password", "wecom:\n  api_base: http://user:secret@proxy.example:8080\n",
			"config.yaml:2: wecom.api_base: must not hold a user name or password (user:password@): tagbot sends none, got \"http://***@proxy.example:8080\""},
		{"api base with user only", "wecom:\n  api_base: https://user@proxy.example/\n",
			"config.yaml:2: wecom.api_base: must not hold a user name or password (user:password@): tagbot sends none, got \"https://***@proxy.example\""},
		{"api base with fragment", "wecom:\n  api_base: https://proxy.example/#x\n",
			"config.yaml:2: wecom.api_base: must not have a fragment (#…), got \"https://proxy.example/\""},
		{"api base with query secret", "wecom:\n  api_base: https://proxy.example/?key=secret&x=secret2#frag\n",
			"config.yaml:2: wecom.api_base: must not have a query (?…): tagbot adds its own, got \"https://proxy.example/?key=***&x=***\""},
		{"rate limit key with a secret", "wecom:\n  rate_limits:\n    \"x?secret=hunter17\": 10\n",
			"config.yaml:3: wecom.rate_limits.x…: must be an API path under /cgi-bin/ without that prefix, like externalcontact/mark_tag"},
		{"rate limit key with a secret, bad value", "wecom:\n  rate_limits:\n    \"?hunter17\": abc\n",
			"config.yaml:3: wecom.rate_limits.…: want an integer, got \"abc\""},
		{"rate limit key too long", "wecom:\n  rate_limits:\n    " + strings.Repeat("a", 100) + "?key=hunter17: 10\n",
			"config.yaml:3: wecom.rate_limits." + strings.Repeat("a", 64) + "…: must be an API path under /cgi-bin/ without that prefix, like externalcontact/mark_tag"},
		{"api base password without scheme", "wecom:\n  api_base: user:secret@proxy.example\n",
			"config.yaml:2: wecom.api_base: must be an http(s) URL like https://qyapi.weixin.qq.com, got \"***@proxy.example\""},
		{"api base empty", "wecom:\n  api_base: \"\"\n",
			"config.yaml:2: wecom.api_base: must be an http(s) URL like https://qyapi.weixin.qq.com, got \"\""},
		{"rate limit path with prefix", "wecom:\n  rate_limits:\n    /cgi-bin/message/send: 10\n",
			"config.yaml:3: wecom.rate_limits./cgi-bin/message/send: must be an API path under /cgi-bin/ without that prefix, like externalcontact/mark_tag"},
		{"rate limit zero", "wecom:\n  rate_limits:\n    externalcontact/mark_tag: 0\n",
			"config.yaml:3: wecom.rate_limits.externalcontact/mark_tag: must be a positive number of calls per minute (got 0)"},
		{"listen without port", "server:\n  listen: localhost\n",
			"config.yaml:2: server.listen: must be host:port like 127.0.0.1:8080, got \"localhost\""},
		{"listen bad port", "server:\n  listen: \":http\"\n",
			"config.yaml:2: server.listen: port must be a number from 0 to 65535, got \"http\""},
		{"callback path relative", "server:\n  callback_path: wecom/callback\n",
			"config.yaml:2: server.callback_path: must be a URL path starting with /, got \"wecom/callback\""},
		{"negative window", "server:\n  timestamp_window: -1m\n",
			"config.yaml:2: server.timestamp_window: must not be negative (use 0 to disable), got -1m0s"},
		{"sync interval below a minute", "wecom:\n  corp_id: ww1\n  sync_interval: 30s\n",
			"config.yaml:3: wecom.sync_interval: must be at least 1m (use 0 to disable), got 30s"},
		{"sync interval just below a minute", "wecom:\n  sync_interval: 59.9s\n",
			"config.yaml:2: wecom.sync_interval: must be at least 1m (use 0 to disable), got 59.9s"},
		{"sync interval negative", "wecom:\n  sync_interval: -1h\n",
			"config.yaml:2: wecom.sync_interval: must be at least 1m (use 0 to disable), got -1h0m0s"},
		{"body limit zero", "server:\n  max_body_bytes: 0\n",
			"config.yaml:2: server.max_body_bytes: must be a positive number of bytes (got 0)"},
		{"store path empty", "store:\n  path: \"  \"\n",
			"config.yaml:2: store.path: must not be empty"},
		{"sync with suggestion", "store:\n  sync: alway\n",
			"config.yaml:2: store.sync: must be one of every_second, always, never, got \"alway\" (did you mean always?)"},
		{"empty admin", "roles:\n  admins:\n    - zhangsan\n    - \"\"\n",
			"config.yaml:4: roles.admins[1]: must not be empty"},
		{"empty group name", "groups:\n  \"\":\n    exclusive: true\n",
			"config.yaml:2: groups.\"\": tag group name must not be empty"},
		{"empty editor", "groups:\n  客户等级:\n    editable_by: [managers, \"\"]\n",
			"config.yaml:3: groups.客户等级.editable_by[1]: must not be empty"},
		{"group policy not a mapping", "groups:\n  客户等级: [VIP]\n",
			"config.yaml:2: groups.客户等级: want a mapping, got a list"},
		{"messages above WeCom limit", "messages:\n  per_user_per_minute: 31\n  per_user_per_hour: 0\n",
			"config.yaml:2: messages.per_user_per_minute: must be between 1 and 30, WeCom drops more (got 31)\n" +
				"config.yaml:3: messages.per_user_per_hour: must be between 1 and 1000, WeCom drops more (got 0)"},
		{"log level with suggestion", "log:\n  level: warning\n",
			"config.yaml:2: log.level: must be one of debug, info, warn, error, got \"warning\" (did you mean warn?)"},
		{"all problems sorted by line", "log:\n  level: loud\nwecom:\n  agent_id: x\n  secert: s\n",
			"config.yaml:2: log.level: must be one of debug, info, warn, error, got \"loud\"\n" +
				"config.yaml:4: wecom.agent_id: want an integer, got \"x\"\n" +
				"config.yaml:5: wecom.secert: unknown key (did you mean secret?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml", nil)
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q\nconfig:\n%s", tt.want, c)
			}
			if c != nil {
				t.Errorf("Parse returned a config along with the error")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *Error", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if len(ce.Problems) != strings.Count(tt.want, "\n")+1 {
				t.Errorf("got %d problems, want one per line", len(ce.Problems))
			}
		})
	}
}

func TestProblemFields(t *testing.T) {
	_, err := Parse([]byte("wecom:\n  agent_id: abc\n"), "cfg.yml", nil)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want *Error", err)
	}
	want := []Problem{{Path: "wecom.agent_id", Line: 2, Msg: `want an integer, got "abc"`}}
	if diff := cmp.Diff(want, ce.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if ce.File != "cfg.yml" {
		t.Errorf("file = %q, want cfg.yml", ce.File)
	}
}

func TestParseValues(t *testing.T) {
	in := `
wecom:
  corp_id: ww0123456789abcdef
  agent_id: 0x10
  secret: s3cret
  token: tok
  encoding_aes_key: ` + validKey + `
  api_base: http://127.0.0.1:9000/
  sync_interval: 6h30m
  rate_limits:
    externalcontact/mark_tag: 600
    message/send: 100
server:
  listen: ":0"
  callback_path: /cb
  timestamp_window: 0
  max_body_bytes: 2048
store:
  path: /var/lib/tagbot/t.db
  sync: always
  compact_interval: 1h
roles:
  admins: &boss [zhangsan]
  managers: *boss
groups:
  客户等级:
    editable_by: [managers, admins, wangwu]
    exclusive: true
    protected: [VIP]
  意向程度:
messages:
  per_user_per_minute: 20
  per_user_per_hour: 500
log:
  level: debug
api:
  token: 0123456789abcdef-token
  max_body_bytes: 1000000
intake:
  history: 168h
suggestions:
  expire: 48h
  reject_memory: 240h
kf:
  enabled: true
  open_kfids: [wkAAA]
charts:
  font: /opt/fonts/noto.ttc
`
	got, err := Parse([]byte(in), "config.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		WeCom: WeCom{
			CorpID: "ww0123456789abcdef", AgentID: 16, Secret: "s3cret", Token: "tok",
			EncodingAESKey: validKey, APIBase: "http://127.0.0.1:9000",
			RateLimits:   map[string]int{"externalcontact/mark_tag": 600, "message/send": 100},
			Outbox:       WeComLimits{HourlyLimits: map[string]int{}, Concurrency: map[string]int{}},
			SyncInterval: 6*time.Hour + 30*time.Minute,
		},
		Server: Server{Listen: ":0", CallbackPath: "/cb", TimestampWindow: 0, MaxBodyBytes: 2048},
		Store:  Store{Path: "/var/lib/tagbot/t.db", Sync: SyncAlways, CompactInterval: time.Hour},
		Roles:  Roles{Admins: []string{"zhangsan"}, Managers: []string{"zhangsan"}},
		Groups: map[string]GroupPolicy{
			"客户等级": {EditableBy: []string{"managers", "admins", "wangwu"}, Exclusive: true, Protected: []string{"VIP"}},
			"意向程度": {},
		},
		Messages:    Messages{PerUserPerMinute: 20, PerUserPerHour: 500},
		Log:         Log{Level: LevelDebug},
		API:         API{Token: "0123456789abcdef-token", MaxBodyBytes: 1000000},
		Intake:      Intake{History: 168 * time.Hour},
		KF:          KF{Enabled: true, OpenKfIDs: []string{"wkAAA"}},
		LLM:         defaultLLM(),
		Suggestions: Suggestions{Expire: 48 * time.Hour, RejectMemory: 240 * time.Hour},
		Charts:      Charts{Font: "/opt/fonts/noto.ttc"},
		Import:      defaultImport(),
		TagSynonyms: DefaultTagSynonyms(),
		Jobs:        Jobs{Chunk: DefaultJobChunk, MaxBacklog: DefaultJobMaxBacklog},
		Todo:        Todo{Digest: true, DigestAt: DefaultDigestAt},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if err := got.RequireCredentials(); err != nil {
		t.Errorf("RequireCredentials: %v", err)
	}
}

func TestParseEmptyGivesDefaults(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"only a comment", "# only a comment\n"},
		{"empty sections", "wecom:\nserver: ~\nlog:\n  level:\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), "config.yaml", nil)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(Default(), got, cmpopts.IgnoreUnexported(Config{})); diff != "" {
				t.Errorf("Parse(%q) differs from the defaults (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	checks := []struct {
		name      string
		got, want any
	}{
		{"agent_id", d.WeCom.AgentID, 1000002},
		{"api_base", d.WeCom.APIBase, "https://qyapi.weixin.qq.com"},
		{"rate_limits", len(d.WeCom.RateLimits), 0},
		{"sync_interval", d.WeCom.SyncInterval, 24 * time.Hour},
		{"listen", d.Server.Listen, "127.0.0.1:8080"},
		{"callback_path", d.Server.CallbackPath, "/wecom/callback"},
		{"timestamp_window", d.Server.TimestampWindow, 5 * time.Minute},
		{"max_body_bytes", d.Server.MaxBodyBytes, int64(1048576)}, // as config.yaml documents
		{"store.path", d.Store.Path, "data/tagbot.db"},
		{"store.sync", d.Store.Sync, "every_second"},
		{"per_user_per_minute", d.Messages.PerUserPerMinute, 30},
		{"per_user_per_hour", d.Messages.PerUserPerHour, 1000},
		{"log.level", d.Log.Level, "info"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if d.WeCom.RateLimits == nil || d.Groups == nil {
		t.Error("Default maps must be non-nil")
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	want := "wecom.corp_id: required (set it in config.yaml or TAGBOT_WECOM_CORP_ID)\n" +
		"wecom.secret: required (set it in config.yaml or TAGBOT_WECOM_SECRET)\n" +
		"wecom.token: required (set it in config.yaml or TAGBOT_WECOM_TOKEN)\n" +
		"wecom.encoding_aes_key: required (set it in config.yaml or TAGBOT_WECOM_ENCODING_AES_KEY)"
	if err := d.RequireCredentials(); err == nil || err.Error() != want {
		t.Errorf("RequireCredentials() =\n%v\nwant\n%s", err, want)
	}
}

func TestSyncInterval(t *testing.T) {
	tests := []struct {
		yaml string
		want time.Duration
	}{
		{"", 24 * time.Hour},
		{"wecom:\n  sync_interval:\n", 24 * time.Hour},
		{"wecom:\n  sync_interval: 0\n", 0},
		{"wecom:\n  sync_interval: 0s\n", 0},
		{"wecom:\n  sync_interval: 1m\n", time.Minute},
		{"wecom:\n  sync_interval: 60s\n", time.Minute},
		{"wecom:\n  sync_interval: 6h\n", 6 * time.Hour},
		{"wecom:\n  sync_interval: 168h\n", 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(tt.yaml), "config.yaml", nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.yaml, err)
			continue
		}
		if c.WeCom.SyncInterval != tt.want {
			t.Errorf("Parse(%q): sync_interval = %v, want %v", tt.yaml, c.WeCom.SyncInterval, tt.want)
		}
	}

	// Validate catches a too short interval set in code, like Parse does.
	c := Default()
	c.WeCom.SyncInterval = time.Second
	want := "wecom.sync_interval: must be at least 1m (use 0 to disable), got 1s"
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
}
