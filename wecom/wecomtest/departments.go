package wecomtest

import "slices"

// Departments of members, as user/get reports them in "department"
// (成员所属部门 id 列表). A member whose departments were never set is in the
// root department 1, as in a new corp.

// SetDepartments sets the department ids user/get reports for userID,
// adding the member if unknown.
func (s *Server) SetDepartments(userID string, ids ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findUser(userID) == nil {
		s.addUser(userID, userID)
	}
	if s.depts == nil {
		s.depts = map[string][]int{}
	}
	s.depts[userID] = slices.Clone(ids)
}

// departmentsOf is the department list of userID, with s.mu held.
func (s *Server) departmentsOf(userID string) []int {
	if ids, ok := s.depts[userID]; ok {
		return slices.Clone(ids)
	}
	return []int{1}
}
