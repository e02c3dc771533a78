// Package commands parses and runs what employees write to the tagbot app:
// slash commands (/tag, /untag, /history, /undo, /rollback, …) and, later,
// plain Chinese. Replies are short Chinese texts that say what to do next.
// 命令：解析并执行员工在企业微信里发给 tagbot 的请求。
//
// Every tag change goes through store.Apply or store.ApplyBatch (ledger,
// projection and outbox in one transaction), after which Options.Kick
// wakes the outbox worker, which tells WeCom. The package itself calls
// WeCom only through Options.Tags (TagCreator: /restore recreates a deleted
// tag), and never while holding its write lock, so a slow WeCom cannot
// hold up other users' commands.
package commands

import (
	"context"
	"errors"
	"fmt"
	"github.com/tagbot/tagbot/chart"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/stats"
	"github.com/tagbot/tagbot/store"
)

// Reply is one message to a user: text (may be multi-line) or a card,
// and optionally an image or a file sent after the text (the text is the
// summary for clients that show no image). 一条回复：文本或卡片，可附图片或文件。
type Reply struct {
	Text string
	Card *Card
	// Image is a PNG or JPEG (a chart); File any file (an export).
	Image, File *Attachment
	// ButtonDone, in answer to a card click, is what the clicked card's
	// button turns into (e.g. 已确认), so the card cannot be used twice.
	ButtonDone string
}

// Attachment is an image or file of a Reply: a file name (its extension
// matters to WeCom: .png/.jpg for images) and the bytes. Fallback is sent
// as text if it cannot be delivered (e.g. 文件未能发送，请稍后再试 /export …).
type Attachment struct {
	Name     string
	Data     []byte
	Fallback string
}

// Card is a button card (rendered as a WeCom button_interaction template
// card, or as text in the demo). 按钮卡片。
type Card struct {
	TaskID, Title, Desc string
	Lines               []string
	Buttons             []Button
	// Choices make it a checkbox card (WeCom vote_interaction): the user
	// ticks some and presses Buttons[0], its only button; the click's
	// CardEvent.Selected lists the ticked Keys.
	Choices []Choice
}

// Choice is one option of a checkbox card, ticked at first when Checked.
type Choice struct {
	Key, Text string
	Checked   bool
}

// Button is one button of a Card; Key comes back as CardEvent.EventKey.
type Button struct {
	Key, Text string
}

// CardEvent is a click on a card button (WeCom template_card_event).
// 卡片按钮点击事件。
type CardEvent struct {
	TaskID, EventKey, ResponseCode string
	// Selected are the Keys of the choices ticked on a checkbox card.
	Selected []string
}

// Card button keys. 卡片按钮。
const (
	KeyConfirm = "confirm"
	KeyCancel  = "cancel"
)

// TagCreator creates a tag in the WeCom tag library and records it in the
// store; mirror.Syncer implements it. /restore uses it. 创建企业标签。
type TagCreator interface {
	CreateTag(ctx context.Context, groupName, tagName string) (store.Tag, error)
}

// Options configure NewRouter. Store and Config are required.
type Options struct {
	Store  *store.Store
	Config *config.Config
	// Tags recreates deleted tags for /restore; /restore is unavailable when nil.
	Tags TagCreator
	// Kick is called after every write so the outbox worker wakes; may be nil.
	Kick func()
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives logs; slog.Default when nil.
	Logger *slog.Logger
	// Location is the time zone users mean and read; China Standard Time
	// (UTC+8) when nil.
	Location *time.Location
	// Suggestions runs suggestion cards and commands (/confirm N, /reject,
	// /suggestions, /rules, /classify, /reload); they say "not enabled" when nil.
	Suggestions SuggestionHandler
	// Stats answers /stats; a *stats.Stats on Store when nil.
	Stats StatsRunner
	// Charts draws PNG charts for replies (Reply.Image); nil when the CJK
	// font is missing: commands then reply with the text alone.
	Charts *chart.Renderer
	// Deliver sends replies to a user outside a request (bot.Sender.Send),
	// in the order of the calls: a large /export's notice, then, built in
	// the background, its file. When nil, such work is done before replying.
	Deliver func(ctx context.Context, userID string, replies []Reply)
	// Natural parses plain Chinese requests (nl.Natural); without it plain
	// text only gets a pointer to /help.
	Natural NaturalParser
	// Extensions add commands built in their own packages (extension.go).
	Extensions []Extension
	// MassUndo takes /undo @userid since:…, source:… and bg- batches
	// (ext_massundo.go); without it /undo refuses them as usage errors.
	MassUndo MassUndo
}

