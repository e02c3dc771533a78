package config

import (
	"fmt"
	"log/slog"
	"strings"

	"gopkg.in/yaml.v3"
)

// masked is what the secret, the token and the AES key print as.
const masked = "***"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return masked
}

// redactedView mirrors Config with its YAML key names, secrets masked.
type redactedView struct {
	WeCom struct {
		CorpID         string         `yaml:"corp_id"`
		AgentID        int            `yaml:"agent_id"`
		Secret         string         `yaml:"secret"`
		Token          string         `yaml:"token"`
		EncodingAESKey string         `yaml:"encoding_aes_key"`
		APIBase        string         `yaml:"api_base"`
		SyncInterval   string         `yaml:"sync_interval"`
		RateLimits     map[string]int `yaml:"rate_limits"`
	} `yaml:"wecom"`
	Server struct {
		Listen          string `yaml:"listen"`
		CallbackPath    string `yaml:"callback_path"`
		TimestampWindow string `yaml:"timestamp_window"`
		MaxBodyBytes    int64  `yaml:"max_body_bytes"`
		AdminListen     string `yaml:"admin_listen,omitempty"`
	} `yaml:"server"`
	Store struct {
		Path            string `yaml:"path"`
		Sync            string `yaml:"sync"`
		CompactInterval string `yaml:"compact_interval"`
	} `yaml:"store"`
	Roles struct {
		Admins   []string `yaml:"admins"`
		Managers []string `yaml:"managers"`
	} `yaml:"roles"`
	Groups   map[string]redactedGroup `yaml:"groups"`
	Messages struct {
		PerUserPerMinute int `yaml:"per_user_per_minute"`
		PerUserPerHour   int `yaml:"per_user_per_hour"`
	} `yaml:"messages"`
	Log struct {
		Level string `yaml:"level"`
	} `yaml:"log"`
	API struct {
		Token        string `yaml:"token"`
		MaxBodyBytes int64  `yaml:"max_body_bytes"`
	} `yaml:"api"`
	Intake struct {
		History string `yaml:"history"`
	} `yaml:"intake"`
	Suggestions struct {
		Expire       string `yaml:"expire"`
		RejectMemory string `yaml:"reject_memory"`
	} `yaml:"suggestions"`
	Charts struct {
		Font string `yaml:"font"`
	} `yaml:"charts"`
	KF struct {
		Enabled   bool     `yaml:"enabled"`
		OpenKfIDs []string `yaml:"open_kfids,flow"`
	} `yaml:"kf"`
	LLM         redactedLLM `yaml:"llm"`
	RulePacks   []string    `yaml:"rule_packs,omitempty,flow"` // the rules themselves are not shown
	TagSynonyms [][]string  `yaml:"tag_synonyms,flow"`
}

// redactedGroup mirrors GroupPolicy with its YAML key names.
type redactedGroup struct {
	EditableBy []string `yaml:"editable_by,flow"`
	Exclusive  bool     `yaml:"exclusive"`
	Protected  []string `yaml:"protected,flow"`
}

// Redacted renders the effective configuration as YAML with the secret,
// the token and the AES key shown as "***" (or "" when unset).
// 输出脱敏后的配置。
func (c Config) Redacted() string {
	var v redactedView
	v.WeCom.CorpID = c.WeCom.CorpID
	v.WeCom.AgentID = c.WeCom.AgentID
	v.WeCom.Secret = mask(c.WeCom.Secret)
	v.WeCom.Token = mask(c.WeCom.Token)
	v.WeCom.EncodingAESKey = mask(c.WeCom.EncodingAESKey)
	v.WeCom.APIBase = RedactURL(c.WeCom.APIBase)
	v.WeCom.SyncInterval = c.WeCom.SyncInterval.String()
	v.WeCom.RateLimits = c.WeCom.RateLimits
	v.Server.Listen = c.Server.Listen
	v.Server.CallbackPath = c.Server.CallbackPath
	v.Server.TimestampWindow = c.Server.TimestampWindow.String()
	v.Server.MaxBodyBytes = c.Server.MaxBodyBytes
	v.Server.AdminListen = c.Server.AdminListen
	v.Store.Path = c.Store.Path
	v.Store.Sync = c.Store.Sync
	v.Store.CompactInterval = c.Store.CompactInterval.String()
	v.Roles.Admins = c.Roles.Admins
	v.Roles.Managers = c.Roles.Managers
	v.Groups = make(map[string]redactedGroup, len(c.Groups))
	for name, g := range c.Groups {
		v.Groups[name] = redactedGroup(g)
	}
	v.Messages.PerUserPerMinute = c.Messages.PerUserPerMinute
	v.Messages.PerUserPerHour = c.Messages.PerUserPerHour
	v.Log.Level = c.Log.Level
	v.API.Token, v.API.MaxBodyBytes = mask(c.API.Token), c.API.MaxBodyBytes
	v.Intake.History = c.Intake.History.String()
	v.Suggestions.Expire, v.Suggestions.RejectMemory = c.Suggestions.Expire.String(), c.Suggestions.RejectMemory.String()
	v.Charts.Font = c.Charts.Font
	v.KF.Enabled, v.KF.OpenKfIDs = c.KF.Enabled, c.KF.OpenKfIDs
	v.LLM = c.LLM.redacted()
	v.RulePacks = c.RulePacks
	v.TagSynonyms = c.TagSynonyms
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		// Only plain strings, ints and bools are encoded; this cannot fail.
		return "config: " + err.Error()
	}
	_ = enc.Close()
	return b.String()
}

// String is Redacted, so printing a Config never leaks secrets.
func (c Config) String() string { return c.Redacted() }

// GoString is Redacted, so %#v never leaks secrets either.
func (c Config) GoString() string { return c.Redacted() }

// LogValue logs the non-secret essentials of a Config as a group.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("corp_id", c.WeCom.CorpID),
		slog.Int("agent_id", c.WeCom.AgentID),
		slog.String("secret", mask(c.WeCom.Secret)),
		slog.String("token", mask(c.WeCom.Token)),
		slog.String("encoding_aes_key", mask(c.WeCom.EncodingAESKey)),
		slog.String("api_base", RedactURL(c.WeCom.APIBase)),
		slog.Duration("sync_interval", c.WeCom.SyncInterval),
		slog.String("listen", c.Server.Listen),
		slog.String("callback_path", c.Server.CallbackPath),
		slog.String("store", c.Store.Path),
		slog.Int("groups", len(c.Groups)),
		slog.String("log_level", c.Log.Level),
		slog.Any("llm", c.LLM),
	)
}

// String shows the WeCom settings with the secret, token and AES key masked.
func (w WeCom) String() string {
	return fmt.Sprintf("{CorpID:%s AgentID:%d Secret:%s Token:%s EncodingAESKey:%s APIBase:%s RateLimits:%v SyncInterval:%s}",
		w.CorpID, w.AgentID, mask(w.Secret), mask(w.Token), mask(w.EncodingAESKey), RedactURL(w.APIBase), w.RateLimits, w.SyncInterval)
}

// GoString is String, so %#v never leaks secrets.
func (w WeCom) GoString() string { return w.String() }

// SlogLevel converts Level to a slog.Level (info for unknown values).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case LevelDebug:
		return slog.LevelDebug
	case LevelWarn:
		return slog.LevelWarn
	case LevelError:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
