package store

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tidwall/buntdb"
)

// InboxAfter lists pending messages after a cursor, with their order keys,
// without bodies; messages stored without an order key (InboxPut, as every
// tagbot before order keys wrote them) come with their body instead.
func TestInboxAfter(t *testing.T) {
	s, _ := openTest(t)
	put := func(key, order, body string) ID {
		t.Helper()
		id, dup, err := s.InboxPutOrdered(key, order, []byte(body))
		if err != nil || dup {
			t.Fatalf("put %s: dup %v, %v", key, dup, err)
		}
		return id
	}
	legacy, _, err := s.InboxPut("m0", []byte("<xml>old</xml>"))
	must(t, err)
	a1 := put("m1", "alice", "<xml>a1</xml>")
	b1 := put("m2", "bob", "<xml>b1</xml>")
	a2 := put("m3", "alice", "<xml>a2</xml>")
	a3 := put("m4", "alice", "<xml>a3</xml>")
	must(t, s.InboxDone(a2))

	tests := []struct {
		name  string
		after ID
		limit int
		want  []InboxRef
	}{
		{"all", 0, 0, []InboxRef{{ID: legacy, Body: []byte("<xml>old</xml>")}, {ID: a1, Order: "alice"}, {ID: b1, Order: "bob"}, {ID: a3, Order: "alice"}}},
		{"limit", 0, 2, []InboxRef{{ID: legacy, Body: []byte("<xml>old</xml>")}, {ID: a1, Order: "alice"}}},
		{"after a cursor", a1, 0, []InboxRef{{ID: b1, Order: "bob"}, {ID: a3, Order: "alice"}}},
		{"after a done message", a2, 0, []InboxRef{{ID: a3, Order: "alice"}}},
		{"nothing new", a3, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.InboxAfter(tt.after, tt.limit)
			must(t, err)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("InboxAfter(%d, %d) =\n%+v\nwant\n%+v", tt.after, tt.limit, got, tt.want)
			}
		})
	}
}

// A queue entry that lost its order key (rebuilt from the message record,
// say) takes it from the record, which keeps it too.
func TestInboxAfterOrderFromRecord(t *testing.T) {
	s, _ := openTest(t)
	id, _, err := s.InboxPutOrdered("m1", "alice", []byte("<xml/>"))
	must(t, err)
	must(t, s.db.Update(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(seqKey("inq:", uint64(id)), "", nil)
		return err
	}))
	got, err := s.InboxAfter(0, 0)
	must(t, err)
	if want := []InboxRef{{ID: id, Order: "alice"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("InboxAfter = %+v, want %+v", got, want)
	}
}

// InboxBegin counts the attempt and returns the whole message; the count
// and the order key survive a reopen.
func TestInboxBegin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	id, _, err := s.InboxPutOrdered("m1", "sys:customer:wmA", []byte("<xml>x</xml>"))
	must(t, err)
	m, err := s.InboxBegin(id)
	must(t, err)
	must(t, s.Close())
	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	m2, err := s.InboxBegin(id)
	must(t, err)
	type view struct {
		ID       ID
		Key      string
		Body     string
		Order    string
		Attempts int
	}
	for i, tt := range []struct {
		got  InboxMessage
		want view
	}{
		{m, view{id, "m1", "<xml>x</xml>", "sys:customer:wmA", 1}},
		{m2, view{id, "m1", "<xml>x</xml>", "sys:customer:wmA", 2}},
	} {
		got := view{tt.got.ID, tt.got.Key, string(tt.got.Body), tt.got.Order, tt.got.Attempts}
		if got != tt.want {
			t.Errorf("attempt %d: InboxBegin = %+v, want %+v", i+1, got, tt.want)
		}
	}
	must(t, s.InboxDone(id))
	if _, err := s.InboxBegin(id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("InboxBegin of a done message: %v, want ErrNotFound", err)
	}
}
