package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the YAML file at path, applies the TAGBOT_* environment
// variables and validates the result. Any problem, including an unreadable
// file, is returned as an *Error. 读取并校验配置文件。
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Problems: []Problem{{Msg: "read config: " + err.Error()}}, cause: err}
	}
	return Parse(data, path, os.Getenv)
}

// Parse decodes config data named name (used in messages, e.g.
// "config.yaml"), applies overrides looked up through env (nil for none)
// and validates formats. Credentials may still be empty: see
// RequireCredentials. It returns every problem at once as an *Error.
// 解析配置；env 为 nil 时不读取环境变量。
func Parse(data []byte, name string, env func(string) string) (*Config, error) {
	c := Default()
	c.src = newSources(name)
	d := &decoder{reporter{src: c.src}}
	root, p := parseYAML(data)
	if p != nil {
		d.problems = append(d.problems, *p)
		return nil, d.err()
	}
	if root != nil {
		d.root(root, c)
	}
	applyEnv(c, &d.reporter, env)
	c.WeCom.APIBase = strings.TrimRight(c.WeCom.APIBase, "/")
	c.validate(&d.reporter)
	c.loadRules(&d.reporter)
	if err := d.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// yamlLine extracts the line from yaml.v3 syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML returns the top-level node of the single YAML document in data
// (nil when empty), or a problem describing the syntax error.
func parseYAML(data []byte) (root *yaml.Node, p *Problem) {
	defer func() {
		// yaml.v3 has panicked on malformed input before; never let a
		// config file crash the process.
		if r := recover(); r != nil {
			root, p = nil, &Problem{Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxProblem(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxProblem(err)
	default:
		return nil, &Problem{Line: extra.Line, Msg: "only one YAML document is allowed"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func syntaxProblem(err error) *Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil {
			return &Problem{Line: line, Msg: "invalid YAML: " + m[2]}
		}
	}
	return &Problem{Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// envStrings lists the string fields that an environment variable overrides.
func envStrings(c *Config) []struct {
	env, path string
	dst       *string
} {
	return []struct {
		env, path string
		dst       *string
	}{
		{EnvCorpID, "wecom.corp_id", &c.WeCom.CorpID},
		{EnvSecret, "wecom.secret", &c.WeCom.Secret},
		{EnvToken, "wecom.token", &c.WeCom.Token},
		{EnvEncodingAESKey, "wecom.encoding_aes_key", &c.WeCom.EncodingAESKey},
		{EnvAPIBase, "wecom.api_base", &c.WeCom.APIBase},
		{EnvStorePath, "store.path", &c.Store.Path},
		{EnvServerListen, "server.listen", &c.Server.Listen},
	}
}

// applyEnv overrides c with the non-empty environment variables and records
// which variable set which path. Values are trimmed of surrounding spaces.
func applyEnv(c *Config, r *reporter, env func(string) string) {
	if env == nil {
		return
	}
	for _, e := range envStrings(c) {
		if v := strings.TrimSpace(env(e.env)); v != "" {
			*e.dst = v
			r.src.env[e.path] = e.env
		}
	}
	if v := strings.TrimSpace(env(EnvAgentID)); v != "" {
		r.src.env["wecom.agent_id"] = EnvAgentID
		n, err := strconv.Atoi(v)
		if err != nil {
			r.add("wecom.agent_id", "want an integer, got %s", strconv.Quote(v))
			return
		}
		c.WeCom.AgentID = n
	}
}
