package commands

import "time"

// ExtRequestFor is the ExtRequest a command from userID with role would
// get at now, for an extension's work outside chat (the /import upload
// page, `tagbot import`): the same tag policies (CheckTags), write lock,
// visibility and outbox kick. It has no Args and no Inbox; Propose is not
// for it (there is no chat to confirm in).
func (r *Router) ExtRequestFor(userID string, role Role, now time.Time) *ExtRequest {
	return &ExtRequest{UserID: userID, Role: role, Now: now, Location: r.loc, r: r}
}

// RoleOf is the role config.yaml gives userID now.
func (r *Router) RoleOf(userID string) Role { return r.perms.role(userID) }
