package stats

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/internal/suggest"
)

// UnknownEmployeeError is People's answer for a userid tagbot does not
// know (follows no customer, never changed a tag): Suggest is the closest
// known userid, "" when none is close. Its fields are safe to show.
type UnknownEmployeeError struct {
	UserID  string
	Suggest string
}

// Error implements error.
func (e *UnknownEmployeeError) Error() string {
	return fmt.Sprintf("stats: no employee %q", e.UserID)
}

// knownEmployee returns nil when userID follows a customer or made a
// change-set, else an *UnknownEmployeeError with the closest userid.
func (s *Stats) knownEmployee(userID string) error {
	known, err := s.Store.Employees()
	if err != nil {
		return fmt.Errorf("read employees: %w", err)
	}
	return unknownEmployee(userID, known)
}

// unknownEmployee is knownEmployee's decision over the known userids: a
// suggestion is within a third of the name's length in edits (at least
// one), ties to the first in order. Userids compare case-insensitively.
func unknownEmployee(userID string, known []string) error {
	lower := strings.ToLower(userID)
	best, bestD := "", -1
	for _, k := range known {
		if k == userID {
			return nil
		}
		if d := suggest.Distance(lower, strings.ToLower(k)); bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD < 0 || bestD > max(1, len([]rune(userID))/3) {
		best = ""
	}
	return &UnknownEmployeeError{UserID: userID, Suggest: best}
}
