package config

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validate checks formats and ranges of every value (credentials may be
// empty; see RequireCredentials). Parse calls it; call it again after
// changing a Config in code. It returns nil or an *Error. 校验格式与取值范围。
func (c *Config) Validate() error {
	r := &reporter{src: c.src}
	c.validate(r)
	return r.err()
}

// RequireCredentials reports each WeCom credential that is empty: corp_id,
// secret, token and encoding_aes_key. serve and sync need them; demo does
// not. It returns nil or an *Error. 检查必填凭据。
func (c *Config) RequireCredentials() error { return c.requireKeys(true) }

// RequireAPICredentials is RequireCredentials for what only calls WeCom's
// API and receives no callback (tagbot sync, pack apply): corp_id and
// secret, not token and encoding_aes_key.
func (c *Config) RequireAPICredentials() error { return c.requireKeys(false) }

// requireKeys reports the credentials missing, the callback's too when
// callback is set.
func (c *Config) requireKeys(callback bool) error {
	r := &reporter{src: c.src}
	file := "config.yaml"
	if c.src != nil && c.src.file != "" {
		file = c.src.file
	}
	keys := []struct{ path, env, val string }{
		{"wecom.corp_id", EnvCorpID, c.WeCom.CorpID},
		{"wecom.secret", EnvSecret, c.WeCom.Secret},
	}
	if callback {
		keys = append(keys, struct{ path, env, val string }{"wecom.token", EnvToken, c.WeCom.Token},
			struct{ path, env, val string }{"wecom.encoding_aes_key", EnvEncodingAESKey, c.WeCom.EncodingAESKey})
	}
	for _, f := range keys {
		if strings.TrimSpace(f.val) == "" {
			r.add(f.path, "required (set it in %s or %s)", file, f.env)
		}
	}
	return r.err()
}

// apiPath matches a WeCom API path below /cgi-bin/, e.g. externalcontact/mark_tag.
var apiPath = regexp.MustCompile(`^[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*$`)

func (c *Config) validate(r *reporter) {
	w := c.WeCom
	if w.AgentID <= 0 {
		r.add("wecom.agent_id", "must be a positive integer (got %d)", w.AgentID)
	}
	if k := w.EncodingAESKey; k != "" {
		if n := utf8.RuneCountInString(k); n != 43 {
			r.add("wecom.encoding_aes_key", "must be 43 characters (got %d)", n)
		} else if _, err := base64.StdEncoding.DecodeString(k + "="); err != nil {
			r.add("wecom.encoding_aes_key", "must be base64 (A-Z a-z 0-9 + /) as shown in the WeCom admin console")
		}
	}
	if msg := checkAPIBase(w.APIBase); msg != "" {
		r.add("wecom.api_base", "%s, got %s", msg, strconv.Quote(RedactURL(w.APIBase)))
	}
	if w.SyncInterval != 0 && w.SyncInterval < MinSyncInterval {
		r.add("wecom.sync_interval", "must be at least 1m (use 0 to disable), got %s", w.SyncInterval)
	}
	for _, name := range slices.Sorted(maps.Keys(w.RateLimits)) {
		p := keyPath("wecom.rate_limits", name)
		if !apiPath.MatchString(name) {
			r.add(p, "must be an API path under /cgi-bin/ without that prefix, like externalcontact/mark_tag")
		}
		if n := w.RateLimits[name]; n <= 0 {
			r.add(p, "must be a positive number of calls per minute (got %d)", n)
		}
	}

	s := c.Server
	if msg := checkListen(s.Listen); msg != "" {
		r.add("server.listen", "%s", msg)
	}
	if !strings.HasPrefix(s.CallbackPath, "/") || strings.ContainsAny(s.CallbackPath, "?# \t\r\n") {
		r.add("server.callback_path", "must be a URL path starting with /, got %s", strconv.Quote(s.CallbackPath))
	}
	if s.TimestampWindow < 0 {
		r.add("server.timestamp_window", "must not be negative (use 0 to disable), got %s", s.TimestampWindow)
	}
	if s.AdminListen != "" {
		if msg := checkListen(s.AdminListen); msg != "" {
			r.add("server.admin_listen", "%s (or leave it empty to turn the admin listener off)", msg)
		} else if s.AdminListen == s.Listen {
			r.add("server.admin_listen", "must differ from server.listen")
		}
	}
	if s.MaxBodyBytes <= 0 {
		r.add("server.max_body_bytes", "must be a positive number of bytes (got %d)", s.MaxBodyBytes)
	}

	if strings.TrimSpace(c.Store.Path) == "" {
		r.add("store.path", "must not be empty")
	}
	oneOf(r, "store.sync", c.Store.Sync, SyncEverySecond, SyncAlways, SyncNever)
	if ci := c.Store.CompactInterval; ci != 0 && ci < MinSyncInterval {
		r.add("store.compact_interval", "must be at least 1m (use 0 to compact only when the file doubled), got %s", ci)
	}

	nonEmpty(r, "roles.admins", c.Roles.Admins)
	nonEmpty(r, "roles.managers", c.Roles.Managers)
	for _, name := range slices.Sorted(maps.Keys(c.Groups)) {
		p := join("groups", name)
		if strings.TrimSpace(name) == "" {
			r.add(p, "tag group name must not be empty")
		}
		g := c.Groups[name]
		nonEmpty(r, p+".editable_by", g.EditableBy)
		nonEmpty(r, p+".protected", g.Protected)
	}

	m := c.Messages
	if m.PerUserPerMinute < 1 || m.PerUserPerMinute > 30 {
		r.add("messages.per_user_per_minute", "must be between 1 and 30, WeCom drops more (got %d)", m.PerUserPerMinute)
	}
	if m.PerUserPerHour < 1 || m.PerUserPerHour > 1000 {
		r.add("messages.per_user_per_hour", "must be between 1 and 1000, WeCom drops more (got %d)", m.PerUserPerHour)
	}

	oneOf(r, "log.level", c.Log.Level, LevelDebug, LevelInfo, LevelWarn, LevelError)
	c.validateIntake(r)
	c.validateImport(r)
	c.validateJobs(r)
	c.validateOutbox(r)
	c.validateLLM(r)
	c.validateSuggestions(r)
	c.validateTagSynonyms(r)
	c.validateGroups(r)
	c.validateTriggers(r)
}

// checkAPIBase returns "" when raw is an http(s) URL with a host and no
// user, password, query or fragment, else what is wrong with it.
func checkAPIBase(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "must be an http(s) URL like https://qyapi.weixin.qq.com"
	case u.User != nil:
		return "must not hold a user name or password (user:password@): tagbot sends none"
	case u.RawQuery != "" || u.ForceQuery:
		return "must not have a query (?…): tagbot adds its own"
	case u.Fragment != "":
		return "must not have a fragment (#…)"
	}
	return ""
}

// checkListen returns "" when s is host:port with a numeric port.
func checkListen(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Sprintf("must be host:port like 127.0.0.1:8080, got %s", strconv.Quote(s))
	}
	if strings.ContainsAny(host, " \t/") {
		return fmt.Sprintf("invalid host %s", strconv.Quote(host))
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Sprintf("port must be a number from 0 to 65535, got %s", strconv.Quote(port))
	}
	return ""
}

// oneOf reports v unless it is one of allowed, suggesting the closest.
func oneOf(r *reporter, path, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	r.add(path, "must be one of %s, got %s%s", strings.Join(allowed, ", "), strconv.Quote(v), didYouMean(v, allowed))
}

// nonEmpty reports blank entries of a list.
func nonEmpty(r *reporter, path string, list []string) {
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			r.add(fmt.Sprintf("%s[%d]", path, i), "must not be empty")
		}
	}
}
