package mirror

import (
	"context"
	"slices"
)

// ReadDepartments reads the members' departments now, outside a full
// sync (serve does at start, so a department newly named in visible_to
// need not wait for the next full sync), and the names of members whose
// name is not known yet (SyncOptions.ReadNames). The follow users are
// those the store knows.
func (s *Syncer) ReadDepartments(ctx context.Context) error {
	s.readMembers(ctx, nil, true)
	return ctx.Err()
}

// readMembers reads every member tagbot knows (followUsers, everyone in
// the ledger, SyncOptions.Departments) with user/get and records their
// departments (SyncOptions.ReadDepartments), for the visible_to entries
// dept:<id> of tag groups, and their names (SyncOptions.ReadNames), for
// requests naming an employee; newNames skips a member whose name is
// known when departments are not read. A member WeCom cannot answer for
// (left the corp, outside the app's visible range) keeps what was
// recorded before and is logged: one member must not fail the sync.
// 读取成员所属部门与姓名。
func (s *Syncer) readMembers(ctx context.Context, followUsers []string, newNames bool) {
	if !s.opts.ReadDepartments && !s.opts.ReadNames {
		return
	}
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
		if !s.opts.ReadDepartments && newNames {
			if name, err := s.st.MemberName(m); err == nil && name != "" {
				continue
			}
		}
		u, err := s.api.GetUser(ctx, m)
		if err != nil {
			s.log.Warn("read member", "user", m, "err", err)
			continue
		}
		if err := s.record(m, u.Name, u.Departments); err != nil {
			s.log.Warn("store member", "user", m, "err", err)
			continue
		}
		read++
	}
	s.log.Info("members read", "members", read)
}

// record stores what user/get said of member m.
func (s *Syncer) record(m, name string, depts []int) error {
	if s.opts.ReadDepartments {
		if err := s.st.SetDepartments(m, depts, s.opts.Now()); err != nil {
			return err
		}
	}
	if s.opts.ReadNames {
		return s.st.SetMemberName(m, name)
	}
	return nil
}
