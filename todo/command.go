package todo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// PageSize is how many customers /todo lists per page.
const PageSize = 10

var _ commands.Extension = (*Service)(nil)

// Commands implements commands.Extension: /todo.
func (s *Service) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{{
		Name: "todo", Aliases: []string{"待补"}, Usage: "/todo [@userid] [page:N]",
		Summary: "查看还缺必选标签的客户",
		Help: "列出你跟进的、还没有打必选标签组（配置里 required: true）标签的客户，每页 10 位。" +
			"主管和管理员发送 /todo 看每位员工各缺多少，/todo @userid 看某位员工的名单。例：/todo page:2",
		MinRole: commands.RoleEmployee, ShowsCustomers: true, Run: s.run,
	}}
}

// todoArgs is a parsed /todo.
type todoArgs struct {
	who  string // @userid, "" for none
	page int
}

// parse reads "/todo [@userid] [page:N]".
func parse(req *commands.ExtRequest) (todoArgs, error) {
	a := todoArgs{page: 1}
	for _, t := range req.Args {
		switch {
		case t.Kind == commands.Mention && a.who == "":
			a.who = t.Value
		case t.Kind == commands.Filter && t.Key == "page":
			n, err := strconv.Atoi(t.Value)
			if err != nil || n < 1 || n > 10000 {
				return a, commands.UserErrorf(commands.CodeUsage, "page: 后面写页码，例如 /todo page:2。")
			}
			a.page = n
		default:
			return a, commands.UserErrorf(commands.CodeUsage, "看不懂「%s」。用法：/todo [@userid] [page:N]", display.Echo(t.Value))
		}
	}
	return a, nil
}

// run is /todo: parse → query → render.
func (s *Service) run(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	a, err := parse(req)
	if err != nil {
		return nil, err
	}
	if !anyRequired(s.opts.Config) {
		return text("还没有必选的标签组。管理员可以在配置的 groups 里给标签组加上 required: true。"), nil
	}
	v := req.Viewer()
	switch {
	case a.who != "" && a.who != req.UserID && !v.SeesAll():
		return nil, commands.UserErrorf(commands.CodeDenied, "你只能看自己的待补名单：/todo")
	case a.who == "" && v.SeesAll():
		return s.team(v)
	case a.who == "":
		a.who = req.UserID
	}
	list, err := s.Of(a.who, v)
	if err != nil {
		return nil, err
	}
	return text(s.renderList(a, req.UserID, list)), nil
}

// team is a manager's /todo: per employee, how many customers miss a
// required group.
func (s *Service) team(v commands.Viewer) ([]commands.Reply, error) {
	users, err := s.Followers()
	if err != nil {
		return nil, err
	}
	lines := []string{"各员工还缺必选标签的客户："}
	total := 0
	for _, u := range users {
		list, err := s.Of(u, v)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			continue
		}
		total += len(list)
		lines = append(lines, fmt.Sprintf("@%s：%d 位（%s）", display.Name(u), len(list), groupCounts(countByGroup(list))))
	}
	if total == 0 {
		return text("所有客户都已打上必选标签组的标签。"), nil
	}
	lines = append(lines, "看某位员工的名单：/todo @userid")
	return text(strings.Join(lines, "\n")), nil
}

// renderList writes one page of who's list, or says there is nothing.
func (s *Service) renderList(a todoArgs, asker string, list []Missing) string {
	whose := "你"
	if a.who != asker {
		whose = "@" + display.Name(a.who) + " "
	}
	if len(list) == 0 {
		return whose + "跟进的客户都已打上必选标签组的标签，没有待补的。"
	}
	pages := (len(list) + PageSize - 1) / PageSize
	if a.page > pages {
		return fmt.Sprintf("只有 %d 页，没有第 %d 页。看最后一页：%s", pages, a.page, pageCmd(a, asker, pages))
	}
	lines := []string{fmt.Sprintf("%s跟进的客户中有 %d 位还缺必选标签（第 %d/%d 页）：", whose, len(list), a.page, pages)}
	start := (a.page - 1) * PageSize
	for i, m := range list[start:min(start+PageSize, len(list))] {
		lines = append(lines, fmt.Sprintf("%d. %s 缺：%s", start+i+1, s.customerName(m.Customer), groupNames(m.Groups)))
	}
	lines = append(lines, "补标签：/tag 客户 +标签；标签组和标签见 /groups")
	if a.page < pages {
		lines = append(lines, "下一页："+pageCmd(a, asker, a.page+1))
	}
	return strings.Join(lines, "\n")
}

// pageCmd is the /todo command for page n.
func pageCmd(a todoArgs, asker string, n int) string {
	cmd := "/todo"
	if a.who != asker {
		cmd += " @" + display.Name(a.who)
	}
	return fmt.Sprintf("%s page:%d", cmd, n)
}

// customerName names a customer for a list: name, else external_userid.
func (s *Service) customerName(id string) string {
	if c, err := s.opts.Store.Customer(id); err == nil && c.Name != "" {
		return display.Name(c.Name)
	}
	return display.Name(id)
}

// groupNames is 「客户来源」「意向程度」.
func groupNames(groups []string) string {
	var b strings.Builder
	for _, g := range groups {
		b.WriteString("「" + display.Name(g) + "」")
	}
	return b.String()
}

// groupCounts is "客户来源 5 位、意向程度 3 位".
func groupCounts(by map[string]int) string {
	parts := make([]string, 0, len(by))
	for _, g := range slices.Sorted(maps.Keys(by)) {
		parts = append(parts, fmt.Sprintf("%s %d 位", display.Name(g), by[g]))
	}
	return strings.Join(parts, "、")
}

// text is one text reply.
func text(s string) []commands.Reply { return []commands.Reply{{Text: s}} }
