// Package bulk is /bulk: change the tags of every customer a selection
// names (a tag expression, a follower, when or through which channel they
// were added), after a preview with the count, a sample and the time it
// takes at WeCom's rate, as one durable, resumable batch (jobs.Runner)
// that /undo <batch> takes back. 批量打标签。
package bulk

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// Kind is the store.Job kind of /bulk runs: their batch ids are bg-bulk-N.
const Kind = "bulk"

// markTagPath is the API whose rate bounds a bulk run.
const markTagPath = "externalcontact/mark_tag"

// sampleSize is how many customers the preview names.
const sampleSize = 3

// Options configure New. Store, Config and Runner are required.
type Options struct {
	Store  *store.Store
	Config *config.Config // wecom.rate_limits gives the ETA
	// Runner applies the confirmed runs; New registers the progress of
	// Kind jobs with it.
	Runner *jobs.Runner
	// Deliver sends progress and the summary to the member who asked
	// (bot.Sender.Send); without it they are only logged.
	Deliver func(ctx context.Context, userID string, replies []commands.Reply)
	// Now is the clock; time.Now when nil.
	Now      func() time.Time
	Location *time.Location // the zone of times in replies; China time when nil
	Logger   *slog.Logger
}

// Bulk is the /bulk extension. It is safe for concurrent use.
type Bulk struct {
	opts Options
	log  *slog.Logger

	throttle jobs.Throttle // when progress is due in chat
}

var _ commands.Extension = (*Bulk)(nil)

// New builds the extension and registers its progress reports with the
// runner.
func New(opts Options) *Bulk {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = config.ChinaZone
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	b := &Bulk{opts: opts, log: opts.Logger.With("pkg", "bulk")}
	opts.Runner.Handle(Kind, b.progress)
	return b
}

// Commands implements commands.Extension.
func (b *Bulk) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{{
		Name: "bulk", Aliases: []string{"批量"},
		Usage:   "/bulk <条件> +标签 -标签 | /bulk list | /bulk stop <批次>",
		Summary: "按条件批量加减标签，确认后后台执行，可整批撤销（主管）",
		Help: "条件：tag:标签、@成员、since:日期、until:日期（按添加客户的时间）、state:渠道，用 and、or、not 和括号组合。" +
			"先回复人数、示例和预计时间，发送 /confirm 后按企业微信的频率后台执行，并汇报进度；已经符合的客户会跳过。" +
			"/bulk list 查看进行中的，/bulk stop 批次号 停止（已改的保留）；整批用 /undo 批次号 撤销。例：/bulk tag:老客户 and not tag:已流失 +双十一；/bulk (tag:A or tag:B) and since:上个月 -待跟进",
		MinRole: commands.RoleManager, Writes: true, ShowsCustomers: true,
		Run: b.run,
	}}
}

// plan is a parsed and resolved /bulk.
type plan struct {
	sel         Node
	add, remove []store.Tag
	live        []store.Tag
	text        string // the command as shown back
}

// run is /bulk: parse → select → preview, and propose the run.
func (b *Bulk) run(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	if replies, ok, err := b.manage(req); ok {
		return replies, err
	}
	p, err := b.parse(req)
	if err != nil {
		return nil, err
	}
	// Group policies that hold for every customer (protected tags, closed
	// groups, two tags of an exclusive group) refuse the whole run now.
	if _, err := req.CheckTags(store.Relationship{}, p.add, p.remove, p.live); err != nil {
		return nil, err
	}
	pv, err := b.preview(p)
	if err != nil {
		return nil, err
	}
	if len(pv.selected) == 0 {
		return []commands.Reply{{Text: "没有符合条件的客户，什么都没有改。可以先用 /find tag:标签 看看有哪些客户。"}}, nil
	}
	if len(pv.change) == 0 {
		return []commands.Reply{{Text: fmt.Sprintf("符合条件的 %d 个客户关系标签都已经是这样了，不需要改。", len(pv.selected))}}, nil
	}
	summary := b.previewText(p, pv, req.Exclusive)
	lines := append([]string{"条件：" + display.Line(p.sel.String(), 200), "改动：" + changeText(p.add, p.remove)}, pv.sample...)
	return req.Propose("bulk", "批量修改标签", summary, lines, func(ctx context.Context) ([]commands.Reply, error) {
		return b.start(ctx, req, p)
	}), nil
}