// Spec describes one command: its names, help and minimum role. Help and
// the unknown-command hint are generated from the specs. 命令定义。
type Spec struct {
	Name    string   // English name typed after "/", e.g. "tag"
	Aliases []string // other names, e.g. "打标签"
	Usage   string   // one-line syntax
	Summary string   // one line for /help
	Help    string   // details for /help <command>
	MinRole Role
	// Writes marks commands that change tags: a customer named only by a
	// fragment of a name must be confirmed with #1 first.
	Writes bool
	// ShowsCustomers marks commands whose replies name customers: unless
	// the command picked from the user's numbered list (#N) or showed a
	// new one, a successful run clears the list, so a later #N cannot pick
	// from a list the user no longer sees.
	ShowsCustomers bool
	Run            func(ctx context.Context, req *Request) ([]Reply, error)
}

// Request is one parsed command from one user. 一次请求。
type Request struct {
	// Inbox is the received message being handled (0 outside the bot loop);
	// change-sets carry it so applying them marks the message done.
	Inbox  store.ID
	UserID string
	Role   Role
	Spec   *Spec
	Cmd    Command   // as parsed
	Name   string    // the name typed (may be an alias)
	Now    time.Time // when it arrived

	seq    uint64 // the user's message number (sessions.begin)
	picked bool   // a customer was chosen with #N from the user's list
	listed bool   // the reply shows a new numbered list
	note   string // which list a doubtful #N came from, added to the reply
	// precheck runs a tag change up to the ledger write and stops there
	// (errPrecheckPassed): a plain-language write is refused when said,
	// not after 确认 (natural.go). denied says it was refused.
	precheck bool
	denied   bool

	perms *perms  // the group policies, for Viewer (sight.go)
	view  *Viewer // Viewer, once computed
}

// Router parses requests, checks roles and runs commands. It is safe for
// concurrent use. 命令路由。
//
// Each concern has its own small type the router calls: sessions (pick
// lists and proposals), Viewer (who sees which customer), ledger (history
// queries), tagLib (tag names), customerDir (customers) and timeFormat.
// New features (natural language, classification, statistics) belong in
// types or packages like these, not in more Router methods.
type Router struct {
	st    *store.Store
	cfg   *config.Config
	tags  TagCreator
	kick  func()
	now   func() time.Time
	log   *slog.Logger
	loc   *time.Location
	perms *perms
	tf    timeFormat // times in replies
	led   ledger     // ledger queries
	lib   tagLib     // tag names → tags
	cust  customerDir
	sugg  SuggestionHandler // suggestion cards and commands (may be nil)
	stats StatsRunner       // /stats
	// charts draws PNG charts (may be nil: text only).
	charts *chart.Renderer
	// deliver sends replies later (a large export); may be nil.
	deliver func(ctx context.Context, userID string, replies []Reply)
	// exportBackground is ExportBackgroundRows (lowered by tests).
	exportBackground int
	// bg counts work still running after its reply (large exports); Wait.
	bg      sync.WaitGroup
	exports exportSlots // large exports being built (export.go)
	// exportHold, when set (tests), runs first in a background export.
	exportHold func()

	specs  []*Spec
	byName map[string]*Spec

	sess *sessions // per user: pick list, pending proposal

	// parsePlain is Options.Natural (may be nil); tagNames its name cache.
	parsePlain NaturalParser
	tagNames   atomic.Pointer[store.TagNames]
	massUndo   MassUndo // Options.MassUndo (may be nil)

	// writeMu serialises read-check-apply sequences of commands, so two
	// commands cannot both pass an exclusivity check and then both apply.
	writeMu sync.Mutex

	// afterStep, when set (tests), runs after step i of a plan and before
	// it is marked done: a panic there stands for a crash (plan.go).
	afterStep func(i int)
}

