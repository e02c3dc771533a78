package mirror

import (
	"context"
	"slices"
)

// ReadDepartments reads the members' departments now, outside a full
// sync (serve does at start, so a department newly named in visible_to
// need not wait for the next full sync). The follow users are those the
// store knows.
func (s *Syncer) ReadDepartments(ctx context.Context) error {
	s.readDepartments(ctx, nil)
	return ctx.Err()
}

// readDepartments reads the departments of every member tagbot knows
// (followUsers, everyone in the ledger, SyncOptions.Departments) with
// user/get and records them in the store, for the visible_to entries
// dept:<id> of tag groups. A member WeCom cannot answer for (left the
// corp, outside the app's visible range) keeps what was recorded before
// and is logged: one member must not fail the sync. 读取成员所属部门。
func (s *Syncer) readDepartments(ctx context.Context, followUsers []string) {
	members := slices.Clone(followUsers)
	if known, err := s.st.Employees(); err == nil {
		members = append(members, known...)
	}
	members = append(members, s.opts.Departments...)
	slices.Sort(members)
	members = slices.Compact(members)
	read := 0
	for _, m := range members {
		if m == "" || m == s.opts.Actor || m == "system" || ctx.Err() != nil {
			continue
		}
		u, err := s.api.GetUser(ctx, m)
		if err != nil {
			s.log.Warn("read member departments", "user", m, "err", err)
			continue
		}
		if err := s.st.SetDepartments(m, u.Departments, s.opts.Now()); err != nil {
			s.log.Warn("store member departments", "user", m, "err", err)
			continue
		}
		read++
	}
	s.log.Info("member departments read", "members", read)
}
