package store

import (
	"testing"
	"time"
)

func TestHistoryQueries(t *testing.T) {
	s, clk := openTest(t)
	start := clk.Now()
	var made []ChangeSet
	for i := 0; i < 6; i++ {
		actor := "zhangsan"
		if i%2 == 1 {
			actor = "wangwu"
		}
		cust := "c1"
		if i >= 4 {
			cust = "c2"
		}
		tag := []string{"t1", "t2", "t3", "t4"}[i%4]
		var cs ChangeSet
		if _, err := s.Relationship(cust, "zhangsan"); err != nil {
			t.Fatal(err)
		}
		rel, _ := s.Relationship(cust, "zhangsan")
		if _, has := rel.Tags[tag]; has {
			cs = apply(t, s, actor, cust, nil, []string{tag})
		} else {
			cs = apply(t, s, actor, cust, []string{tag}, nil)
		}
		made = append(made, cs)
		clk.Advance(time.Hour)
	}
	cases := []struct {
		name string
		q    Query
		want []ID
	}{
		{"all newest first", Query{}, []ID{6, 5, 4, 3, 2, 1}},
		{"by customer", Query{Customer: "c1"}, []ID{4, 3, 2, 1}},
		{"by actor", Query{Actor: "wangwu"}, []ID{6, 4, 2}},
		{"by tag", Query{Tag: "t1"}, []ID{5, 1}},
		{"since", Query{Since: start.Add(3 * time.Hour)}, []ID{6, 5, 4}},
		{"until", Query{Until: start.Add(2 * time.Hour)}, []ID{2, 1}},
		{"window and customer", Query{Customer: "c1", Since: start.Add(time.Hour), Until: start.Add(3 * time.Hour)}, []ID{3, 2}},
		{"actor and customer", Query{Customer: "c1", Actor: "zhangsan"}, []ID{3, 1}},
		{"page", Query{Limit: 2, Before: 5}, []ID{4, 3}},
		{"empty window", Query{Since: start.Add(10 * time.Hour)}, nil},
		{"unknown customer", Query{Customer: "c9"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.History(tc.q)
			must(t, err)
			var gotIDs []ID
			for _, cs := range got {
				gotIDs = append(gotIDs, cs.ID)
			}
			if len(gotIDs) != len(tc.want) {
				t.Fatalf("got %v want %v", gotIDs, tc.want)
			}
			for i := range gotIDs {
				if gotIDs[i] != tc.want[i] {
					t.Fatalf("got %v want %v", gotIDs, tc.want)
				}
			}
		})
	}
	last, err := s.LastBy("wangwu")
	must(t, err)
	if last.ID != made[5].ID {
		t.Fatalf("last by wangwu %d", last.ID)
	}
	if _, err := s.LastBy("nobody"); err == nil {
		t.Fatal("last by nobody found something")
	}
}