// NewRouter checks the options and the group policies of the config and
// builds a Router. Policies naming groups not (yet) in the tag library are
// accepted; malformed ones are errors.
func NewRouter(opts Options) (*Router, error) {
	if opts.Store == nil {
		return nil, errors.New("commands: Options.Store is required")
	}
	if opts.Config == nil {
		return nil, errors.New("commands: Options.Config is required")
	}
	p, err := newPerms(opts.Config)
	if err != nil {
		return nil, fmt.Errorf("commands: %w", err)
	}
	p.st = opts.Store
	r := &Router{
		st: opts.Store, cfg: opts.Config, tags: opts.Tags, kick: opts.Kick,
		now: opts.Now, log: opts.Logger, loc: opts.Location, perms: p,
		byName: map[string]*Spec{}, sess: newSessions(), sugg: opts.Suggestions,
		charts: opts.Charts, deliver: opts.Deliver, exportBackground: ExportBackgroundRows,
		parsePlain: opts.Natural, massUndo: opts.MassUndo,
	}
	if r.kick == nil {
		r.kick = func() {}
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.log = r.log.With("pkg", "commands")
	if r.loc == nil {
		r.loc = config.ChinaZone
	}
	r.tf = timeFormat{loc: r.loc, now: r.now}
	r.led = ledger{st: r.st}
	r.lib = tagLib{st: r.st, tf: r.tf}
	r.cust = customerDir{st: r.st}
	if r.stats = opts.Stats; r.stats == nil {
		r.stats = &stats.Stats{Store: r.st, Now: r.now, Location: r.loc}
	}
	for _, s := range append(r.specList(), append(append(r.suggestionSpecs(), r.exportSpec(), r.setSpec()), r.extSpecs(opts.Extensions)...)...) {
		s := s
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			key := foldName(n)
			if _, dup := r.byName[key]; dup {
				return nil, fmt.Errorf("commands: command name %q used twice", n)
			}
			r.byName[key] = &s
		}
		r.specs = append(r.specs, r.byName[foldName(s.Name)])
	}
	return r, nil
}

// Specs returns the commands the router knows, in /help order.
func (r *Router) Specs() []Spec {
	out := make([]Spec, len(r.specs))
	for i, s := range r.specs {
		out[i] = *s
	}
	return out
}

