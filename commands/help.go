package commands

import (
	"context"
	"fmt"
	"strings"
)

// runHelp is /help (every command, generated from the specs) and
// /help <command> (usage, aliases and details of one).
func (r *Router) runHelp(_ context.Context, req *Request) ([]Reply, error) {
	if len(req.Cmd.Args) > 0 {
		name := strings.TrimLeft(req.Cmd.Args[0].Value, "/／")
		if req.Cmd.Args[0].Kind != Word || name == "" || len(req.Cmd.Args) > 1 {
			return nil, userErr(CodeUsage, "/help 一次说明一个命令，例如 /help tag。用法：%s", req.Spec.Usage)
		}
		s, ok := r.byName[foldName(name)]
		if !ok {
			return []Reply{{Text: r.unknownCommand(name)}}, nil
		}
		return []Reply{{Text: specHelp(s)}}, nil
	}
	lines := []string{"可以用的命令（中文名也可以，如 /打标签）："}
	for _, s := range r.specs {
		line := fmt.Sprintf("%s — %s", s.Usage, s.Summary)
		if !req.Role.AtLeast(s.MinRole) {
			line += "（你没有权限）"
		}
		lines = append(lines, line)
	}
	lines = append(lines, "客户名里有空格请加引号，如 \"王 小明\"。详细说明：/help 命令名，例如 /help tag")
	return []Reply{{Text: strings.Join(lines, "\n")}}, nil
}

// noArgs refuses arguments to a command that takes none.
func noArgs(req *Request) error {
	if len(req.Cmd.Args) == 0 {
		return nil
	}
	return userErr(CodeUsage, "/%s 不带参数，直接发送 %s 即可。", req.Spec.Name, req.Spec.Usage)
}

// specHelp is the /help <command> text of one spec.
func specHelp(s *Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s", s.Usage, s.Summary)
	if len(s.Aliases) > 0 {
		fmt.Fprintf(&b, "\n也可以写：/%s", strings.Join(s.Aliases, "、/"))
	}
	if s.MinRole != RoleEmployee {
		fmt.Fprintf(&b, "\n仅限%s。", s.MinRole.whoCan())
	}
	if s.Help != "" {
		b.WriteString("\n" + s.Help)
	}
	return b.String()
}

// runWhoami is /whoami: the user's role and what they may change.
func (r *Router) runWhoami(_ context.Context, req *Request) ([]Reply, error) {
	if err := noArgs(req); err != nil {
		return nil, err
	}
	lines := []string{fmt.Sprintf("你是 %s，角色：%s。", dn(req.UserID), req.Role.Label())}
	switch req.Role {
	case RoleAdmin:
		lines = append(lines, "你可以修改所有客户的所有标签，撤销任何人的变更，回滚客户（/rollback），恢复被删除的标签（/restore）。")
	case RoleManager:
		lines = append(lines, "你可以修改所有客户的标签（包括受保护标签），撤销任何人的变更，回滚客户（/rollback）。")
	default:
		lines = append(lines, "你可以给自己跟进的客户加/删标签，撤销自己的变更，查看自己客户的记录。")
	}
	if lim := r.perms.limits(req.UserID, req.Role); len(lim) > 0 {
		lines = append(lines, "不能修改：")
		for _, l := range lim {
			lines = append(lines, "· "+l)
		}
	}
	lines = append(lines, "标签库和规则：/groups；全部命令：/help")
	return []Reply{{Text: strings.Join(lines, "\n")}}, nil
}
