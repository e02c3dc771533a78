package store

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ImportLink is a one-time link to the spreadsheet upload page (/import):
// who asked for it, with which role, until when it works and whether its
// import was applied. Stored under imp:l:<hash of the token> (expiring), so
// the token itself is never stored. 导入链接。
type ImportLink struct {
	User    string    `json:"user"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// Used is set when the link's import was applied: the link then
	// shows the result and takes no other file.
	Used  bool   `json:"used,omitempty"`
	Batch string `json:"batch,omitempty"` // the applied batch
	// Claim is the hash of the browser secret of the first browser that
	// opened the link: other browsers are refused.
	Claim string `json:"claim,omitempty"`
}

// Errors of import links.
var (
	// ErrLinkUsed is returned by UseImportLink when the link was used already.
	ErrLinkUsed = errors.New("store: import link already used")
	// ErrLinkClaimed is returned by ClaimImportLink when another browser
	// opened the link first.
	ErrLinkClaimed = errors.New("store: import link opened in another browser")
)

func importLinkKey(hash string) string { return "imp:l:" + hash }

// PutImportLink stores a new link under the hash of its token; it is
// deleted an hour after it expires.
func (s *Store) PutImportLink(hash string, l ImportLink) error {
	if hash == "" || strings.ContainsAny(hash, ":\n") {
		return fmt.Errorf("store: bad import link hash")
	}
	return s.update(func(tx *txn) error {
		return setExpiring(tx, importLinkKey(hash), encode(l), l.Expires.Add(time.Hour))
	})
}

// ImportLink reads the link stored under hash (ErrNotFound when it never
// existed or was swept).
func (s *Store) ImportLink(hash string) (ImportLink, error) {
	return viewOne(s, func(tx *txn) (*ImportLink, error) {
		return getJSON[ImportLink](tx, importLinkKey(hash), func() error { return fmt.Errorf("import link: %w", ErrNotFound) })
	})
}

// UseImportLink marks the link used by batch; ErrLinkUsed when it already
// was, so two confirms of one link apply once.
func (s *Store) UseImportLink(hash, batch string) error {
	return s.update(func(tx *txn) error {
		l, err := getJSON[ImportLink](tx, importLinkKey(hash), func() error { return fmt.Errorf("import link: %w", ErrNotFound) })
		if err != nil {
			return err
		}
		if l.Used {
			return ErrLinkUsed
		}
		l.Used, l.Batch = true, batch
		return setExpiring(tx, importLinkKey(hash), encode(l), l.Expires.Add(time.Hour))
	})
}

// ClaimImportLink binds the link to the browser whose secret hashes to
// claim, unless another browser was bound first (ErrLinkClaimed).
func (s *Store) ClaimImportLink(hash, claim string) (ImportLink, error) {
	var out ImportLink
	err := s.update(func(tx *txn) error {
		l, err := getJSON[ImportLink](tx, importLinkKey(hash), func() error { return fmt.Errorf("import link: %w", ErrNotFound) })
		if err != nil {
			return err
		}
		out = *l
		if l.Claim == claim {
			return nil
		}
		if l.Claim != "" {
			return ErrLinkClaimed
		}
		l.Claim, out.Claim = claim, claim
		return setExpiring(tx, importLinkKey(hash), encode(l), l.Expires.Add(time.Hour))
	})
	return out, err
}

// CustomersExact lists the customers whose name, a relationship's remark
// or mobile is exactly text (after the lookup's folding): at most
// limit+1, so a caller can tell "more than limit"; unlike FindCustomers it never falls back to a substring scan, so it
// stays fast for a text nobody has.
func (s *Store) CustomersExact(text string, limit int) ([]Customer, error) {
	q := normText(text)
	if q == "" {
		return nil, nil
	}
	var ids []string
	err := s.view(func(tx *txn) error {
		prefix := "cn:" + q + ":"
		tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			ids = append(ids, k[len(prefix):])
			return len(ids) <= limit
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.customersByID(ids, limit+1)
}
