package config

import "time"

// Defaults of suggestions:. 标签建议的默认值。
const (
	// DefaultSuggestionExpire is how long a suggestion waits for its follower.
	DefaultSuggestionExpire = 72 * time.Hour
	// DefaultRejectMemory is how long a rejected rule stays quiet for a customer.
	DefaultRejectMemory = 30 * 24 * time.Hour
)

// Suggestions configures suggested tags and their cards. 标签建议。
type Suggestions struct {
	// Expire is how long a suggestion can be confirmed. 建议有效期。
	Expire time.Duration
	// RejectMemory is how long, after a follower rejected a rule's
	// suggestion for a customer, the rule does not suggest it again.
	// 忽略后多久内不再为该客户提同一规则的建议。
	RejectMemory time.Duration
}

// validateSuggestions checks the suggestions: keys.
func (c *Config) validateSuggestions(r *reporter) {
	if e := c.Suggestions.Expire; e < time.Minute {
		r.add("suggestions.expire", "must be at least 1m, got %s", e)
	}
	if m := c.Suggestions.RejectMemory; m < 0 {
		r.add("suggestions.reject_memory", "must not be negative, got %s", m)
	}
}
