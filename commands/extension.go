package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Extension is a concern with commands of its own (bulk changes, import,
// channels, lifecycle rules…), built in its own package. The router parses
// the message, checks the command's MinRole and passes the request on; the
// extension answers. 扩展命令：由各自的包实现，路由只负责解析、角色检查和转交。
type Extension interface {
	// Commands lists the extension's commands. Names and aliases must not
	// clash with the router's own or another extension's (NewRouter fails).
	Commands() []ExtCommand
}

// ExtCommand is one command of an Extension: its names, help and minimum
// role, as Spec, and the function that runs it.
type ExtCommand struct {
	Name    string
	Aliases []string
	Usage   string
	Summary string
	Help    string
	MinRole Role
	// Writes marks commands that change tags (shown in /help).
	Writes bool
	// ShowsCustomers marks commands whose replies name customers: the
	// user's numbered pick list is cleared after them.
	ShowsCustomers bool
	Run            func(ctx context.Context, req *ExtRequest) ([]Reply, error)
}

// ExtRequest is one command for an Extension. A *UserError returned by Run
// is shown as is; any other error becomes "内部错误（编号 N）".
type ExtRequest struct {
	UserID string
	Role   Role
	Name   string   // the name typed (may be an alias)
	Args   []Token  // the arguments as parsed (+tag, -tag, @user, #N, key:value, words)
	Inbox  store.ID // the received message, 0 outside the bot loop
	Now    time.Time
	// Location is the time zone users mean (for ParseTime).
	Location *time.Location

	r *Router
}

// UserErrorf builds a *UserError for an extension: code is one of the
// Code constants, the message is Chinese, short and says what to do next.
func UserErrorf(code, format string, args ...any) error { return userErr(code, format, args...) }

// Viewer is who is asking, for the shared visibility rules (visibility.go).
func (e *ExtRequest) Viewer() Viewer { return e.r.perms.viewer(e.UserID, e.Role) }

// Propose remembers run as the user's pending proposal, replacing any
// earlier one: the user's next /confirm (确认, or the card's 确认 button)
// runs it, /cancel drops it, and it expires after ProposalTTL. It returns
// the text and card to show: summary (what will happen) followed by the
// confirm hint, and a card titled title with lines.
func (e *ExtRequest) Propose(what, title, summary string, lines []string, run func(ctx context.Context) ([]Reply, error)) []Reply {
	note := replacedNote(e.r.sess.replacing(e.UserID, e.Now))
	task := e.r.sess.propose(e.UserID, e.Now, what, func(ctx context.Context, _ *Request) ([]Reply, error) {
		return run(ctx)
	})
	text := fmt.Sprintf("%s%s\n发送 /confirm 执行，/cancel 放弃（%d 分钟内有效）。", note, summary, int(ProposalTTL/time.Minute))
	return []Reply{{Text: text}, confirmCard(task, title, "确认后作为一批变更执行，可以 /undo", lines)}
}

// LockWrites takes the router's write lock, held by every tag-changing
// command from its group-policy check to its write; call the returned
// function to release it.
func (e *ExtRequest) LockWrites() (unlock func()) { return e.r.LockWrites() }

// CheckTags applies the tag-group policies of /tag for this user to one
// relationship: a tag the user may not add or remove (protected, a group
// closed to them) is a *UserError, and one hidden from them by visible_to
// the *UserError of a tag that does not exist (CodeUnknownTag); so is a
// change giving a group more tags than its max (naming the tags rel has);
// adding a tag of an exclusive group returns the group's other tags on
// rel, which the change must also remove. Call it under LockWrites, with
// live the tag library.
func (e *ExtRequest) CheckTags(rel store.Relationship, add, remove, live []store.Tag) (autoRemove []store.Tag, err error) {
	v := e.Viewer()
	for _, t := range append(append([]store.Tag(nil), add...), remove...) {
		if !v.SeesTag(t) {
			return nil, hiddenTagErr(t.Name)
		}
	}
	for _, t := range append(append([]store.Tag(nil), add...), remove...) {
		if d := e.r.perms.check(e.UserID, e.Role, t); d != nil {
			return nil, userErr(CodeDenied, "%s", d.Reply)
		}
	}
	return e.r.exclusiveRemovals(rel, add, remove, live, "客户")
}

// Kick wakes the outbox worker after a write.
func (e *ExtRequest) Kick() { e.r.kick() }

// extSpecs turns the extensions' commands into specs run by the router.
func (r *Router) extSpecs(exts []Extension) []Spec {
	var out []Spec
	for _, x := range exts {
		for _, c := range x.Commands() {
			c := c
			out = append(out, Spec{Name: c.Name, Aliases: c.Aliases, Usage: c.Usage, Summary: c.Summary, Help: c.Help,
				MinRole: c.MinRole, Writes: c.Writes, ShowsCustomers: c.ShowsCustomers,
				Run: func(ctx context.Context, req *Request) ([]Reply, error) {
					return c.Run(ctx, &ExtRequest{UserID: req.UserID, Role: req.Role, Name: req.Name, Args: req.Cmd.Args,
						Inbox: req.Inbox, Now: req.Now, Location: r.loc, r: r})
				}})
		}
	}
	return out
}
