package app

import (
	"context"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/todo"
)

// groupSyncOptions adds to o what the group policies need of the full
// sync: members' departments (user/get) when some visible_to names a
// department, read for the follow users, those in the ledger, the
// configured admins and managers and the userids visible_to names.
func groupSyncOptions(cfg *config.Config, o mirror.SyncOptions) mirror.SyncOptions {
	if !cfg.UsesDepartments() {
		return o
	}
	o.ReadDepartments = true
	members := append(slices.Clone(cfg.Roles.Admins), cfg.Roles.Managers...)
	for _, g := range cfg.Groups {
		for _, e := range g.VisibleTo {
			if !strings.HasPrefix(e, config.DeptPrefix) && e != config.EditorAdmins && e != config.EditorManagers && e != config.EditorEmployees {
				members = append(members, e)
			}
		}
	}
	o.Departments = members
	return o
}

// groupLimits is the store's view of groups.<组名>.exclusive and max:
// background jobs check them on every row (store.SetGroupLimits).
func groupLimits(cfg *config.Config) map[string]store.GroupLimit {
	out := map[string]store.GroupLimit{}
	for name, g := range cfg.Groups {
		if g.Exclusive || g.Max > 0 {
			out[name] = store.GroupLimit{Max: g.Max, Exclusive: g.Exclusive}
		}
	}
	return out
}

// newTodo builds /todo and the daily digest (sent through the Sender).
func (m *Main) newTodo(opts Options) *todo.Service {
	return todo.New(todo.Options{Store: m.Store, Config: m.Config, Notify: m.Sender.Notify, Now: opts.Now, Logger: opts.Logger})
}

// readDepartments reads at start members' departments when some group's
// visible_to names a department, and the names not known yet (for
// requests naming an employee); the full sync refreshes both later.
func (m *Main) readDepartments(ctx context.Context) error {
	return m.Syncer.ReadDepartments(ctx)
}

// visibleRefs keeps the tags userID may see (groups.*.visible_to), for
// what the suggestion service tells a follower.
func (m *Main) visibleRefs(userID string, refs []store.TagRef) []store.TagRef {
	v, err := commands.ViewerFor(m.Config, m.Store, userID)
	if err != nil {
		return nil
	}
	return v.VisibleRefs(refs)
}
