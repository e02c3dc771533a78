package store

import (
	"errors"
	"strings"

	"github.com/tidwall/buntdb"
)

// HasCustomerNamed reports whether text is exactly a customer's
// external_userid, name, remark or mobile (folded like FindCustomers). It
// reads one key range and never scans: the natural-language parser asks it
// for each candidate name in a request. 是否有客户恰好叫这个名字。
func (s *Store) HasCustomerNamed(text string) bool {
	q := normText(text)
	if q == "" {
		return false
	}
	found := false
	_ = s.view(func(tx *txn) error {
		if isASCII(text) { // external_userids are ASCII
			if _, err := tx.Get("cust:" + text); err == nil {
				found = true
				return nil
			} else if !errors.Is(err, buntdb.ErrNotFound) {
				return err
			}
		}
		prefix := "cn:" + q + ":"
		tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
			found = strings.HasPrefix(k, prefix)
			return false
		})
		return nil
	})
	return found
}

// TagNames is a snapshot of the tag library's names for matching words a
// user typed: names fold ASCII letters to lower case ("vip" is VIP). It
// never changes; Store.TagNames returns a new one after the library does.
// 标签名索引（只读快照）。
type TagNames struct {
	lib     *library
	live    map[string]string // folded name → name
	deleted map[string]string
	names   []string // live names, in display order, each once
}

// TagNames returns the current library's names: prev itself when the
// library has not changed since prev was made (prev may be nil).
func (s *Store) TagNames(prev *TagNames) *TagNames {
	lib := s.lib.Load()
	if prev != nil && prev.lib == lib {
		return prev
	}
	n := &TagNames{lib: lib, live: map[string]string{}, deleted: map[string]string{}}
	if lib == nil {
		return n
	}
	for _, t := range lib.ordered {
		k := strings.ToLower(t.Name)
		switch {
		case !t.Deleted:
			if _, dup := n.live[k]; !dup {
				n.names = append(n.names, t.Name)
			}
			n.live[k] = t.Name
		default:
			n.deleted[k] = t.Name
		}
	}
	return n
}

// Live returns the live tag called name (ASCII letters in any case).
func (n *TagNames) Live(name string) (string, bool) {
	v, ok := n.live[strings.ToLower(name)]
	return v, ok
}

// Deleted returns the deleted tag called name (ASCII letters in any case).
func (n *TagNames) Deleted(name string) (string, bool) {
	v, ok := n.deleted[strings.ToLower(name)]
	return v, ok
}

// Names lists the live tag names in display order.
func (n *TagNames) Names() []string { return n.names }

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
