package intake_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/intake"
	"github.com/tagbot/tagbot/store"
)

// A message pasted in chat is stored for the worker; its id makes a repeat
// a duplicate, and an unknown customer is refused with a code, an HTTP
// status and a Chinese reply.
func ExampleQueue_Submit() {
	dir, _ := os.MkdirTemp("", "intake-example")
	defer os.RemoveAll(dir)
	s, err := store.Open(filepath.Join(dir, "tagbot.db"), store.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	s.UpsertCustomer(store.Customer{ID: "wmC1", Name: "王小明"}, []store.FollowInfo{{Follower: "zhangsan"}})
	q := intake.NewQueue(s, intake.QueueOptions{})
	ctx := context.Background()
	msg := classify.Message{ID: "m1", Customer: "wmC1", Employee: "zhangsan", From: classify.FromCustomer, Text: "这个色号多少钱"}

	fmt.Println(q.Submit(ctx, []classify.Message{msg}, nil))
	fmt.Println(q.Submit(ctx, []classify.Message{msg}, nil))
	msg.Customer = "wmNobody"
	_, _, err = q.Submit(ctx, []classify.Message{msg}, nil)
	var e *intake.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status(), e.Code, e.Text())
	}
	// Output:
	// 1 0 <nil>
	// 0 1 <nil>
	// 422 unknown_customer 找不到这个客户，请先用 /find 查一下客户名
}
