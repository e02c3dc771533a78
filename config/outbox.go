package config

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"gopkg.in/yaml.v3"
)

// WeComLimits are the outbox's limits per WeCom API path beyond
// wecom.rate_limits (calls per minute): an hourly budget and a cap on
// calls at once. The defaults live in package wecom (DefaultConcurrency;
// hourly: 60 × the per-minute rate, at most half of WeCom's 150,000).
// 每个接口的每小时额度与并发上限。
type WeComLimits struct {
	// HourlyLimits is wecom.hourly_limits: calls per hour per API path.
	// 每接口每小时调用上限。
	HourlyLimits map[string]int
	// Concurrency is wecom.concurrency: calls at once per API path.
	// 每接口同时进行的调用数上限。
	Concurrency map[string]int
}

// pathInts decodes a mapping of API path → positive integer into m.
func (d *decoder) pathInts(m map[string]int) func(n *yaml.Node, p string) {
	return func(n *yaml.Node, p string) {
		d.anyMap(n, p, func(name string, v *yaml.Node, p string) {
			if isNull(deref(v)) {
				d.at(v.Line, p, "want an integer, got null")
			} else if limit, ok := d.intValue(v, p); ok {
				m[name] = limit
			}
		})
	}
}

// validateOutbox checks wecom.hourly_limits and wecom.concurrency: API
// paths with positive values.
func (c *Config) validateOutbox(r *reporter) {
	for _, kv := range []struct {
		key, unit string
		m         map[string]int
	}{
		{"wecom.hourly_limits", "calls per hour", c.WeCom.Outbox.HourlyLimits},
		{"wecom.concurrency", "calls at once", c.WeCom.Outbox.Concurrency},
	} {
		for _, name := range slices.Sorted(maps.Keys(kv.m)) {
			p := keyPath(kv.key, name)
			if !apiPath.MatchString(name) {
				r.add(p, "must be an API path under /cgi-bin/ without that prefix, like externalcontact/mark_tag")
			}
			if n := kv.m[name]; n <= 0 {
				r.add(p, "must be a positive number of %s (got %d)", kv.unit, n)
			}
		}
	}
}

// WeCom's own limits per API per corp, shared by all the corp's apps: a
// per-minute breach blocks the API for 60 s and a per-hour one for an hour
// (errcode 45009); mark_tag takes about 5 calls at once (beyond: 45033).
// 企业微信自身的接口频率与并发限制。
const (
	WeComPerMinute          = 10000
	WeComPerHour            = 150000
	WeComMarkTagConcurrency = 5
)

// markTagPath is the API WeComMarkTagConcurrency is for.
const markTagPath = "externalcontact/mark_tag"

// LimitWarnings lists the wecom.rate_limits, wecom.hourly_limits and
// wecom.concurrency values above WeCom's own limits, each naming its key.
// Not errors (values a corp was granted stay possible), but such a value
// gets the corp's API blocked: serve logs them at start (WarnLimits) and
// tagbot check prints them.
func (c *Config) LimitWarnings() []string {
	var out []string
	for _, kv := range []struct {
		key, unit, code string
		m               map[string]int
		max             func(path string) int
	}{
		{"wecom.rate_limits", "calls per minute", "45009", c.WeCom.RateLimits, func(string) int { return WeComPerMinute }},
		{"wecom.hourly_limits", "calls per hour", "45009", c.WeCom.Outbox.HourlyLimits, func(string) int { return WeComPerHour }},
		{"wecom.concurrency", "calls at once", "45033", c.WeCom.Outbox.Concurrency, func(p string) int {
			if p == markTagPath {
				return WeComMarkTagConcurrency
			}
			return 0
		}},
	} {
		for _, name := range slices.Sorted(maps.Keys(kv.m)) {
			if max := kv.max(name); max > 0 && kv.m[name] > max {
				out = append(out, fmt.Sprintf("%s: %d %s is above WeCom's own limit of %d per API per corp (shared by all the corp's apps): the corp will be blocked (errcode %s)",
					keyPath(kv.key, name), kv.m[name], kv.unit, max, kv.code))
			}
		}
	}
	return out
}

// WarnLimits logs LimitWarnings at warning level.
func (c *Config) WarnLimits(log *slog.Logger) {
	for _, w := range c.LimitWarnings() {
		log.Warn("config: " + w)
	}
}
