// Package config loads tagbot's config.yaml, applies secrets from the
// environment and validates the result. 配置加载：读取 config.yaml，
// 用环境变量覆盖密钥等字段，然后校验。
//
// Every problem found is reported with the key path and the line it came
// from (or the environment variable that supplied it), all at once, in a
// *Error.
package config

import (
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tagbot/tagbot/classify/rules"
)

// Environment variables that override config.yaml (env wins over the file).
// 环境变量优先于配置文件。
const (
	EnvCorpID         = "TAGBOT_WECOM_CORP_ID"
	EnvAgentID        = "TAGBOT_WECOM_AGENT_ID"
	EnvSecret         = "TAGBOT_WECOM_SECRET"
	EnvToken          = "TAGBOT_WECOM_TOKEN"
	EnvEncodingAESKey = "TAGBOT_WECOM_ENCODING_AES_KEY"
	EnvAPIBase        = "TAGBOT_WECOM_API_BASE"
	EnvStorePath      = "TAGBOT_STORE_PATH"
	EnvServerListen   = "TAGBOT_SERVER_LISTEN"
)

// MinSyncInterval is the shortest wecom.sync_interval accepted (other than 0):
// a full sync reads every customer, so running it more often only burns the
// corp's API quota. 定期全量同步的最短间隔。
const MinSyncInterval = time.Minute

// Values accepted by store.sync (BuntDB SyncPolicy). 存储落盘策略。
const (
	SyncEverySecond = "every_second"
	SyncAlways      = "always"
	SyncNever       = "never"
)

// Values accepted by log.level. 日志级别。
const (
	LevelDebug = "debug"
	LevelInfo  = "info"
	LevelWarn  = "warn"
	LevelError = "error"
)

// Roles returned by (*Config).Role. 角色。
const (
	RoleAdmin    = "admin"
	RoleManager  = "manager"
	RoleEmployee = "employee"
)

// Role names usable in groups.*.editable_by besides plain userids.
// editable_by 中可用的角色名（其余条目视为 userid）。
const (
	EditorAdmins    = "admins"
	EditorManagers  = "managers"
	EditorEmployees = "employees"
)

// Config is the whole tagbot configuration. 全部配置。
type Config struct {
	WeCom    WeCom
	Server   Server
	Store    Store
	Roles    Roles
	Groups   map[string]GroupPolicy // keyed by tag group name 按标签组名称
	Messages Messages
	Log      Log
	API      API    // /api/v1/messages and /api/v1/events
	Intake   Intake // history kept of received messages and events
	KF       KF     // 微信客服
	LLM      LLM    // optional LLM assist (llm.go) 可选的大模型辅助
	// Suggestions configures suggested tags (expiry, rejection memory).
	Suggestions Suggestions
	Charts      Charts // PNG charts in chat (charts.go)
	// Lifecycle are the scheduled lifecycle rules (lifecycle.go).
	Lifecycle []LifecycleRule
	Jobs      Jobs   // background jobs: chunk size, outbox backlog (jobs.go)
	Todo      Todo   // /todo and the daily digest of required groups (groups.go)
	Import    Import // spreadsheet import (importer.go)
	// RulePacks are the rule pack files of `rule_packs:` as written
	// (relative to the config file); see RuleSet.
	RulePacks []string
	// TagSynonyms are the synonym lists of `tag_synonyms:` (hygiene.go).
	TagSynonyms [][]string
	// Triggers are the tag triggers of `triggers:` (triggers.go). 标签触发器。
	Triggers []Trigger

	// rulesNode is the raw `rules:` node; ruleSet the parsed rules and packs.
	rulesNode *yaml.Node
	ruleSet   *rules.Set

	// src remembers where each value came from, for error messages.
	src *sources
}

// WeCom holds the self-built app credentials and API settings. 企业微信自建应用。
type WeCom struct {
	CorpID         string
	AgentID        int
	Secret         string
	Token          string // callback Token 回调 Token
	EncodingAESKey string // 43 characters 回调 EncodingAESKey
	APIBase        string // without trailing slash 不带结尾斜杠
	RateLimits     map[string]int
	Outbox         WeComLimits // hourly_limits, concurrency (outbox.go)
	// SyncInterval is how often serve runs a full sync to repair drift no
	// callback reported; 0 disables it, otherwise at least MinSyncInterval.
	// 定期全量同步间隔，0 表示关闭。
	SyncInterval time.Duration
}

// Server configures the HTTP callback server. 回调服务。
type Server struct {
	Listen          string
	CallbackPath    string
	TimestampWindow time.Duration // 0 disables the check 0 表示不校验
	MaxBodyBytes    int64         // largest callback body; DefaultMaxBodyBytes when absent
	// AdminListen is host:port of the monitoring listener (/metrics,
	// /healthz, /readyz; the store's data is served on the admin socket
	// only); "" (the default) turns it off. 监控监听地址，空为关闭。
	AdminListen string
	// PublicURL is how WeCom users reach server.listen (the /import
	// upload links), e.g. https://tagbot.example.com. 对外访问地址。
	PublicURL string
}

