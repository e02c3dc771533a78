package commands

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Role is what a user may do: employee < manager < admin. 角色。
type Role string

// Roles, spelled as config.Role returns them.
const (
	RoleEmployee Role = config.RoleEmployee
	RoleManager  Role = config.RoleManager
	RoleAdmin    Role = config.RoleAdmin
)

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 2
	case RoleManager:
		return 1
	}
	return 0
}

// AtLeast reports whether r has at least the rights of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

// Label is the role's Chinese name: 员工, 主管 or 管理员.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "管理员"
	case RoleManager:
		return "主管"
	}
	return "员工"
}

// whoCan names the roles having at least r, for refusals.
func (r Role) whoCan() string {
	switch r {
	case RoleAdmin:
		return "管理员"
	case RoleManager:
		return "主管和管理员"
	}
	return "所有人"
}

// policy is the checked policy of one tag group.
type policy struct {
	editableBy []string // role names or userids; empty = everyone
	exclusive  bool
	protected  map[string]bool
	required   bool     // every customer should have a tag of it (/todo)
	max        int      // at most max tags per relationship; 0 = no limit
	visibleTo  []string // who sees its tags (sight.go); empty = everyone
}

// perms answers who may change which tag.
type perms struct {
	cfg    *config.Config
	groups map[string]policy // by group name
	st     *store.Store      // departments and tag library, for visible_to (sight.go)
}

// newPerms checks the group policies of cfg.
func newPerms(cfg *config.Config) (*perms, error) {
	p := &perms{cfg: cfg, groups: map[string]policy{}}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(cfg.Groups)) {
		g := cfg.Groups[name]
		if strings.TrimSpace(name) == "" {
			problems = append(problems, "groups: a tag group name is empty")
			continue
		}
		pol := policy{exclusive: g.Exclusive, protected: map[string]bool{}, required: g.Required, max: g.Max, visibleTo: g.VisibleTo}
		for i, e := range g.EditableBy {
			e = strings.TrimSpace(e)
			switch {
			case e == "":
				problems = append(problems, fmt.Sprintf("groups.%s.editable_by[%d]: empty", name, i))
			case e == "admin" || e == "manager" || e == "employee":
				problems = append(problems, fmt.Sprintf("groups.%s.editable_by[%d]: %q is not a role name, did you mean %q?", name, i, e, e+"s"))
			case slices.Contains(pol.editableBy, e):
				problems = append(problems, fmt.Sprintf("groups.%s.editable_by[%d]: %q listed twice", name, i, e))
			default:
				pol.editableBy = append(pol.editableBy, e)
			}
		}
		for i, t := range g.Protected {
			t = strings.TrimSpace(t)
			switch {
			case t == "":
				problems = append(problems, fmt.Sprintf("groups.%s.protected[%d]: empty", name, i))
			case pol.protected[t]:
				problems = append(problems, fmt.Sprintf("groups.%s.protected[%d]: %q listed twice", name, i, t))
			default:
				pol.protected[t] = true
			}
		}
		p.groups[name] = pol
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("bad tag group policy: %s", strings.Join(problems, "; "))
	}
	return p, nil
}

func (p *perms) role(userID string) Role { return Role(p.cfg.Role(userID)) }

func (p *perms) exclusive(group string) bool { return p.groups[group].exclusive }

// denial is a refused change: what the user is told and what the ledger
// records in ChangeSet.Denied.
type denial struct {
	Reply  string
	Record string
}

// check reports whether user (of role) may add or remove tag t; nil if so.
// Admins may change everything; managers everything their group policy's
// editable_by allows; employees neither protected tags nor groups closed
// to them.
func (p *perms) check(user string, role Role, t store.Tag) *denial {
	if role == RoleAdmin {
		return nil
	}
	if !p.sees(user, role, t.GroupName) {
		return &denial{
			Reply:  "这次修改涉及你无权查看的标签，不能执行。请联系主管。",
			Record: "涉及无权查看的标签组", // names no group: the record is read by others too
		}
	}
	pol := p.groups[t.GroupName]
	if pol.protected[t.Name] && !role.AtLeast(RoleManager) {
		return &denial{
			Reply:  fmt.Sprintf("你没有权限修改「%s」：受保护标签只有主管可以修改。请联系主管。", dn(t.Name)),
			Record: fmt.Sprintf("受保护标签「%s」只有主管可以修改", t.Name),
		}
	}
	if len(pol.editableBy) > 0 && !editorMatches(pol.editableBy, user, role) {
		who := editorsLabel(pol.editableBy)
		return &denial{
			Reply:  fmt.Sprintf("你没有权限修改「%s」：标签组「%s」只有%s可以修改。请联系%s。", dn(t.Name), dn(t.GroupName), who, who),
			Record: fmt.Sprintf("标签组「%s」只有%s可以修改", t.GroupName, who),
		}
	}
	return nil
}

