package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// PageSize is how many changes one /lifecycle preview page names.
const PageSize = 20

var _ commands.Extension = (*Service)(nil)

// Commands implements commands.Extension: /lifecycle (生命周期), with
// preview and run for admins.
func (s *Service) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{{
		Name: "lifecycle", Aliases: []string{"生命周期"},
		Usage:   "/lifecycle [preview [规则名] [page:N] | run [规则名]]",
		Summary: "生命周期规则：列表、预览、立即执行",
		Help: "/lifecycle 列出生命周期规则：周期、下次执行时间、上次改了多少客户。\n" +
			"/lifecycle preview [规则名] [page:N]（管理员）预览下次执行会改哪些客户，不改任何标签。\n" +
			"/lifecycle run [规则名]（管理员）确认后立即执行，作为一批变更，可用 /undo bg-life-N 撤销。",
		MinRole: commands.RoleEmployee, Writes: true, ShowsCustomers: true,
		Run: s.runCommand,
	}}
}

// lifecycleArgs is /lifecycle's parsed arguments.
type lifecycleArgs struct {
	verb  string // "", "preview" or "run"
	rules []string
	page  int
}

// parseArgs reads the verb, rule names and page:N.
func parseArgs(args []commands.Token) (lifecycleArgs, error) {
	a := lifecycleArgs{page: 1}
	for i, t := range args {
		switch {
		case t.Kind == commands.Filter && t.Key == "page":
			n, err := strconv.Atoi(t.Value)
			if err != nil || n < 1 {
				return a, commands.UserErrorf(commands.CodeUsage, "page: 后面写页码，例如 page:2。")
			}
			a.page = n
		case t.Kind != commands.Word:
			return a, commands.UserErrorf(commands.CodeUsage, "看不懂 %s。用法：/lifecycle preview [规则名] [page:N] 或 /lifecycle run [规则名]", display.Echo(t.Value))
		case i == 0:
			switch strings.ToLower(t.Value) {
			case "preview", "预览":
				a.verb = "preview"
			case "run", "执行":
				a.verb = "run"
			default:
				return a, commands.UserErrorf(commands.CodeUsage, "没有 /lifecycle %s。可以用 /lifecycle、/lifecycle preview、/lifecycle run。", display.Echo(t.Value))
			}
		default:
			a.rules = append(a.rules, t.Value)
		}
	}
	if a.verb == "" && (len(a.rules) > 0 || a.page > 1) {
		return a, commands.UserErrorf(commands.CodeUsage, "规则名和页码写在 preview 后面，例如 /lifecycle preview 沉睡会员 page:2。")
	}
	return a, nil
}

// runCommand is /lifecycle: parse → authorize → list, preview or propose a run.
func (s *Service) runCommand(ctx context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	a, err := parseArgs(req.Args)
	if err != nil {
		return nil, err
	}
	if a.verb != "" && req.Role != commands.RoleAdmin {
		return nil, commands.UserErrorf(commands.CodeDenied, "只有管理员可以预览或执行生命周期规则。/lifecycle 可以看规则列表。")
	}
	switch a.verb {
	case "preview":
		plan, err := s.Preview(ctx, a.rules)
		if err != nil {
			return nil, s.userError(err)
		}
		return []commands.Reply{{Text: s.renderPreview(plan, a, req)}}, nil
	case "run":
		return s.proposeRun(ctx, a, req)
	}
	sts, err := s.Statuses()
	if err != nil {
		return nil, err
	}
	hidden, err := s.hiddenNames(req.Viewer())
	if err != nil {
		return nil, err
	}
	return []commands.Reply{{Text: renderList(visibleStatuses(sts, hidden), req.Location, redactor(hidden))}}, nil
}

// hiddenNames are the names of the tags v may not see (visible_to) that
// no tag v sees shares; nil when v sees every group.
func (s *Service) hiddenNames(v commands.Viewer) (map[string]bool, error) {
	if !v.HidesAny() {
		return nil, nil
	}
	tags, err := s.opts.Store.Tags(true)
	if err != nil {
		return nil, fmt.Errorf("tag library: %w", err)
	}
	hidden, seen := map[string]bool{}, map[string]bool{}
	for _, t := range tags {
		if v.SeesTag(t) {
			seen[t.Name] = true
		} else {
			hidden[t.Name], hidden[t.GroupName] = true, true
		}
	}
	for n := range seen {
		delete(hidden, n) // a name also in a group v sees reveals nothing
	}
	return hidden, nil
}

