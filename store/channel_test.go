package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestChannelsAndCounts(t *testing.T) {
	s, clk := openTest(t)
	ch := Channel{Name: "618活动", State: "qr-618-abcd", Tags: tags("t3"), Followers: []string{"zhangsan"}, Creator: "lisi", Created: clk.Now()}
	must(t, s.PutChannel(ch))
	if err := s.PutChannel(Channel{Name: "618活动", State: "other"}); !errors.Is(err, ErrChannelExists) {
		t.Fatalf("same name err = %v, want ErrChannelExists", err)
	}
	if err := s.PutChannel(Channel{Name: "别的", State: "qr-618-abcd"}); !errors.Is(err, ErrChannelExists) {
		t.Fatalf("same state err = %v, want ErrChannelExists", err)
	}
	got, err := s.ChannelByState("qr-618-abcd")
	must(t, err)
	ch.Created = ch.Created.UTC()
	if !reflect.DeepEqual(got, ch) {
		t.Fatalf("ChannelByState = %+v, want %+v", got, ch)
	}

	added := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	must(t, s.UpsertCustomer(Customer{ID: "c3", Name: "新客"}, []FollowInfo{{Follower: "zhangsan", State: "qr-618-abcd", CreateTime: added}, {Follower: "lisi", State: "qr-618-abcd:x", CreateTime: added}}))
	must(t, s.UpsertCustomer(Customer{ID: "c4", Name: "新客2"}, []FollowInfo{{Follower: "lisi", State: "qr-618-abcd", CreateTime: added.Add(time.Hour)}}))
	tests := []struct {
		follower string
		want     ChannelCount
	}{
		{"", ChannelCount{Customers: 2, Last: added.Add(time.Hour)}},
		{"zhangsan", ChannelCount{Customers: 1, Last: added}},
		{"wangwu", ChannelCount{}},
	}
	for _, tc := range tests {
		n, err := s.ChannelCount("qr-618-abcd", tc.follower)
		must(t, err)
		if n != tc.want {
			t.Errorf("count for %q = %+v, want %+v", tc.follower, n, tc.want)
		}
	}
	// The relationship ends: it no longer counts.
	if _, err := s.RemoveRelationship("c4", "lisi", ReconcileOptions{Source: SourceWeComUI, Actor: "lisi"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ChannelCount("qr-618-abcd", ""); n.Customers != 1 {
		t.Errorf("count after the relationship ended = %d, want 1", n.Customers)
	}
	if _, err := s.DeleteChannel("618活动"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelByState("qr-618-abcd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete err = %v, want ErrNotFound", err)
	}
}
