package importer

import (
	"slices"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// hidingPolicy is testPolicy for a user who may not see 化妆品客群's group.
type hidingPolicy struct{ testPolicy }

func (hidingPolicy) VisibleTags(tags []store.Tag) []store.Tag {
	return slices.DeleteFunc(slices.Clone(tags), func(t store.Tag) bool { return t.Name == "化妆品客群" })
}

// TestHiddenTagIsUnknown: a tag hidden from the importing user (visible_to)
// is planned as an unknown name, never matched nor suggested.
func TestHiddenTagIsUnknown(t *testing.T) {
	st := newTestStore(t)
	p := dryRunFile(t, st, "bom.csv", Options{Policy: hidingPolicy{testPolicy{user: "admin", all: true}}})
	var unknown []string
	for _, u := range p.UnknownTags {
		unknown = append(unknown, u.Name)
		for _, s := range u.Suggestions {
			if s.Tag.Name == "化妆品客群" {
				t.Errorf("unknown %q suggests the hidden tag", u.Name)
			}
		}
	}
	if len(unknown) != 1 || unknown[0] != "化妆品客群" {
		t.Errorf("unknown tags %q; want [化妆品客群]", unknown)
	}
	for _, c := range p.Changes {
		for _, a := range c.Add {
			if a.Name == "化妆品客群" {
				t.Errorf("row %d adds the hidden tag", c.Row)
			}
		}
	}
}