// specList is the command table. Names are a contract with users and docs.
func (r *Router) specList() []Spec {
	return []Spec{
		{Name: "tag", Aliases: []string{"打标签", "加标签"}, Usage: "/tag <客户> +标签 [+标签…] [-标签…] [@跟进人]",
			Summary: "给客户加标签（-标签 同时删除）",
			Help: "客户可以写姓名、备注、手机号或 external_userid；名字里有空格请加引号，如 \"王 小明\"。\n" +
				"客户后面不带符号的词也算加标签。互斥标签组里加一个会自动去掉同组其它标签。\n" +
				"例：/tag 王小明 +高意向 -低意向", MinRole: RoleEmployee, Writes: true, ShowsCustomers: true, Run: r.runTag},
		{Name: "untag", Aliases: []string{"删标签", "去标签"}, Usage: "/untag <客户> 标签… [@跟进人]",
			Summary: "删除客户的标签", Help: "例：/untag 王小明 低意向", MinRole: RoleEmployee, Writes: true, ShowsCustomers: true, Run: r.runUntag},
		{Name: "tags", Aliases: []string{"查标签", "标签"}, Usage: "/tags <客户> [@跟进人] [at:时间]",
			Summary: "查看客户现在（或过去某个时间）的标签", Help: "按标签组列出，并写明谁在何时加的。at:时间 显示那时的标签（按变更记录算出），和现在不同时给出恢复用的 /rollback。例：/tags 王小明、/tags 王小明 at:昨天", MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runTags},
		{Name: "find", Aliases: []string{"查找", "搜索"}, Usage: "/find <文字> | /find tag:标签 [and tag:标签…] [and not tag:标签…] [文字] [page:2]",
			Summary: "按名字、备注、手机号或标签找客户",
			Help:    "按标签找时和 /export 一样：and 表示同时有（可省略），not 表示没有，按客户在各跟进人那里的标签合起来算；再写文字按姓名或备注筛选。列表里的编号可以在下一条命令里用 #2 指定客户。例：/find tag:高意向 tag:VIP、/find tag:高意向 and not tag:已成交", MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runFind},
		{Name: "history", Aliases: []string{"历史", "记录"}, Usage: "/history [<客户> | @userid | tag:标签] [since:时间] [until:时间] [page:2] | /history cs:变更号",
			Summary: "查看标签变更记录（含被拒绝的尝试）",
			Help: "时间可写 今天、昨天、前天、3天前、三天前、2小时前、本周、上周、本月、上个月、2026-11-01、11-01 15:04、11月20日、昨天下午3点。\n" +
				"cs:变更号（或 变更:变更号）显示一条变更的全部内容和哈希，可与 tagbot check --anchor 的输出核对。\n" +
				"不带参数时显示你自己的变更。例：/history 王小明 since:上周、/history cs:#12", MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runHistory},
		{Name: "undo", Aliases: []string{"撤销"}, Usage: "/undo [变更号] [force]",
			Summary: "撤销你最近的一次变更（或指定的变更）",
			Help: "员工只能撤销自己的变更；主管可以撤销任何人的，遇到冲突可加 force 强制。例：/undo 12\n" +
				"批量撤销（先预览再 /confirm，作为一批在后台执行）：/undo bg-bulk-12、/undo @lisi since:今天 tag:高意向、/undo source:import since:昨天。", MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runUndo},
		{Name: "redo", Aliases: []string{"重做"}, Usage: "/redo", Summary: "恢复你最近一次撤销的变更",
			Help: "撤销错了就用 /redo。", MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runRedo},
		{Name: "rollback", Aliases: []string{"回滚"}, Usage: "/rollback <客户> <时间> [@跟进人]",
			Summary: "把客户的标签恢复到过去某个时间（主管）",
			Help:    "先列出差异，发送 /confirm 才会执行，10 分钟内有效。例：/rollback 王小明 昨天", MinRole: RoleManager, Writes: true, ShowsCustomers: true, Run: r.runRollback},
		{Name: "confirm", Aliases: []string{"确认"}, Usage: "/confirm [建议号 [标签…]]", Summary: "确认待执行的操作或标签建议",
			Help: "不带参数：确认 /rollback 或强制撤销的提议。带建议号：确认那条标签建议，后面写标签名则只加这些。例：/confirm 3、/confirm 3 价格敏感型", MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runConfirm},
		{Name: "cancel", Aliases: []string{"取消"}, Usage: "/cancel", Summary: "放弃待执行的操作",
			Help: "放弃 /rollback 或强制撤销的提议。", MinRole: RoleEmployee, Run: r.runCancel},
		{Name: "restore", Aliases: []string{"恢复"}, Usage: "/restore tag <名称>",
			Summary: "重建被删除的标签并重新打回去（管理员）",
			Help:    "在企业微信里重新创建标签，再给删除前有这个标签的客户重新打上。名字显示不全或带 ⟨U+…⟩ 时写提示里的标签 id。例：/restore tag 高意向", MinRole: RoleAdmin, Run: r.runRestore},
		{Name: "stats", Aliases: []string{"统计"}, Usage: "/stats [tag:标签 tag:标签…] | /stats trend tag:标签 [since:时间] [until:时间] | /stats @userid | team | rules | channels",
			Summary: "看标签统计：各标签客户数、标签交叉、趋势、团队变更、规则和渠道",
			Help: "不带参数：每个标签的客户数，按标签组列出，和近 7 天、30 天的增减（从变更记录算出，含撤销和回滚）。\n" +
				"客户数" + stats.CountedNote + "。员工只统计自己跟进的客户，主管和管理员统计全部。\n" +
				"tag:A tag:B（2–6 个）：两两重叠的客户数、占比和提升度，并列出同时有全部标签的客户（可用 #编号 和 page:2）。\n" +
				"trend tag:A（或只写一个标签）：先说现有多少位客户，再列每天（超过 60 天按周）新增和移除的客户。@userid / team：每人的变更（一次操作对一位客户算一次）、来源、撤销率和被拒次数（team 限主管）。\n" +
				"rules：各规则建议的确认、拒绝、过期数。channels：各渠道二维码（/qr 创建）带来的客户数。\n" +
				"since:/until: 用于 trend、@userid、team（rules 只用 since:；默认近 30 天）；page: 只用于交叉分析。例：/stats tag:高意向 tag:VIP、/stats trend tag:高意向 since:上个月",
			MinRole: RoleEmployee, ShowsCustomers: true, Run: r.runStats},
		{Name: "groups", Aliases: []string{"标签库", "标签组"}, Usage: "/groups", Summary: "查看标签库和各组规则（互斥、受保护）",
			Help: "互斥：同组只能有一个；受保护：只有主管可以改。", MinRole: RoleEmployee, Run: r.runGroups},
		{Name: "help", Aliases: []string{"帮助", "?", "？"}, Usage: "/help [命令]", Summary: "查看命令说明",
			Help: "例：/help tag", MinRole: RoleEmployee, Run: r.runHelp},
		{Name: "whoami", Aliases: []string{"我是谁", "权限"}, Usage: "/whoami", Summary: "查看你的角色和能改哪些标签",
			Help: "角色由管理员在 config.yaml 的 roles 中设置。", MinRole: RoleEmployee, Run: r.runWhoami},
	}
}