// ChinaZone is China Standard Time (中国标准时间, UTC+8, no daylight
// saving), the zone in which users mean "今天", "昨天" and "3月1日" and in
// which replies show times. It is a fixed zone, not time.LoadLocation
// ("Asia/Shanghai"), so it needs no tzdata on the host: China has kept
// UTC+8 all year since 1991, long before tagbot's ledger starts. Every
// package that needs the zone uses this variable; do not write
// time.FixedZone(…, 8*3600) elsewhere. 中国标准时间。
var ChinaZone = time.FixedZone("CST", 8*3600)

// DefaultMaxBodyBytes is the largest callback body accepted when
// server.max_body_bytes is absent from config.yaml, and when the callback
// server (bot.ServerOptions) is given none. A WeCom callback is a few KB;
// 1 MiB leaves room without letting one request hold much memory.
// 回调请求体默认上限。
const DefaultMaxBodyBytes = 1 << 20

// Store configures the BuntDB ledger. 账本存储。
type Store struct {
	Path string
	Sync string // one of SyncEverySecond, SyncAlways, SyncNever
	// CompactInterval is how long deleted data (processed callbacks, sent
	// replies, expired markers) may stay in the file: serve compacts it
	// this often (if it changed). 0 compacts only when the file doubled.
	// 已删除数据在文件中最多保留多久。
	CompactInterval time.Duration
}

// Roles lists privileged WeCom userids. 管理员与经理名单。
type Roles struct {
	Admins   []string
	Managers []string
}

// GroupPolicy is the policy of one tag group. 单个标签组的策略。
type GroupPolicy struct {
	// EditableBy lists role names (EditorAdmins, EditorManagers,
	// EditorEmployees) or userids; empty means everyone. 为空表示所有人。
	EditableBy []string
	// Exclusive allows at most one tag of the group per customer. 组内互斥。
	Exclusive bool
	// Protected tags may only be added or removed by managers and admins.
	// 受保护标签仅经理和管理员可增删。
	Protected []string
	// Required asks every customer to have a tag of the group (/todo,
	// daily digest; groups.go). 必选。
	Required bool
	// Max is the most tags of the group per relationship; 0 = no limit. 限选数量。
	Max int
	// VisibleTo lists who may see the group's tags: role names, userids,
	// dept:<id> (groups.go); empty = everyone. 可见范围。
	VisibleTo []string
}

// Messages limits app messages per member (WeCom drops more than 30/min or
// 1000/hour to one member). 应用消息频率限制。
type Messages struct {
	PerUserPerMinute int
	PerUserPerHour   int
}

// Log configures logging. 日志。
type Log struct {
	Level string // one of LevelDebug, LevelInfo, LevelWarn, LevelError
}

// Default returns the configuration used for every key absent from
// config.yaml. 默认配置。
func Default() *Config {
	return &Config{
		WeCom: WeCom{
			AgentID:      1000002,
			APIBase:      "https://qyapi.weixin.qq.com",
			RateLimits:   map[string]int{},
			Outbox:       WeComLimits{HourlyLimits: map[string]int{}, Concurrency: map[string]int{}},
			SyncInterval: 24 * time.Hour,
		},
		Server: Server{
			Listen:          "127.0.0.1:8080",
			CallbackPath:    "/wecom/callback",
			TimestampWindow: 5 * time.Minute,
			MaxBodyBytes:    DefaultMaxBodyBytes,
		},
		Store: Store{
			Path:            "data/tagbot.db",
			Sync:            SyncEverySecond,
			CompactInterval: 24 * time.Hour,
		},
		Groups: map[string]GroupPolicy{},
		Messages: Messages{
			PerUserPerMinute: 30,
			PerUserPerHour:   1000,
		},
		Log:         Log{Level: LevelInfo},
		API:         API{MaxBodyBytes: DefaultAPIMaxBodyBytes},
		Intake:      Intake{History: DefaultHistory},
		LLM:         defaultLLM(),
		Suggestions: Suggestions{Expire: DefaultSuggestionExpire, RejectMemory: DefaultRejectMemory},
		Charts:      Charts{Font: DefaultChartFont},
		Import:      defaultImport(),
		TagSynonyms: DefaultTagSynonyms(),
		Jobs:        Jobs{Chunk: DefaultJobChunk, MaxBacklog: DefaultJobMaxBacklog},
		Todo:        Todo{DigestAt: DefaultDigestAt, Digest: true},
	}
}

// SampleGroups returns the sample tag-group policies the committed
// config.yaml shows (客户等级 exclusive with VIP protected, 意向程度
// exclusive). The demo runs on them when there is no config.yaml, so the
// README's demo table holds either way. 示例标签组策略（config.yaml 与演示共用）。
func SampleGroups() map[string]GroupPolicy {
	return map[string]GroupPolicy{
		"客户等级": {Exclusive: true, Protected: []string{"VIP"}},
		"意向程度": {Exclusive: true},
	}
}

// Role returns RoleAdmin, RoleManager or RoleEmployee for a WeCom userid.
// Someone listed as both admin and manager is an admin. 返回用户角色。
func (c *Config) Role(userID string) string {
	switch {
	case userID != "" && slices.Contains(c.Roles.Admins, userID):
		return RoleAdmin
	case userID != "" && slices.Contains(c.Roles.Managers, userID):
		return RoleManager
	default:
		return RoleEmployee
	}
}
