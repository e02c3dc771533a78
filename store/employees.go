package store

import (
	"slices"
	"strings"
)

// Employees lists, sorted and once each, the userids tagbot knows: those
// following a customer (rf: keys) and those who ever made a change-set
// (ix:a: keys). It reads no new keys and seeks once per userid, so it
// costs the number of employees, not of relationships. /stats @userid
// uses it to tell an unknown userid from one with no changes.
func (s *Store) Employees() ([]string, error) {
	seen := map[string]bool{}
	err := s.view(func(tx *txn) error {
		for _, prefix := range []string{"rf:", "ix:a:"} {
			from := prefix
			for {
				next := ""
				tx.AscendGreaterOrEqual("", from, func(k, _ string) bool {
					if strings.HasPrefix(k, prefix) {
						next = k
					}
					return false
				})
				if next == "" {
					break
				}
				uid, _, _ := strings.Cut(next[len(prefix):], ":")
				seen[uid] = true
				from = prefix + uid + ";" // ';' sorts right after ':': the next userid
			}
		}
		return nil
	})
	out := make([]string, 0, len(seen))
	for uid := range seen {
		out = append(out, uid)
	}
	slices.Sort(out)
	return out, err
}
