package config

import (
	"fmt"
	"strings"
	"time"
)

// EnvAPIToken overrides api.token. API 令牌的环境变量。
const EnvAPIToken = "TAGBOT_API_TOKEN"

// DefaultAPIMaxBodyBytes is the largest /api/v1 request body when
// api.max_body_bytes is absent: 8 MiB holds 1,000 messages of 8 KB.
// API 请求体默认上限。
const DefaultAPIMaxBodyBytes = 8 << 20

// DefaultHistory is how long received messages and events are kept for
// rules that count over a window (intake.history). 会话历史默认保留 30 天。
const DefaultHistory = 30 * 24 * time.Hour

// API configures /api/v1/messages and /api/v1/events. 消息与事件接入 API。
type API struct {
	// Token is the bearer token callers send; "" turns the API off (404).
	// API 令牌，为空时关闭 API。
	Token string
	// MaxBodyBytes bounds one request body. 请求体最大字节数。
	MaxBodyBytes int64
}

// String masks the token, so printing an API never leaks it.
func (a API) String() string {
	return fmt.Sprintf("{Token:%s MaxBodyBytes:%d}", mask(a.Token), a.MaxBodyBytes)
}

// GoString is String.
func (a API) GoString() string { return a.String() }

// Intake configures what is kept of received messages and events.
// 接收到的消息与事件的保留。
type Intake struct {
	// History is how long received messages and events are kept after
	// receipt (conversation history for rules and the LLM). 会话历史保留时长。
	History time.Duration
}

// KF configures 微信客服: kf_msg_or_event callbacks and kf/sync_msg. 微信客服。
type KF struct {
	// Enabled turns the kf sync on. 是否启用微信客服消息同步。
	Enabled bool
	// OpenKfIDs, when not empty, limits the sync to these accounts.
	// 只同步这些客服账号（为空表示全部）。
	OpenKfIDs []string
}

// validateIntake checks the api:, intake: and kf: keys.
func (c *Config) validateIntake(r *reporter) {
	if c.API.MaxBodyBytes <= 0 {
		r.add("api.max_body_bytes", "must be a positive number of bytes (got %d)", c.API.MaxBodyBytes)
	}
	if t := c.API.Token; t != "" && (len(t) < 16 || strings.ContainsAny(t, " \t\r\n")) {
		r.add("api.token", "must be at least 16 characters without spaces (a long random string)")
	}
	if h := c.Intake.History; h < time.Hour {
		r.add("intake.history", "must be at least 1h, got %s", h)
	}
	nonEmpty(r, "kf.open_kfids", c.KF.OpenKfIDs)
}