// redactor rewrites a skip reason naming a hidden tag or group (a group
// limit of another rule of the batch) as "其他原因"; nil when none hidden.
func redactor(hidden map[string]bool) func(string) string {
	if len(hidden) == 0 {
		return nil
	}
	return func(reason string) string {
		for n := range hidden {
			if strings.Contains(reason, n) {
				return "其他原因"
			}
		}
		return reason
	}
}

// visibleStatuses keeps the rules whose tags are not hidden: a rule naming
// a tag of a group hidden from the reader (visible_to) — in its condition,
// its change or what its last run changed — is left out, as if it did not
// exist. Admins (hidden nil) see every rule.
func visibleStatuses(sts []Status, hidden map[string]bool) []Status {
	if len(hidden) == 0 {
		return sts
	}
	names := func(st Status) []string {
		out := append(append([]string(nil), st.Rule.Add...), st.Rule.Remove...)
		for k := range st.State.LastTags {
			out = append(out, k[1:]) // "+名" / "-名"
		}
		return out
	}
	var out []Status
	for _, st := range sts {
		hide := false
		for _, n := range names(st) {
			hide = hide || hidden[n]
		}
		for n := range hidden {
			hide = hide || strings.Contains(st.Rule.When, `"`+n+`"`) || strings.Contains(st.Rule.When, "'"+n+"'")
		}
		if !hide {
			out = append(out, st)
		}
	}
	return out
}

// proposeRun previews the run, then proposes it; /confirm runs the rules
// afresh (the customers may have changed meanwhile) as one job.
func (s *Service) proposeRun(ctx context.Context, a lifecycleArgs, req *commands.ExtRequest) ([]commands.Reply, error) {
	plan, err := s.Preview(ctx, a.rules)
	if err != nil {
		return nil, s.userError(err)
	}
	if len(plan.Rules) == 0 {
		return nil, commands.UserErrorf(commands.CodeNoChange, "还没有生命周期规则：在 config.yaml 的 lifecycle: 里配置后 /reload。")
	}
	if len(plan.Changes) == 0 {
		return nil, commands.UserErrorf(commands.CodeNoChange, "现在执行不会改动任何客户，无需执行。")
	}
	summary := fmt.Sprintf("将立即执行生命周期规则 %s：改 %d 处客户关系（%s）。",
		strings.Join(plan.Rules, "、"), len(plan.Changes), tagTotals(plan.Changes))
	if len(plan.Skipped) > 0 {
		summary += fmt.Sprintf("另有 %d 处和前面的规则冲突，跳过（/lifecycle preview 可看）。", len(plan.Skipped))
	}
	lines := []string{fmt.Sprintf("%d 处变更，后台按企业微信频率同步", len(plan.Changes))}
	user := req.UserID
	return req.Propose("执行生命周期规则", "立即执行生命周期规则？", summary, lines, func(ctx context.Context) ([]commands.Reply, error) {
		run, err := s.RunNow(ctx, user, a.rules)
		if err != nil {
			return nil, s.userError(err)
		}
		if run.Job == "" {
			return []commands.Reply{{Text: "执行完成：没有需要改动的客户。"}}, nil
		}
		text := fmt.Sprintf("已开始执行 %s：%d 处变更在后台同步到企业微信。/lifecycle 看结果，撤销：/undo %s",
			run.Job, len(run.Plan.Changes), run.Job)
		return []commands.Reply{{Text: text + skippedText(run.Plan.Skipped, 5)}}, nil
	}), nil
}

// userError turns a rule that no longer compiles (a tag gone from the
// library) or an unknown rule name into a user error; others stay internal.
func (s *Service) userError(err error) error {
	var unknown *UnknownRuleError
	if errors.As(err, &unknown) {
		return commands.UserErrorf(commands.CodeNotFound, "没有生命周期规则「%s」。发送 /lifecycle 看有哪些规则。", display.Name(unknown.Name))
	}
	var re *RuleError
	if !errors.As(err, &re) {
		return err
	}
	return commands.UserErrorf(commands.CodeNotFound, "生命周期规则有问题：%s。改好 config.yaml 后 /reload，或用 /lifecycle 看规则名。",
		display.Line(re.Error(), 300))
}
