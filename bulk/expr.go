package bulk

import (
	"strings"
	"time"
)

// Node is a selection expression: which customer relationships a /bulk
// changes. 选择条件。
type Node interface {
	// String writes the node back the way /bulk reads it.
	String() string
}

// Tag selects relationships that have the tag (as named by the user).
type Tag struct{ Name string }

// Follower selects the relationships of one employee (@userid).
type Follower struct{ UserID string }

// Since selects relationships added at or after At (since:…).
type Since struct {
	At   time.Time
	Text string // as typed
}

// Until selects relationships added before At (until:…, the end of the
// day or period named).
type Until struct {
	At   time.Time
	Text string
}

// State selects relationships added through a channel (contact way) whose
// state is Value (state:…).
type State struct{ Value string }

// And selects what every term selects.
type And struct{ Terms []Node }

// Or selects what any term selects.
type Or struct{ Terms []Node }

// Not selects what X does not.
type Not struct{ X Node }

// String implements Node.
func (n Tag) String() string { return "tag:" + quoted(n.Name) }

// String implements Node.
func (n Follower) String() string { return "@" + n.UserID }

// String implements Node.
func (n Since) String() string { return "since:" + quoted(n.Text) }

// String implements Node.
func (n Until) String() string { return "until:" + quoted(n.Text) }

// String implements Node.
func (n State) String() string { return "state:" + quoted(n.Value) }

// String implements Node.
func (n And) String() string { return join(n.Terms, " and ") }

// String implements Node.
func (n Or) String() string { return join(n.Terms, " or ") }

// String implements Node.
func (n Not) String() string { return "not " + group(n.X) }

func join(terms []Node, sep string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = group(t)
	}
	return strings.Join(parts, sep)
}

// group puts a compound term in parentheses.
func group(n Node) string {
	switch n.(type) {
	case And, Or:
		return "(" + n.String() + ")"
	}
	return n.String()
}

// quoted quotes a value with spaces, quotes or parentheses in 「」.
func quoted(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"()（）「」") {
		return "「" + s + "」"
	}
	return s
}