// editorMatches reports whether user is one of the editors. "employees"
// admits everyone, "managers" managers and admins, "admins" admins.
func editorMatches(editors []string, user string, role Role) bool {
	for _, e := range editors {
		switch e {
		case config.EditorEmployees:
			return true
		case config.EditorManagers:
			if role.AtLeast(RoleManager) {
				return true
			}
		case config.EditorAdmins:
			if role == RoleAdmin {
				return true
			}
		default:
			if e == user {
				return true
			}
		}
	}
	return false
}

// editorsLabel names editors in Chinese: "主管、zhangsan".
func editorsLabel(editors []string) string {
	names := make([]string, len(editors))
	for i, e := range editors {
		switch e {
		case config.EditorAdmins:
			names[i] = "管理员"
		case config.EditorManagers:
			names[i] = "主管"
		case config.EditorEmployees:
			names[i] = "员工"
		default:
			names[i] = dn(e)
		}
	}
	return strings.Join(names, "、")
}

// notFollower is the denial for changing a customer one does not follow.
func notFollower(customer string, followers []string) *denial {
	return &denial{
		Reply:  fmt.Sprintf("你没有权限修改 %s 的标签：你不是这位客户的跟进人。请联系%s。", customer, followersWho(followers)),
		Record: "不是这位客户的跟进人",
	}
}

// followersWho names whom to contact about a customer: "跟进人 a、b 或主管".
func followersWho(followers []string) string {
	if len(followers) == 0 {
		return "主管"
	}
	return "跟进人 " + names(followers, "、") + " 或主管"
}

// notFollowerRead is the answer to reading (/tags, /history) a customer
// one does not follow.
func notFollowerRead(customer string, followers []string) string {
	return fmt.Sprintf("你不能查看 %s 的标签：你不是这位客户的跟进人。请联系%s。", customer, followersWho(followers))
}

// otherRelationship is the denial for an employee who follows the
// customer but names another follower's relationship with @.
func otherRelationship(mention string) *denial {
	return &denial{
		Reply:  fmt.Sprintf("你只能改自己跟进关系上的标签（@%s 是别人的）。去掉 @%s 即可改你自己的。", dn(mention), dn(mention)),
		Record: "只能改自己跟进关系上的标签",
	}
}

// mentionNotFollower refuses an @mention of someone who does not follow
// the customer, naming who does.
func mentionNotFollower(mention, customer string, followers []string) error {
	return userErr(CodeNotFound, "%s 不是 %s 的跟进人（跟进人：%s）。请改成 @%s，或去掉 @%s。",
		clip(mention), customer, names(followers, "、"), names(followers, " 或 @"), clip(mention))
}

// limits describes, for /whoami, what the user may not change.
func (p *perms) limits(user string, role Role) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(p.groups)) {
		pol := p.groups[name]
		if role == RoleAdmin || !p.sees(user, role, name) { // a hidden group is not named
			continue
		}
		if len(pol.editableBy) > 0 && !editorMatches(pol.editableBy, user, role) {
			out = append(out, fmt.Sprintf("标签组「%s」只有%s可以修改", dn(name), editorsLabel(pol.editableBy)))
			continue
		}
		if len(pol.protected) > 0 && !role.AtLeast(RoleManager) {
			out = append(out, fmt.Sprintf("受保护标签 %s（%s）只有主管可以修改",
				names(slices.Sorted(maps.Keys(pol.protected)), "、"), dn(name)))
		}
	}
	return out
}
