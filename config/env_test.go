package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mapEnv is an env lookup backed by a map.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestEnvOverrides(t *testing.T) {
	file := "wecom:\n  corp_id: file-corp\n  agent_id: 7\n  secret: file-secret\n  api_base: https://file.example\n" +
		"server:\n  listen: 127.0.0.1:1\nstore:\n  path: file.db\n"
	env := map[string]string{
		EnvCorpID:         "env-corp",
		EnvAgentID:        " 1000005 ",
		EnvSecret:         "env-secret\n",
		EnvToken:          "env-token",
		EnvEncodingAESKey: validKey,
		EnvAPIBase:        "http://127.0.0.1:8999/",
		EnvStorePath:      "/tmp/env.db",
		EnvServerListen:   "0.0.0.0:9090",
	}
	c, err := Parse([]byte(file), "config.yaml", mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"corp_id", c.WeCom.CorpID, "env-corp"},
		{"secret", c.WeCom.Secret, "env-secret"},
		{"token", c.WeCom.Token, "env-token"},
		{"encoding_aes_key", c.WeCom.EncodingAESKey, validKey},
		{"api_base", c.WeCom.APIBase, "http://127.0.0.1:8999"},
		{"store.path", c.Store.Path, "/tmp/env.db"},
		{"listen", c.Server.Listen, "0.0.0.0:9090"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.WeCom.AgentID != 1000005 {
		t.Errorf("agent_id = %d, want 1000005", c.WeCom.AgentID)
	}
	if err := c.RequireCredentials(); err != nil {
		t.Errorf("RequireCredentials with env credentials: %v", err)
	}
}

func TestEnvEmptyIsUnset(t *testing.T) {
	c, err := Parse([]byte("wecom:\n  corp_id: file-corp\n"), "config.yaml", mapEnv(map[string]string{EnvCorpID: "  "}))
	if err != nil {
		t.Fatal(err)
	}
	if c.WeCom.CorpID != "file-corp" {
		t.Errorf("corp_id = %q, want the file value", c.WeCom.CorpID)
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want string
	}{
		{"agent id not a number", "", map[string]string{EnvAgentID: "abc"},
			`wecom.agent_id: want an integer, got "abc" (from env TAGBOT_WECOM_AGENT_ID)`},
		{"agent id zero", "", map[string]string{EnvAgentID: "0"},
			`wecom.agent_id: must be a positive integer (got 0) (from env TAGBOT_WECOM_AGENT_ID)`},
		{"aes key", "", map[string]string{EnvEncodingAESKey: "short"},
			`wecom.encoding_aes_key: must be 43 characters (got 5) (from env TAGBOT_WECOM_ENCODING_AES_KEY)`},
		{"api base", "", map[string]string{EnvAPIBase: "qyapi.weixin.qq.com"},
			`wecom.api_base: must be an http(s) URL like https://qyapi.weixin.qq.com, got "qyapi.weixin.qq.com" (from env TAGBOT_WECOM_API_BASE)`},
		{"api base with password", "", map[string]string{EnvAPIBase: "https://u:secret@proxy.example"},
			`wecom.api_base: must not hold a user name or password (user:password@): tagbot sends none, got "https://***@proxy.example" (from env TAGBOT_WECOM_API_BASE)`},
		{"listen", "", map[string]string{EnvServerListen: "8080"},
			`server.listen: must be host:port like 127.0.0.1:8080, got "8080" (from env TAGBOT_SERVER_LISTEN)`},
		{"env problems come after file problems", "wecom:\n  agent_id: 0\nlog: {level: x}\n", map[string]string{EnvAgentID: "-3"},
			"config.yaml:3: log.level: must be one of debug, info, warn, error, got \"x\"\n" +
				"wecom.agent_id: must be a positive integer (got -3) (from env TAGBOT_WECOM_AGENT_ID)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file), "config.yaml", mapEnv(tt.env))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestEnvFixesFileValue(t *testing.T) {
	// A bad file value that the environment overrides is not reported.
	_, err := Parse([]byte("server:\n  listen: nonsense\n"), "config.yaml", mapEnv(map[string]string{EnvServerListen: "127.0.0.1:80"}))
	if err != nil {
		t.Errorf("got %v, want env to win", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("wecom:\n  corp_id: ww1\n  agent_id: 12\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{EnvCorpID, EnvAgentID, EnvToken, EnvEncodingAESKey, EnvAPIBase, EnvStorePath, EnvServerListen} {
		t.Setenv(k, "") // isolate from the caller's environment
	}
	t.Setenv(EnvSecret, "from-env")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	type loaded struct {
		CorpID  string
		AgentID int
		Secret  string
	}
	if diff := cmp.Diff(loaded{"ww1", 12, "from-env"}, loaded{c.WeCom.CorpID, c.WeCom.AgentID, c.WeCom.Secret}); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	if err := os.WriteFile(path, []byte("wecom:\n  corp_id: \"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := path + ":2: wecom.corp_id: required (set it in " + path + " or TAGBOT_WECOM_CORP_ID)\n" +
		"wecom.token: required (set it in " + path + " or TAGBOT_WECOM_TOKEN)\n" +
		"wecom.encoding_aes_key: required (set it in " + path + " or TAGBOT_WECOM_ENCODING_AES_KEY)"
	if err := c.RequireCredentials(); err == nil || err.Error() != want {
		t.Errorf("RequireCredentials() =\n%v\nwant\n%s", err, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want *Error", err, err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(err, fs.ErrNotExist) = false for %v", err)
	}
	if want := "read config: open " + path + ": no such file or directory"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}
