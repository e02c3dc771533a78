package suggestion

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// runClassify is /classify <客户> <text>: the text, as the customer said
// it, goes to the intake; a match comes back as a card through Offer.
func (s *Service) runClassify(ctx context.Context, req commands.SuggestionRequest) ([]commands.Reply, error) {
	if s.opts.Submitter == nil {
		return nil, &commands.UserError{Code: commands.CodeUnavailable, Message: "规则识别没有启用，请联系管理员。"}
	}
	if len(req.Args) < 2 {
		return nil, usage("请写客户和客户说的话，例如 /classify 王小明 这个多少钱")
	}
	customer, name, err := s.followedCustomer(req.UserID, req.Args[0])
	if err != nil {
		return nil, err
	}
	msg := classify.Message{Customer: customer, Employee: req.UserID, From: classify.FromCustomer,
		Text: strings.Join(req.Args[1:], " "), Time: s.opts.Now()}
	if _, _, err := s.opts.Submitter.Submit(ctx, []classify.Message{msg}, nil); err != nil {
		return nil, fmt.Errorf("suggestion: submit /classify: %w", err)
	}
	return []commands.Reply{{Text: fmt.Sprintf("已提交 %s 的这句话。匹配到规则时，建议会以卡片发给你；没有卡片就是没有规则匹配。", name)}}, nil
}

// followedCustomer finds the one customer the user follows that text
// names (external_userid, name, remark or mobile).
func (s *Service) followedCustomer(user, text string) (id, name string, err error) {
	found, err := s.st.FindCustomers(text, 50)
	if err != nil {
		return "", "", err
	}
	var mine []string
	for _, c := range found {
		if slices.Contains(c.Followers, user) {
			mine = append(mine, c.ID)
		}
	}
	switch len(mine) {
	case 0:
		return "", "", &commands.UserError{Code: commands.CodeNotFound, Message: fmt.Sprintf(
			"你跟进的客户里没有「%s」。请写客户的姓名、备注或手机号，可以先用 /find 查找。", display.Echo(text))}
	case 1:
		return mine[0], s.customerName(mine[0], user), nil
	}
	names := make([]string, 0, 5)
	for _, id := range mine[:min(5, len(mine))] {
		names = append(names, s.customerName(id, user))
	}
	return "", "", &commands.UserError{Code: commands.CodeAmbiguous, Message: fmt.Sprintf(
		"「%s」对应 %d 位客户（%s），请写得更完整，或写手机号。", display.Echo(text), len(mine), strings.Join(names, "、"))}
}

// maxErrorLines is how many lines of a rule error /reload shows.
const maxErrorLines = 12

// errorLines renders err line by line, each line cleaned and cut, at most
// max lines. A rule error's caret line is left out: chat collapses its
// spaces, and the message already names the column.
func errorLines(err error, max int) string {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if strings.Trim(l, " |^") != "" {
			lines = append(lines, l)
		}
	}
	more := len(lines) - max
	if more > 0 {
		lines = lines[:max]
	}
	for i, l := range lines {
		lines[i] = display.Line(l, display.CommandRunes)
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("…另有 %d 行，见日志", more))
	}
	return strings.Join(lines, "\n")
}

// runReload is /reload: the rule set is read again; a bad one is refused
// and the old one stays.
func (s *Service) runReload(ctx context.Context, req commands.SuggestionRequest) ([]commands.Reply, error) {
	if len(req.Args) > 0 {
		return nil, usage("/reload 不带参数，直接发送 /reload 即可。")
	}
	if s.opts.Reloader == nil {
		return nil, &commands.UserError{Code: commands.CodeUnavailable, Message: "规则功能没有启用，无法重新加载。"}
	}
	if err := s.opts.Reloader.ReloadRules(); err != nil {
		s.log.WarnContext(ctx, "rule reload refused", "user", req.UserID, "err", err)
		return nil, &commands.UserError{Code: commands.CodeUsage, Message: "新配置有错，仍在使用原来的规则、触发器和生命周期规则：\n" +
			errorLines(err, maxErrorLines) + "\n按上面的文件和行号改好规则后，再发送 /reload。"}
	}
	s.log.InfoContext(ctx, "rules reloaded", "user", req.UserID)
	n := 0
	if s.opts.Rules != nil {
		n = len(s.opts.Rules.Rules())
	}
	text := fmt.Sprintf("规则已重新加载，现在共 %d 条。发送 /rules 查看。", n)
	if sum, ok := s.opts.Reloader.(ReloadSummarizer); ok {
		if more := sum.ReloadSummary(); more != "" {
			text += "\n" + more
		}
	}
	return []commands.Reply{{Text: text}}, nil
}