// parse reads the arguments and resolves the tags they name.
func (b *Bulk) parse(req *commands.ExtRequest) (plan, error) {
	r, err := Parse(req.Args, req.Now, req.Location)
	if err != nil {
		return plan{}, err
	}
	var p plan
	if p.add, err = req.ResolveTags(r.Add); err != nil {
		return plan{}, err
	}
	if p.remove, err = req.ResolveTags(r.Remove); err != nil {
		return plan{}, err
	}
	for _, a := range p.add {
		for _, x := range p.remove {
			if a.ID == x.ID {
				return plan{}, commands.UserErrorf(commands.CodeUsage, "「%s」不能同时加和去掉，请只写一次。", display.Name(a.Name))
			}
		}
	}
	p.sel, err = Resolve(r.Select, func(name string) (string, error) {
		ts, err := req.ResolveTags([]string{name})
		if err != nil {
			return "", err
		}
		return ts[0].ID, nil
	})
	if err != nil {
		return plan{}, err
	}
	if err := b.checkFollowers(p.sel); err != nil {
		return plan{}, err
	}
	if p.live, err = b.opts.Store.Tags(false); err != nil {
		return plan{}, fmt.Errorf("bulk: read tags: %w", err)
	}
	p.text = r.Select.String() + " " + changeText(p.add, p.remove)
	return p, nil
}

// changeText is "+A +B -C".
func changeText(add, remove []store.Tag) string {
	var parts []string
	for _, t := range add {
		parts = append(parts, "+"+display.Name(t.Name))
	}
	for _, t := range remove {
		parts = append(parts, "-"+display.Name(t.Name))
	}
	return strings.Join(parts, " ")
}

// refs turns tags into change-set refs.
func refs(ts []store.Tag) []store.TagRef {
	out := make([]store.TagRef, len(ts))
	for i, t := range ts {
		out[i] = t.Ref()
	}
	return out
}

// ratePerMinute is the configured mark_tag rate (calls per minute; 0:
// unlimited).
func (b *Bulk) ratePerMinute() int {
	n := b.opts.Config.WeCom.RateLimits[markTagPath]
	if n == 0 {
		n = wecom.DefaultRateLimits[markTagPath]
	}
	return max(n, 0)
}

// eta is how long n mark_tag calls take at the configured rate, in words.
func (b *Bulk) eta(n int) string {
	rate := b.ratePerMinute()
	if rate == 0 {
		return "很快"
	}
	d := time.Duration(float64(n) / float64(rate) * float64(time.Minute))
	switch {
	case d < time.Minute:
		return "不到 1 分钟"
	case d < time.Hour:
		return fmt.Sprintf("约 %d 分钟", int(d.Round(time.Minute)/time.Minute))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("约 %d 小时 %d 分钟", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// checkFollowers refuses an @userid that is no employee tagbot knows,
// naming it, rather than selecting nobody.
func (b *Bulk) checkFollowers(sel Node) error {
	ids := followersIn(sel, nil)
	if len(ids) == 0 {
		return nil
	}
	emps, err := b.opts.Store.Employees()
	if err != nil {
		return fmt.Errorf("bulk: read employees: %w", err)
	}
	for _, id := range ids {
		if !slices.Contains(emps, id) {
			return commands.UserErrorf(commands.CodeNotFound, "没有成员「%s」：@ 后面填成员的 userid，例如 @zhangsan。", display.Name(id))
		}
	}
	return nil
}

// followersIn appends the userids of the selection's @userid atoms.
func followersIn(n Node, out []string) []string {
	switch n := n.(type) {
	case Follower:
		return append(out, n.UserID)
	case And:
		for _, t := range n.Terms {
			out = followersIn(t, out)
		}
	case Or:
		for _, t := range n.Terms {
			out = followersIn(t, out)
		}
	case Not:
		out = followersIn(n.X, out)
	}
	return out
}
