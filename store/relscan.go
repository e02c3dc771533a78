package store

import (
	"errors"
	"strings"
	"sync"
)

// Reading a large relationship set fast: the key range is split in two
// at a midpoint of its first and last keys and both halves are read at
// once (two read transactions), into slices sized from a counter.

// minSplit is the expected size below which a range is read in one go
// (a variable for tests).
var minSplit = 50_000

// relKeys lists the rest of every key under prefix, mapped by conv, in
// key order. size (nil when there is none) estimates the number of
// customers.
func (s *Store) relKeys(prefix string, conv func(string) string, size func(tx *txn) int) ([]string, error) {
	var first, last string
	hint := 0
	err := s.view(func(tx *txn) error {
		first, last = keyBounds(tx, prefix)
		if size != nil {
			hint = size(tx)
			hint += hint / 4 // customers → relationships, roughly
		}
		return nil
	})
	if err != nil || first == "" {
		return nil, err
	}
	mid := midKey(first, last)
	if hint < minSplit || mid == "" {
		return s.relRange(prefix, prefix, "", conv, hint)
	}
	var lower []string
	var lerr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		lower, lerr = s.relRange(prefix, prefix, mid, conv, hint/2+hint/8)
	}()
	upper, uerr := s.relRange(prefix, mid, "", conv, hint/2+hint/8)
	wg.Wait()
	if err := errors.Join(lerr, uerr); err != nil {
		return nil, err
	}
	return append(lower, upper...), nil
}

// relRange reads the keys under prefix from from (inclusive) to to
// (exclusive; "" for the end of the prefix).
func (s *Store) relRange(prefix, from, to string, conv func(string) string, size int) ([]string, error) {
	out := make([]string, 0, size)
	err := s.view(func(tx *txn) error {
		return tx.AscendGreaterOrEqual("", from, func(k, _ string) bool {
			if len(k) < len(prefix) || k[:len(prefix)] != prefix || (to != "" && k >= to) {
				return false
			}
			rest := k[len(prefix):] // keys are immutable strings: no copy
			if conv != nil {
				rest = conv(rest)
			}
			out = append(out, rest)
			return true
		})
	})
	return out, err
}

// keyBounds returns the first and last keys under prefix ("" when none).
func keyBounds(tx *txn, prefix string) (first, last string) {
	tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
		if strings.HasPrefix(k, prefix) {
			first = k
		}
		return false
	})
	if first == "" {
		return "", ""
	}
	tx.DescendLessOrEqual("", prefix+"\xff", func(k, _ string) bool {
		if strings.HasPrefix(k, prefix) {
			last = k
		}
		return false
	})
	return first, last
}

// midKey returns a key between first and last (first < mid <= last), or
// "" when there is none to find: the next eight bytes after their common
// prefix, read as numbers, averaged.
func midKey(first, last string) string {
	p := 0
	for p < len(first) && p < len(last) && first[p] == last[p] {
		p++
	}
	num := func(s string) uint64 {
		var n uint64
		for i := 0; i < 8; i++ {
			n <<= 8
			if p+i < len(s) {
				n |= uint64(s[p+i])
			}
		}
		return n
	}
	m := num(first)/2 + num(last)/2
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(m)
		m >>= 8
	}
	mid := first[:p] + strings.TrimRight(string(b), "\x00")
	if mid <= first || mid > last {
		return ""
	}
	return mid
}
