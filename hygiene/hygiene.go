// Package hygiene keeps the tag library tidy and takes mistakes back in
// bulk: /dupes lists near-duplicate tags (package tagmatch), /merge moves
// every assignment of one tag to another and deletes the first in WeCom,
// and mass undo (/undo @userid since:…, /undo source:import …, /undo
// bg-…) takes back everything matching as one batch. Both writes run as
// durable background jobs (store.Job, package jobs) with a preview and
// /confirm first. 标签库整理与批量撤销。
package hygiene

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// Job kinds: the jobs' ids are bg-merge-N and bg-undo-N.
const (
	KindMerge = "merge"
	KindUndo  = "undo"
)

// TagDeleter deletes a tag in the WeCom tag library and records the
// deletion in the store (a deleted tag stays restorable with /restore
// tag); mirror.Syncer implements it. 删除企业标签。
type TagDeleter interface {
	DeleteTag(ctx context.Context, tagID string) error
}

// JobQueue runs durable jobs; jobs.Runner implements it.
type JobQueue interface {
	// Wake starts work on a job just created.
	Wake()
	// Handle sends the progress of jobs of kind to fn.
	Handle(kind string, fn func(store.Job))
}

// Options configure New. Store and Jobs are required.
type Options struct {
	Store *store.Store
	Jobs  JobQueue
	// Synonyms are the synonym lists of config tag_synonyms.
	Synonyms [][]string
	// Tags deletes merged-away tags in WeCom; /merge is unavailable when nil.
	Tags TagDeleter
	// Deliver sends a job's final summary to the user who started it; may
	// be nil (then nothing is sent).
	Deliver func(ctx context.Context, userID string, replies []commands.Reply)
	// MarkTagPerMinute is the configured mark_tag rate, for the previews'
	// estimate of how long WeCom takes (none when 0).
	MarkTagPerMinute int
	// Now is the clock of progress reports; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
}

// Hygiene is the /dupes, /merge and mass-undo extension.
type Hygiene struct {
	st       *store.Store
	jobs     JobQueue
	synonyms [][]string
	tags     TagDeleter
	deliver  func(ctx context.Context, userID string, replies []commands.Reply)
	rate     int // mark_tag calls per minute (0: unknown)
	log      *slog.Logger

	now      func() time.Time
	throttle jobs.Throttle // when a job's progress is due in chat
}

var (
	_ commands.Extension = (*Hygiene)(nil)
	_ commands.MassUndo  = (*Hygiene)(nil)
)

// New builds the extension and registers its job handlers with Jobs.
func New(opts Options) *Hygiene {
	h := &Hygiene{st: opts.Store, jobs: opts.Jobs, synonyms: opts.Synonyms, tags: opts.Tags,
		deliver: opts.Deliver, rate: opts.MarkTagPerMinute, log: opts.Logger, now: opts.Now}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.log = h.log.With("pkg", "hygiene")
	h.jobs.Handle(KindMerge, func(j store.Job) { h.mergeProgress(context.Background(), j) })
	h.jobs.Handle(KindUndo, func(j store.Job) { h.undoProgress(context.Background(), j) })
	return h
}

// Commands lists /dupes and /merge (mass undo is reached through /undo).
func (h *Hygiene) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{
		{Name: "dupes", Aliases: []string{"重复标签", "近似标签"}, Usage: "/dupes",
			Summary: "列出近似重复的标签（管理员）",
			Help: "按全角/半角、大小写、标点空格、同义词（配置 tag_synonyms）和错别字找出近似重复的标签，" +
				"显示各有多少客户和相似的原因；用 /merge 合并。",
			MinRole: commands.RoleAdmin, Run: h.runDupes},
		{Name: "merge", Aliases: []string{"合并标签"}, Usage: "/merge <要合并掉的标签> into <保留的标签>",
			Summary: "把一个标签的客户全部移到另一个标签，再删除它（管理员）",
			Help: "先预览（多少客户关系移动、互斥组冲突），/confirm 后在后台作为一批执行，然后在企业微信删除被合并的标签。" +
				"可 /undo 批次号 撤销（标签已删除时先 /restore tag 恢复）。例：/merge 北京上海广州用户 into 北上广客户",
			MinRole: commands.RoleAdmin, Writes: true, Run: h.runMerge},
	}
}

// eta is "，按每分钟 1,200 次约需 3 分钟" for n mark_tag calls at the
// configured rate, or "" when the rate is unknown.
func (h *Hygiene) eta(n int) string {
	if h.rate <= 0 || n <= 0 {
		return ""
	}
	minutes := (n + h.rate - 1) / h.rate
	return fmt.Sprintf("，按每分钟 %s 次约需 %d 分钟", countText(h.rate), minutes)
}

// deliverTo sends replies to user when a Deliver function is configured.
func (h *Hygiene) deliverTo(ctx context.Context, user string, replies []commands.Reply) {
	if h.deliver != nil {
		h.deliver(ctx, user, replies)
	}
}
