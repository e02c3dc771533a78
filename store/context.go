package store

import "context"

type inboxKey struct{}

// WithInbox marks ctx as the handling of inbox message id. Change-sets made
// while handling it should carry the id (ChangeSet.Inbox), so that applying
// them also marks the message done: a crash after the change can then not
// run the same message again.
func WithInbox(ctx context.Context, id ID) context.Context {
	return context.WithValue(ctx, inboxKey{}, id)
}

// InboxOf returns the inbox message ctx handles, or 0.
func InboxOf(ctx context.Context) ID {
	id, _ := ctx.Value(inboxKey{}).(ID)
	return id
}
