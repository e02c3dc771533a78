package intake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
)

func TestSubmitValidation(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	ok := msg("", "c1", "zhangsan", "你好", t0)
	with := func(f func(m *classify.Message)) classify.Message { m := ok; f(&m); return m }
	tests := []struct {
		name      string
		msgs      []classify.Message
		events    []classify.Event
		wantCode  string
		wantIndex int
	}{
		{"unknown customer", []classify.Message{ok, with(func(m *classify.Message) { m.Customer = "nobody" })}, nil, CodeUnknownCustomer, 1},
		{"no relationship", []classify.Message{with(func(m *classify.Message) { m.Customer = "c2"; m.Employee = "lisi" })}, nil, CodeNoRelationship, 0},
		{"bad from", []classify.Message{with(func(m *classify.Message) { m.From = "bot" })}, nil, CodeBadFrom, 0},
		{"missing from", []classify.Message{with(func(m *classify.Message) { m.From = "" })}, nil, CodeMissingField, 0},
		{"empty text", []classify.Message{with(func(m *classify.Message) { m.Text = "  " })}, nil, CodeMissingField, 0},
		{"text too long", []classify.Message{with(func(m *classify.Message) { m.Text = strings.Repeat("x", MaxTextBytes+1) })}, nil, CodeBadField, 0},
		{"customer with a colon", []classify.Message{with(func(m *classify.Message) { m.Customer = "c:1" })}, nil, CodeBadField, 0},
		{"id with a line break", []classify.Message{with(func(m *classify.Message) { m.ID = "a\nb" })}, nil, CodeBadField, 0},
		{"time far ahead", []classify.Message{with(func(m *classify.Message) { m.Time = t0.Add(2 * time.Hour) })}, nil, CodeBadTime, 0},
		{"event without type", []classify.Message{ok}, []classify.Event{{Customer: "c1", Time: t0}}, CodeMissingField, 1},
		{"event attrs not JSON", nil, []classify.Event{{Customer: "c1", Type: "x", Time: t0, Attrs: map[string]any{"f": func() {}}}}, CodeBadField, 0},
		{"too many", make([]classify.Message, MaxItems+1), nil, CodeTooMany, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := q.Submit(context.Background(), tc.msgs, tc.events)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error %s", err, tc.wantCode)
			}
			if e.Code != tc.wantCode || e.Index != tc.wantIndex {
				t.Errorf("code, index = %s, %d; want %s, %d (%s)", e.Code, e.Index, tc.wantCode, tc.wantIndex, e.Message)
			}
			if e.Text() == "" {
				t.Error("no chat text")
			}
		})
	}
	pending, err := s.ActivitiesAfter(0, 0)
	must(t, err)
	if len(pending) != 0 {
		t.Errorf("%d activities stored by refused submissions, want 0", len(pending))
	}
}

func TestSubmitDuplicatesAndWake(t *testing.T) {
	s, clk, _ := openStore(t)
	woken := 0
	q := NewQueue(s, QueueOptions{Now: clk.Now, Wake: func() { woken++ }})
	a, b := msg("m1", "c1", "zhangsan", "一", t0), msg("m2", "c1", "zhangsan", "二", time.Time{})
	steps := []struct {
		name                string
		msgs                []classify.Message
		wantAcc, wantDups   int
		wantWoken, wantQueu int
	}{
		{"new", []classify.Message{a}, 1, 0, 1, 1},
		{"same id within one call", []classify.Message{b, b}, 1, 1, 2, 2},
		{"same ids again", []classify.Message{a, b}, 0, 2, 2, 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			acc, dups, err := q.Submit(context.Background(), st.msgs, nil)
			must(t, err)
			pending, err := s.ActivitiesAfter(0, 0)
			must(t, err)
			if acc != st.wantAcc || dups != st.wantDups || woken != st.wantWoken || len(pending) != st.wantQueu {
				t.Errorf("accepted, dups, woken, queued = %d, %d, %d, %d; want %d, %d, %d, %d", acc, dups, woken, len(pending), st.wantAcc, st.wantDups, st.wantWoken, st.wantQueu)
			}
		})
	}
	got, err := s.Activity(2)
	must(t, err)
	if !got.Time.Equal(t0) {
		t.Errorf("zero time stored as %v, want now (%v)", got.Time, t0)
	}
}
