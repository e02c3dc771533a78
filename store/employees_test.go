package store

import (
	"reflect"
	"testing"
)

// TestEmployees: followers (rf:) and ledger actors (ix:a:) once each,
// sorted; a userid that is a prefix of another stays apart.
func TestEmployees(t *testing.T) {
	s, _ := openTest(t)
	must(t, s.UpsertCustomer(Customer{ID: "c3", Name: "周"}, []FollowInfo{{Follower: "zhang"}}))
	if _, err := s.Apply(ChangeSet{Actor: "mgr", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t1")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Employees()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"lisi", "mgr", "zhang", "zhangsan"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Employees() = %v, want %v", got, want)
	}
}
