package page

import (
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
)

// Policy is importer.Policy for a command request: the /tag permissions
// and visibility of its user.
type Policy struct{ Req *commands.ExtRequest }

// User is the importing employee.
func (p Policy) User() string { return p.Req.UserID }

// SeesAll is true for managers and admins.
func (p Policy) SeesAll() bool { return p.Req.Viewer().SeesAll() }

// CheckTags is commands.ExtRequest.CheckTags.
func (p Policy) CheckTags(rel store.Relationship, add, remove, live []store.Tag) ([]store.Tag, error) {
	return p.Req.CheckTags(rel, add, remove, live)
}

// policy is the link user's policy with the link's role.
func (s *Server) policy(a *access) Policy {
	return Policy{Req: s.router.ExtRequestFor(a.link.User, a.role, s.o.Now())}
}
