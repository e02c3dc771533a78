package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestGetExternalContactAndUsers(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	ctx := context.Background()
	g := e.s.AddTagGroup("等级", "VIP", "老客")
	e.s.AddUser("sales", "销售小王")
	e.s.AddCustomer(wecomtest.Customer{
		ExternalUserID: "wmEXT1", Name: "张三", CorpName: "某公司", Type: 2,
		Follows: []wecomtest.Follow{
			{UserID: "sales", Remark: "张总", State: "qr-1", Mobiles: []string{"13800000000"}, CreateTime: 1700000000,
				TagIDs: []string{g.Tags[0].ID, g.Tags[1].ID}},
			{UserID: "support"},
		},
	})

	ct, err := e.c.GetExternalContact(ctx, "wmEXT1")
	if err != nil {
		t.Fatal(err)
	}
	wantTags := []string{g.Tags[0].ID, g.Tags[1].ID}
	slices.Sort(wantTags)
	want := Contact{ExternalUserID: "wmEXT1", Name: "张三", CorpName: "某公司", Type: 2, Follows: []Follow{
		{UserID: "sales", Remark: "张总", State: "qr-1", Mobiles: []string{"13800000000"}, CreateTime: 1700000000, TagIDs: wantTags},
		ct.Follows[1], // compared only by user id below
	}}
	if len(ct.Follows) != 2 {
		t.Fatalf("contact has %d follows, want 2: %+v", len(ct.Follows), ct)
	}
	if diff := cmp.Diff(want, ct); diff != "" {
		t.Fatalf("GetExternalContact (-want +got):\n%s", diff)
	}
	if ct.Follows[1].UserID != "support" {
		t.Fatalf("second follow is %q, want support", ct.Follows[1].UserID)
	}
	if _, err := e.c.GetExternalContact(ctx, "nobody"); Code(err) != errcode.InvalidExternalID || IsTransient(err) {
		t.Fatalf("unknown contact: %v", err)
	}

	users, err := e.c.GetFollowUserList(ctx)
	if err != nil || !slices.Equal(users, []string{"sales", "support"}) {
		t.Fatalf("GetFollowUserList = %v, %v", users, err)
	}
	u, err := e.c.GetUser(ctx, "sales")
	if want := (User{UserID: "sales", Name: "销售小王", Departments: []int{1}}); err != nil || !reflect.DeepEqual(u, want) {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if _, err := e.c.GetUser(ctx, "ghost"); Code(err) != errcode.UnknownUserID {
		t.Fatalf("GetUser(ghost) = %v", err)
	}
}

// TestGetExternalContactPaging uses a minimal handler because paging of
// follow_user (and personal tags) only appear for large real customers.
func TestGetExternalContactPaging(t *testing.T) {
	pages := map[string]string{
		"": `{"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"wm1","name":"李四","type":1},
			"follow_user":[{"userid":"u1","createtime":1,"tags":[{"tag_id":"et1","type":1},{"tag_id":"personal","type":2}]}],
			"next_cursor":"c2"}`,
		"c2": `{"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"wm1","name":"李四","type":1},
			"follow_user":[{"userid":"u2","createtime":2,"tags":[{"tag_id":"et2","type":1}]}],"next_cursor":""}`,
		"loop": `{"errcode":0,"external_contact":{"external_userid":"wm2"},"follow_user":[],"next_cursor":"loop"}`,
	}
	var (
		mu      sync.Mutex
		cursors []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cgi-bin/gettoken":
			fmt.Fprint(w, `{"errcode":0,"access_token":"paging-token","expires_in":7200}`)
		case "/cgi-bin/externalcontact/get":
			cur := r.URL.Query().Get("cursor")
			if r.URL.Query().Get("external_userid") == "wm2" && cur == "" {
				cur = "loop"
			}
			mu.Lock()
			cursors = append(cursors, cur)
			mu.Unlock()
			fmt.Fprint(w, pages[cur])
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(Config{CorpID: "corp-paging", Secret: "secret-" + t.Name(), APIBase: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := c.GetExternalContact(context.Background(), "wm1")
	if err != nil {
		t.Fatal(err)
	}
	var tagIDs [][]string
	for _, f := range ct.Follows {
		tagIDs = append(tagIDs, f.TagIDs)
	}
	type paged struct {
		Name   string
		TagIDs [][]string // per follow, across pages; personal tags left out
	}
	if diff := cmp.Diff(paged{"李四", [][]string{{"et1"}, {"et2"}}}, paged{ct.Name, tagIDs}); diff != "" {
		t.Fatalf("paged contact (-want +got):\n%s", diff)
	}
	mu.Lock()
	requested := slices.Clone(cursors)
	mu.Unlock()
	if !slices.Equal(requested, []string{"", "c2"}) {
		t.Fatalf("cursors requested = %q", requested)
	}
	if _, err := c.GetExternalContact(context.Background(), "wm2"); err == nil || !strings.Contains(err.Error(), "cursor repeated") {
		t.Fatalf("repeating cursor: %v", err)
	}
}

func TestBatchGetByUserAndAllCustomers(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, func(c *Config) {
		c.RateLimits = map[string]int{"externalcontact/batch/get_by_user": -1}
	})
	ctx := context.Background()
	g := e.s.AddTagGroup("等级", "VIP")
	var userIDs []string
	for i := 0; i < 130; i++ {
		id := fmt.Sprintf("u%03d", i)
		e.s.AddUser(id, id)
		userIDs = append(userIDs, id)
	}
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		ext := fmt.Sprintf("wm%02d", i)
		e.s.AddCustomer(wecomtest.Customer{ExternalUserID: ext, Name: ext, Follows: []wecomtest.Follow{
			{UserID: "u000", State: "s", TagIDs: []string{g.Tags[0].ID}},
			{UserID: "u120"}, // second chunk of 100
		}})
		want[ext+"/u000"], want[ext+"/u120"] = true, true
	}

	page, next, err := e.c.BatchGetByUser(ctx, []string{"u000"}, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || next == "" {
		t.Fatalf("first page has %d contacts and next cursor %q, want 2 and a cursor", len(page), next)
	}
	type firstContact struct {
		ExternalUserID string
		Follows        []Follow
	}
	wantFirst := firstContact{"wm00", []Follow{{UserID: "u000", State: "s", TagIDs: []string{g.Tags[0].ID}}}}
	if diff := cmp.Diff(wantFirst, firstContact{page[0].ExternalUserID, page[0].Follows},
		cmpopts.IgnoreFields(Follow{}, "Remark", "Mobiles", "CreateTime")); diff != "" {
		t.Fatalf("first contact of the first page (-want +got):\n%s", diff)
	}
	seen := 2
	for next != "" {
		page, next, err = e.c.BatchGetByUser(ctx, []string{"u000"}, next, 2)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(page)
	}
	if seen != 5 {
		t.Fatalf("paged through %d contacts, want 5", seen)
	}

	got := map[string]bool{}
	if err := e.c.AllCustomers(ctx, userIDs, func(c Contact) error {
		got[c.ExternalUserID+"/"+c.Follows[0].UserID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("AllCustomers visited %v, want %v", got, want)
	}
	for _, call := range e.s.CallsTo("externalcontact/batch/get_by_user") {
		var body struct {
			UserIDList []string `json:"userid_list"`
		}
		if err := json.Unmarshal(call.Body, &body); err != nil || len(body.UserIDList) > 100 {
			t.Errorf("batch request with %d userids (err %v)", len(body.UserIDList), err)
		}
	}

	stop := errors.New("stop")
	visits := 0
	err = e.c.AllCustomers(ctx, userIDs, func(Contact) error { visits++; return stop })
	if !errors.Is(err, stop) || visits != 1 {
		t.Fatalf("AllCustomers stop: err=%v visits=%d", err, visits)
	}

	if _, _, err := e.c.BatchGetByUser(ctx, nil, "", 10); err == nil {
		t.Error("no userids must fail")
	}
	if _, _, err := e.c.BatchGetByUser(ctx, userIDs, "", 10); err == nil {
		t.Error("more than 100 userids must fail")
	}
	if _, _, err := e.c.BatchGetByUser(ctx, []string{"u000"}, "", 1000); err != nil {
		t.Errorf("limit above 100 must be clamped: %v", err)
	} else if calls := e.s.CallsTo("externalcontact/batch/get_by_user"); !strings.Contains(string(calls[len(calls)-1].Body), `"limit":100`) {
		t.Errorf("limit not clamped: %s", calls[len(calls)-1].Body)
	}
}
