package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagbot/tagbot/importer/importertest"
	"github.com/tagbot/tagbot/store"
)

// newTestStore opens the store of importertest (matching testdata).
func newTestStore(t testing.TB) *store.Store { return importertest.Open(t, nil) }

// testPolicy is a Policy: user, whether they see all, t7 (受保护)
// closed to everyone, and 客户等级 exclusive (高意向 t1 and 低意向 t2 not
// added together).
type testPolicy struct {
	user string
	all  bool
}

func (p testPolicy) User() string  { return p.user }
func (p testPolicy) SeesAll() bool { return p.all }
func (p testPolicy) CheckTags(_ store.Relationship, add, remove, _ []store.Tag) ([]store.Tag, error) {
	if slices.ContainsFunc(append(slices.Clone(add), remove...), func(t store.Tag) bool { return t.ID == "t7" }) {
		return nil, fmt.Errorf("标签「受保护」只有管理员能改")
	}
	if slices.ContainsFunc(add, func(t store.Tag) bool { return t.ID == "t1" }) && slices.ContainsFunc(add, func(t store.Tag) bool { return t.ID == "t2" }) {
		return nil, fmt.Errorf("标签组「客户等级」只能选一个")
	}
	return nil, nil
}

// dryRunFile plans testdata/name.
func dryRunFile(t *testing.T, st *store.Store, name string, o Options) *Plan {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := Open(name, f)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	o.Store = st
	if o.Policy == nil {
		o.Policy = testPolicy{user: "admin", all: true}
	}
	if o.MaxBadShare == 0 {
		o.MaxBadShare = 0.1
	}
	p, err := DryRun(rows, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// changeView is a Change as tests compare it.
type changeView struct {
	Row              int
	Customer, Follow string
	Add, Remove      string
}

func viewChanges(p *Plan) []changeView {
	var out []changeView
	for _, c := range p.Changes {
		out = append(out, changeView{c.Row, c.Customer, c.Follower, TagNames(c.Add), TagNames(c.Remove)})
	}
	return out
}

type issueView struct {
	Row    int
	Column string
	Value  string
}

func viewIssues(list []Issue) []issueView {
	var out []issueView
	for _, is := range list {
		out = append(out, issueView{is.Row, is.Column, is.Value})
	}
	return out
}
