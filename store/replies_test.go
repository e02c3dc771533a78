package store

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// replyTexts returns the text (or card task id) of each reply.
func replyTexts(rs []QueuedReply) []string {
	out := []string{}
	for _, r := range rs {
		if r.Card != nil {
			out = append(out, "card:"+r.Card.TaskID)
			continue
		}
		out = append(out, r.Text)
	}
	return out
}

func TestReplyQueueOrderAndDone(t *testing.T) {
	s, clk := openTest(t)
	card := &ReplyCard{TaskID: "undo-7", Title: "撤销 #7？", Lines: []string{"客户：王小明"},
		Buttons: []ReplyButton{{Key: "yes", Text: "确认"}, {Key: "no", Text: "取消"}}}
	must(t, s.ReplyPut("zhangsan", []QueuedReply{{Text: "z1"}, {Card: card}}))
	clk.Advance(time.Second)
	must(t, s.ReplyPut("lisi", []QueuedReply{{Text: "l1"}}))
	must(t, s.ReplyPut("zhangsan", []QueuedReply{{Text: "z2"}}))
	must(t, s.ReplyPut("li", []QueuedReply{{Text: "li1"}})) // a prefix of another member

	all, err := s.RepliesPending(0)
	must(t, err)
	if got, want := replyTexts(all), []string{"z1", "card:undo-7", "l1", "z2", "li1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pending %q, want %q", got, want)
	}
	if !all[1].QueuedAt.Equal(clk.Now().Add(-time.Second)) || all[1].User != "zhangsan" || !reflect.DeepEqual(all[1].Card, card) {
		t.Fatalf("card reply %+v", all[1])
	}
	if two, err := s.RepliesPending(2); err != nil || len(two) != 2 {
		t.Fatalf("limit 2 gave %d", len(two))
	}
	users, err := s.ReplyUsers()
	must(t, err)
	if want := []string{"li", "lisi", "zhangsan"}; !reflect.DeepEqual(users, want) {
		t.Fatalf("users %q, want %q", users, want)
	}
	z, err := s.RepliesFor("zhangsan")
	must(t, err)
	if got, want := replyTexts(z), []string{"z1", "card:undo-7", "z2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("zhangsan %q, want %q", got, want)
	}
	if li, err := s.RepliesFor("li"); err != nil || len(li) != 1 || li[0].Text != "li1" {
		t.Fatalf("li %+v", li)
	}

	must(t, s.RepliesDone(z[0].ID, z[1].ID, 999)) // an unknown id is skipped
	must(t, s.RepliesDone(z[0].ID))               // and so is a second done
	z, _ = s.RepliesFor("zhangsan")
	if got := replyTexts(z); !reflect.DeepEqual(got, []string{"z2"}) {
		t.Fatalf("after done %q", got)
	}
	must(t, s.RepliesDone(z[0].ID))
	users, _ = s.ReplyUsers()
	if !reflect.DeepEqual(users, []string{"li", "lisi"}) {
		t.Fatalf("users after done %q", users)
	}
}

func TestReplyRetryAndCut(t *testing.T) {
	s, clk := openTest(t)
	must(t, s.ReplyPut("zhangsan", []QueuedReply{{Text: "line1\nline2"}, {Card: &ReplyCard{TaskID: "c"}}}))
	rs, _ := s.RepliesFor("zhangsan")
	next := clk.Now().Add(4 * time.Second)
	must(t, s.ReplyRetry(rs[0].ID, next))
	must(t, s.ReplyRetry(rs[0].ID, next))
	rs, _ = s.RepliesFor("zhangsan")
	if rs[0].Tries != 2 || !rs[0].NextAt.Equal(next) {
		t.Fatalf("after retries %+v", rs[0])
	}
	must(t, s.ReplyCut(rs[0].ID, "line2"))
	rs, _ = s.RepliesFor("zhangsan")
	if rs[0].Text != "line2" || rs[0].Tries != 0 || !rs[0].NextAt.IsZero() {
		t.Fatalf("after cut %+v", rs[0])
	}
	if err := s.ReplyCut(rs[1].ID, "x"); err == nil {
		t.Fatal("cut a card")
	}
	if err := s.ReplyCut(rs[0].ID, ""); err == nil {
		t.Fatal("cut to nothing")
	}
	if err := s.ReplyRetry(999, next); !errors.Is(err, ErrNotFound) {
		t.Fatalf("retry of an unknown reply: %v", err)
	}
}

func TestReplyPutRejects(t *testing.T) {
	s, _ := openTest(t)
	tests := []struct {
		name  string
		user  string
		items []QueuedReply
	}{
		{"no user", "", []QueuedReply{{Text: "x"}}},
		{"colon in user", "a:b", []QueuedReply{{Text: "x"}}},
		{"newline in user", "a\nb", []QueuedReply{{Text: "x"}}},
		{"empty reply", "zhangsan", []QueuedReply{{Text: "x"}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.ReplyPut(tt.user, tt.items); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if all, err := s.RepliesPending(0); err != nil || len(all) != 0 {
		t.Fatalf("a rejected batch left %d replies", len(all))
	}
}

func TestRepliesSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	must(t, s.ReplyPut("zhangsan", []QueuedReply{{Text: "a"}, {Text: "b"}}))
	rs, _ := s.RepliesFor("zhangsan")
	must(t, s.RepliesDone(rs[0].ID))
	must(t, s.Close())

	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	must(t, s.ReplyPut("zhangsan", []QueuedReply{{Text: "c"}}))
	rs, err = s.RepliesFor("zhangsan")
	must(t, err)
	if got := replyTexts(rs); !reflect.DeepEqual(got, []string{"b", "c"}) || rs[1].ID <= rs[0].ID {
		t.Fatalf("after reopen %q (ids %d, %d)", got, rs[0].ID, rs[len(rs)-1].ID)
	}
}
