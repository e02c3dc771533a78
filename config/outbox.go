package config

import (
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
