package store

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tidwall/buntdb"
)

// Members' WeCom departments (user/get's department ids), as the full sync
// last read them, for groups.<组名>.visible_to entries dept:<id>. Keys:
//
//	dp:<userid>   memberDepts: the member's department ids and when they were read
//
// They are a cache of WeCom, not ledger state: Rebuild leaves them alone
// and the next full sync rewrites them. 成员所属部门（来自 user/get）。

// memberDepts is the value of dp:<userid>.
type memberDepts struct {
	IDs  []int     `json:"ids"`
	Read time.Time `json:"read"`
}

// SetDepartments records the department ids WeCom reports for userID.
func (s *Store) SetDepartments(userID string, ids []int, read time.Time) error {
	if userID == "" {
		return errors.New("store: set departments: empty userid")
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return s.update(func(tx *txn) error {
		return putJSON(tx, "dp:"+userID, memberDepts{IDs: slices.Compact(ids), Read: read.UTC()})
	})
}

// Departments returns the department ids recorded for userID, sorted; nil
// when none were ever read.
func (s *Store) Departments(userID string) ([]int, error) {
	var out []int
	err := s.view(func(tx *txn) error {
		raw, err := tx.Get("dp:" + userID)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var v memberDepts
		if err := decode("dp:"+userID, raw, &v); err != nil {
			return fmt.Errorf("store: departments of %s: %w", userID, err)
		}
		out = v.IDs
		return nil
	})
	return out, err
}

// Followed calls fn with each relationship of follower, in customer id
// order, until fn returns false (/todo and its digest walk them).
func (s *Store) Followed(follower string, fn func(Relationship) bool) error {
	return s.view(func(tx *txn) error {
		var ferr error
		prefix := "rf:" + follower + ":"
		scan(tx, prefix, func(k, _ string) bool {
			rel, err := getRel(tx, k[len(prefix):], follower)
			if errors.Is(err, ErrNoRelationship) || errors.Is(err, ErrNotFound) {
				return true // ended meanwhile
			}
			if err != nil {
				ferr = err
				return false
			}
			return fn(*rel)
		})
		return ferr
	})
}
