package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvLLMAPIKey overrides llm.api_key. LLM 的 API Key 环境变量。
const EnvLLMAPIKey = "TAGBOT_LLM_API_KEY"

// Defaults of the llm: keys. LLM 配置默认值。
const (
	DefaultLLMTimeout          = 15 * time.Second
	DefaultLLMMaxConcurrency   = 4
	DefaultLLMDailyTokenBudget = 1_000_000
	// DefaultLLMNLPerUserPerHour bounds the natural-language requests one
	// user may send to the model per hour (llm.nl_per_user_per_hour).
	DefaultLLMNLPerUserPerHour = 20
)

// LLM configures the optional LLM assist: an OpenAI-compatible chat
// completions endpoint asked about messages no rule matched and about rules
// marked `llm: verify`. It is off while BaseURL or Model is empty.
// 可选的大模型辅助打标（OpenAI 兼容接口）；base_url 或 model 为空即关闭。
type LLM struct {
	BaseURL string // e.g. https://api.openai.com/v1 (the client adds /chat/completions)
	Model   string
	APIKey  string // secret: never printed or logged 密钥，不打印不记日志
	// Timeout bounds one call. 单次调用超时。
	Timeout time.Duration
	// MaxConcurrency bounds the calls in flight. 同时进行的调用上限。
	MaxConcurrency int
	// DailyTokenBudget is how many tokens (as the responses' usage reports
	// them) may be used per day in China time; 0 means no limit.
	// 每日 token 预算（中国时间零点重置），0 表示不限。
	DailyTokenBudget int
	// Redact replaces phone numbers, ids, e-mail addresses and names with
	// placeholders before anything is sent (default true). 发送前脱敏。
	Redact bool
	// NLPerUserPerHour is how many natural-language requests the patterns
	// did not understand one user may send to the model per hour (answers
	// from the cache do not count); 0 keeps natural language to the
	// patterns. 每人每小时交给大模型理解的自然语言请求数，0 表示不用。
	NLPerUserPerHour int
}

// Enabled reports whether the LLM assist is configured. 是否启用。
func (l LLM) Enabled() bool {
	return strings.TrimSpace(l.BaseURL) != "" && strings.TrimSpace(l.Model) != ""
}

// String shows the LLM settings with the API key masked.
func (l LLM) String() string {
	return fmt.Sprintf("{BaseURL:%s Model:%s APIKey:%s Timeout:%s MaxConcurrency:%d DailyTokenBudget:%d Redact:%t NLPerUserPerHour:%d}",
		RedactURL(l.BaseURL), l.Model, mask(l.APIKey), l.Timeout, l.MaxConcurrency, l.DailyTokenBudget, l.Redact, l.NLPerUserPerHour)
}

// GoString is String, so %#v never leaks the API key.
func (l LLM) GoString() string { return l.String() }

// LogValue logs the LLM settings with the API key masked.
func (l LLM) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", RedactURL(l.BaseURL)),
		slog.String("model", l.Model),
		slog.String("api_key", mask(l.APIKey)),
		slog.Duration("timeout", l.Timeout),
		slog.Int("max_concurrency", l.MaxConcurrency),
		slog.Int("daily_token_budget", l.DailyTokenBudget),
		slog.Bool("redact", l.Redact),
		slog.Int("nl_per_user_per_hour", l.NLPerUserPerHour),
	)
}

// defaultLLM is the llm: section when config.yaml has none (off).
func defaultLLM() LLM {
	return LLM{
		Timeout:          DefaultLLMTimeout,
		MaxConcurrency:   DefaultLLMMaxConcurrency,
		DailyTokenBudget: DefaultLLMDailyTokenBudget,
		Redact:           true,
		NLPerUserPerHour: DefaultLLMNLPerUserPerHour,
	}
}

// llm decodes the llm: mapping.
func (d *decoder) llm(l *LLM) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		d.mapping(n, p, []field{
			{"base_url", d.str(&l.BaseURL)},
			{"model", d.str(&l.Model)},
			{"api_key", d.str(&l.APIKey)},
			{"timeout", d.duration(&l.Timeout)},
			{"max_concurrency", d.integer(&l.MaxConcurrency)},
			{"daily_token_budget", d.integer(&l.DailyTokenBudget)},
			{"redact", d.boolean(&l.Redact)},
			{"nl_per_user_per_hour", d.integer(&l.NLPerUserPerHour)},
		})
	}
}

// validateLLM checks the llm: section; the ranges hold even when it is off.
func (c *Config) validateLLM(r *reporter) {
	l := c.LLM
	l.BaseURL = strings.TrimSpace(l.BaseURL)
	if l.BaseURL != "" {
		if msg := checkLLMBase(l.BaseURL); msg != "" {
			r.add("llm.base_url", "%s, got %s", msg, strconv.Quote(RedactURL(l.BaseURL)))
		}
	}
	if (l.BaseURL == "") != (strings.TrimSpace(l.Model) == "") {
		r.add("llm.model", "set both llm.base_url and llm.model to use the LLM, or neither")
	}
	if l.Timeout <= 0 || l.Timeout > 5*time.Minute {
		r.add("llm.timeout", "must be between 1s and 5m, got %s", l.Timeout)
	}
	if l.MaxConcurrency < 1 || l.MaxConcurrency > 256 {
		r.add("llm.max_concurrency", "must be between 1 and 256 (got %d)", l.MaxConcurrency)
	}
	if l.NLPerUserPerHour < 0 || l.NLPerUserPerHour > 10_000 {
		r.add("llm.nl_per_user_per_hour", "must be between 0 (natural language without the LLM) and 10000, got %d", l.NLPerUserPerHour)
	}
	if l.DailyTokenBudget < 0 {
		r.add("llm.daily_token_budget", "must not be negative (use 0 for no limit), got %d", l.DailyTokenBudget)
	}
}

// checkLLMBase returns "" when raw is an http(s) URL with a host and no
// user, password or fragment, else what is wrong with it.
func checkLLMBase(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "must be an http(s) URL like https://api.openai.com/v1"
	case u.User != nil:
		return "must not hold a user name or password (user:password@): put the key in llm.api_key or " + EnvLLMAPIKey
	case u.Fragment != "":
		return "must not have a fragment (#…)"
	}
	return ""
}

// redactedLLM mirrors LLM with its YAML key names, the API key masked.
type redactedLLM struct {
	BaseURL          string `yaml:"base_url"`
	Model            string `yaml:"model"`
	APIKey           string `yaml:"api_key"`
	Timeout          string `yaml:"timeout"`
	MaxConcurrency   int    `yaml:"max_concurrency"`
	DailyTokenBudget int    `yaml:"daily_token_budget"`
	Redact           bool   `yaml:"redact"`
	NLPerUserPerHour int    `yaml:"nl_per_user_per_hour"`
}

func (l LLM) redacted() redactedLLM {
	return redactedLLM{
		BaseURL: RedactURL(l.BaseURL), Model: l.Model, APIKey: mask(l.APIKey), Timeout: l.Timeout.String(),
		MaxConcurrency: l.MaxConcurrency, DailyTokenBudget: l.DailyTokenBudget, Redact: l.Redact,
		NLPerUserPerHour: l.NLPerUserPerHour,
	}
}
