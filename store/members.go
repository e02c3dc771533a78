package store

import (
	"errors"
	"strings"

	"github.com/tidwall/buntdb"
)

// Members' names (user/get's name), so a request can name an employee as
// people call them ("张三这周打了多少标签") instead of by userid. Keys:
//
//	en:<userid>                 the member's name
//	enn:<name folded>:<userid>  the members called that name (value "")
//
// Like dp:, a cache of WeCom: Rebuild leaves it and the next full sync
// rewrites it. 成员姓名（来自 user/get）。

// SetMemberName records the name WeCom reports for userID ("" forgets it).
func (s *Store) SetMemberName(userID, name string) error {
	if userID == "" || strings.Contains(userID, ":") {
		return errors.New("store: set member name: bad userid")
	}
	return s.update(func(tx *txn) error {
		old, err := tx.Get("en:" + userID)
		switch {
		case errors.Is(err, buntdb.ErrNotFound):
		case err != nil:
			return err
		case old == name:
			return nil
		default:
			tx.Delete("enn:" + normText(old) + ":" + userID)
		}
		if normText(name) == "" {
			tx.Delete("en:" + userID)
			return nil
		}
		if _, _, err := tx.Set("en:"+userID, name, nil); err != nil {
			return err
		}
		_, _, err = tx.Set("enn:"+normText(name)+":"+userID, "", nil)
		return err
	})
}

// MemberName returns the name recorded for userID; "" when none was read.
func (s *Store) MemberName(userID string) (string, error) {
	var out string
	err := s.view(func(tx *txn) error {
		v, err := tx.Get("en:" + userID)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		out = v
		return err
	})
	return out, err
}

// MembersNamed lists, sorted, the userids of the members whose name is
// text (folded like customer names). It reads one key range: the
// natural-language parser asks it for a word of a request.
func (s *Store) MembersNamed(text string) []string {
	q := normText(text)
	if q == "" {
		return nil
	}
	var out []string
	prefix := "enn:" + q + ":"
	_ = s.view(func(tx *txn) error {
		scan(tx, prefix, func(k, _ string) bool {
			out = append(out, k[len(prefix):])
			return true
		})
		return nil
	})
	return out
}
