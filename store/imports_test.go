package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestImportLinks(t *testing.T) {
	s, clk := openTest(t)
	l := ImportLink{User: "zhangsan", Role: "employee", Created: clk.Now(), Expires: clk.Now().Add(30 * time.Minute)}
	must(t, s.PutImportLink("h1", l))
	if _, err := s.ImportLink("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown link: err = %v, want ErrNotFound", err)
	}
	got, err := s.ClaimImportLink("h1", "browserA")
	if err != nil || got.Claim != "browserA" {
		t.Fatalf("first claim: %+v, %v", got, err)
	}
	if _, err := s.ClaimImportLink("h1", "browserA"); err != nil {
		t.Errorf("same browser again: %v", err)
	}
	if _, err := s.ClaimImportLink("h1", "browserB"); !errors.Is(err, ErrLinkClaimed) {
		t.Errorf("another browser: err = %v, want ErrLinkClaimed", err)
	}
	must(t, s.UseImportLink("h1", "bg-import-1"))
	if err := s.UseImportLink("h1", "bg-import-2"); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("second use: err = %v, want ErrLinkUsed", err)
	}
	want := l
	want.Claim, want.Used, want.Batch = "browserA", true, "bg-import-1"
	if got, _ := s.ImportLink("h1"); !reflect.DeepEqual(got, want) {
		t.Errorf("stored link differs:\n got %+v\nwant %+v", got, want)
	}
	if err := s.PutImportLink("a:b", l); err == nil {
		t.Errorf("a hash with ':' was accepted")
	}
}

func TestCustomersExact(t *testing.T) {
	s, _ := openTest(t)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"王小明", []string{"c1"}},
		{"13800000001", []string{"c1"}},
		{"王总", []string{"c1"}},
		{"小明", nil}, // no substring fallback
		{"", nil},
	} {
		t.Run(tc.text, func(t *testing.T) {
			found, err := s.CustomersExact(tc.text, 5)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range found {
				ids = append(ids, c.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("CustomersExact(%q) = %v, want %v", tc.text, ids, tc.want)
			}
		})
	}
}
