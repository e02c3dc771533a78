package wecomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// seedCustomers makes two members, one tag group and customer wm1 followed
// by both members.
func seedCustomers(t *testing.T, s *Server) GroupInfo {
	t.Helper()
	s.AddUser("zhangsan", "张三")
	s.AddUser("lisi", "李四")
	g := s.AddTagGroup("客户等级", "VIP", "普通", "流失")
	s.AddCustomer(Customer{ExternalUserID: "wm1", Name: "王五", CorpName: "五金店", Type: 2, Follows: []Follow{
		{UserID: "zhangsan", Remark: "老王", Description: "常客", State: "qr1", Mobiles: []string{"13800000000"},
			CreateTime: 1700000000, AddWay: 1, TagIDs: []string{g.Tags[0].ID}},
		{UserID: "lisi", CreateTime: 1700000100},
	}})
	return g
}

func TestMarkTag(t *testing.T) {
	s := fake(t, Options{})
	g := seedCustomers(t, s)
	vip, normal, lost := g.Tags[0].ID, g.Tags[1].ID, g.Tags[2].ID
	tests := []struct {
		name string
		body string
		want int
		tags []string // zhangsan's tags on wm1 afterwards
	}{
		{"add", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wm1","add_tag":[%q]}`, normal), errcode.OK, []string{vip, normal}},
		{"remove null", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wm1","add_tag":[%q],"remove_tag":null}`, lost), errcode.OK, []string{vip, normal, lost}},
		{"remove only", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wm1","remove_tag":[%q,%q]}`, normal, lost), errcode.OK, []string{vip}},
		{"remove absent tag is fine", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wm1","remove_tag":[%q]}`, lost), errcode.OK, []string{vip}},
		{"swap", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wm1","add_tag":[%q],"remove_tag":[%q]}`, lost, vip), errcode.OK, []string{lost}},
		{"missing userid", `{"external_userid":"wm1","add_tag":["x"]}`, errcode.MissingUserID, []string{lost}},
		{"unknown userid", `{"userid":"ghost","external_userid":"wm1","add_tag":["x"]}`, errcode.UnknownUserID, []string{lost}},
		{"missing external", `{"userid":"zhangsan","add_tag":["x"]}`, errcode.MissingExternalID, []string{lost}},
		{"unknown external", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wmNope","add_tag":[%q]}`, vip), errcode.InvalidExternalID, []string{lost}},
		{"unknown tag", fmt.Sprintf(`{"userid":"zhangsan","external_userid":"wm1","add_tag":[%q,"etNope"]}`, vip), errcode.InvalidTagID, []string{lost}},
		{"unknown tag in remove", `{"userid":"zhangsan","external_userid":"wm1","remove_tag":["etNope"]}`, errcode.InvalidTagID, []string{lost}},
		{"nothing to do", `{"userid":"zhangsan","external_userid":"wm1","add_tag":[],"remove_tag":null}`, errcode.InvalidTagID, []string{lost}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, post(t, s, "externalcontact/mark_tag", []byte(tt.body)), tt.want)
			if got := s.CustomerTags("wm1", "zhangsan"); !reflect.DeepEqual(got, sortStrings(tt.tags)) {
				t.Fatalf("tags = %v, want %v", got, sortStrings(tt.tags))
			}
		})
	}
	// Relationship checks: lisi follows wm1, a member without the customer gets 84061.
	s.AddUser("wangwu", "王五")
	wantCode(t, post(t, s, "externalcontact/mark_tag", map[string]any{"userid": "wangwu", "external_userid": "wm1", "add_tag": []string{vip}}), errcode.NoRelation)
	wantCode(t, post(t, s, "externalcontact/mark_tag", map[string]any{"userid": "lisi", "external_userid": "wm1", "add_tag": []string{vip}}), errcode.OK)
	if got := s.CustomerTags("wm1", "lisi"); !reflect.DeepEqual(got, []string{vip}) {
		t.Fatalf("lisi tags = %v", got)
	}
	if s.CustomerTags("wm1", "wangwu") != nil || s.CustomerTags("nobody", "lisi") != nil {
		t.Fatal("CustomerTags without a relationship is not nil")
	}
}

// sortStrings returns a sorted copy.
func sortStrings(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

func TestConsoleChangesAreNotCalls(t *testing.T) {
	s := fake(t, Options{})
	g := seedCustomers(t, s)
	s.SetCustomerTags("wm1", "lisi", []string{g.Tags[1].ID, g.Tags[2].ID})
	s.DeleteTag(g.Tags[2].ID)
	if got := s.CustomerTags("wm1", "lisi"); !reflect.DeepEqual(got, []string{g.Tags[1].ID}) {
		t.Fatalf("after console delete = %v", got)
	}
	s.DeleteTag(g.Tags[2].ID) // already deleted: no-op
	if n := len(s.Calls()); n != 0 {
		t.Fatalf("console changes logged %d calls", n)
	}
	for name, f := range map[string]func(){
		"SetCustomerTags unknown tag": func() { s.SetCustomerTags("wm1", "lisi", []string{"etNope"}) },
		"SetCustomerTags no relation": func() { s.SetCustomerTags("wm1", "ghost", nil) },
		"DeleteTag unknown":           func() { s.DeleteTag("etNope") },
		"AddCustomer unknown tag": func() {
			s.AddCustomer(Customer{ExternalUserID: "x", Follows: []Follow{{UserID: "u", TagIDs: []string{"etNope"}}}})
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("misuse did not panic")
				}
			}()
			f()
		})
	}
}

func TestUserGetAndFollowList(t *testing.T) {
	s := fake(t, Options{})
	seedCustomers(t, s)
	r := get(t, s, "user/get", url.Values{"userid": {"zhangsan"}})
	wantCode(t, r, errcode.OK)
	if diff := cmp.Diff(map[string]any{"userid": "zhangsan", "name": "张三", "has department": true},
		map[string]any{"userid": r["userid"], "name": r["name"], "has department": r["department"] != nil}); diff != "" {
		t.Fatalf("user/get (-want +got):\n%s", diff)
	}
	wantCode(t, get(t, s, "user/get", url.Values{"userid": {"ghost"}}), errcode.UnknownUserID)
	wantCode(t, get(t, s, "user/get", nil), errcode.MissingUserID)

	r = get(t, s, "externalcontact/get_follow_user_list", nil)
	wantCode(t, r, errcode.OK)
	if got := decode[struct {
		FollowUser []string `json:"follow_user"`
	}](t, r).FollowUser; !reflect.DeepEqual(got, []string{"zhangsan", "lisi"}) {
		t.Fatalf("follow_user = %v", got)
	}
}

// contactDetail is the typed externalcontact/get answer.
type contactDetail struct {
	ExternalContact externalContactJSON `json:"external_contact"`
	FollowUser      []followUserJSON    `json:"follow_user"`
	NextCursor      *string             `json:"next_cursor"`
}

func TestExternalContactGet(t *testing.T) {
	s := fake(t, Options{})
	g := seedCustomers(t, s)
	r := get(t, s, "externalcontact/get", url.Values{"external_userid": {"wm1"}})
	wantCode(t, r, errcode.OK)
	d := decode[contactDetail](t, r)
	wantContact := externalContactJSON{ExternalUserID: "wm1", Name: "王五", Type: 2, CorpName: "五金店"}
	if diff := cmp.Diff(wantContact, d.ExternalContact); diff != "" {
		t.Fatalf("external_contact (-want +got):\n%s", diff)
	}
	if d.NextCursor == nil || len(d.FollowUser) != 2 {
		t.Fatalf("next_cursor %v (want present), %d follow_user (want 2)", d.NextCursor, len(d.FollowUser))
	}
	want := followUserJSON{UserID: "zhangsan", Remark: "老王", Description: "常客", CreateTime: 1700000000,
		Tags:          []followTagJSON{{GroupName: "客户等级", TagName: "VIP", TagID: g.Tags[0].ID, Type: 1}},
		RemarkMobiles: []string{"13800000000"}, State: "qr1", AddWay: 1}
	if diff := cmp.Diff(want, d.FollowUser[0]); diff != "" {
		t.Fatalf("follow_user[0] (-want +got):\n%s", diff)
	}
	// Empty arrays, not null: cmp tells []T{} from nil.
	f := d.FollowUser[1]
	type arrays struct {
		UserID        string
		Tags          []followTagJSON
		RemarkMobiles []string
	}
	if diff := cmp.Diff(arrays{"lisi", []followTagJSON{}, []string{}}, arrays{f.UserID, f.Tags, f.RemarkMobiles}); diff != "" {
		t.Fatalf("follow_user[1] (-want +got):\n%s", diff)
	}
	wantCode(t, get(t, s, "externalcontact/get", url.Values{"external_userid": {"wmNope"}}), errcode.InvalidExternalID)
	wantCode(t, get(t, s, "externalcontact/get", nil), errcode.MissingExternalID)
}

// batchPage is the typed batch/get_by_user answer.
type batchPage struct {
	ExternalContactList []batchEntry `json:"external_contact_list"`
	NextCursor          string       `json:"next_cursor"`
}

func TestBatchGetByUserPagination(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("sales", "销售")
	s.AddUser("other", "其他")
	g := s.AddTagGroup("等级", "A")
	for i := range 250 {
		var tags []string
		if i%2 == 0 {
			tags = []string{g.Tags[0].ID}
		}
		s.AddCustomer(Customer{ExternalUserID: fmt.Sprintf("wm%03d", i), Name: fmt.Sprint("客户", i),
			Follows: []Follow{{UserID: "sales", TagIDs: tags}}})
	}
	s.AddCustomer(Customer{ExternalUserID: "wmOther", Follows: []Follow{{UserID: "other"}}})

	var seen []string
	var sizes []int
	cursor := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("pagination does not terminate")
		}
		r := post(t, s, "externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"sales"}, "cursor": cursor, "limit": 100})
		wantCode(t, r, errcode.OK)
		p := decode[batchPage](t, r)
		sizes = append(sizes, len(p.ExternalContactList))
		for _, e := range p.ExternalContactList {
			seen = append(seen, e.ExternalContact.ExternalUserID)
			if e.FollowInfo.UserID != "sales" || e.FollowInfo.TagID == nil {
				t.Fatalf("follow_info = %+v", e.FollowInfo)
			}
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	type paging struct {
		Sizes       []int
		Count       int
		First, Last string
	}
	if diff := cmp.Diff(paging{[]int{100, 100, 50}, 250, "wm000", "wm249"}, paging{sizes, len(seen), seen[0], seen[len(seen)-1]}); diff != "" {
		t.Fatalf("paging (-want +got):\n%s", diff)
	}
	first := decode[batchPage](t, post(t, s, "externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"sales"}}))
	if n := len(first.ExternalContactList); n != 50 {
		t.Fatalf("default limit page has %d entries, want 50", n)
	}
	firstTwo := [][]string{first.ExternalContactList[0].FollowInfo.TagID, first.ExternalContactList[1].FollowInfo.TagID}
	if diff := cmp.Diff([][]string{{g.Tags[0].ID}, {}}, firstTwo); diff != "" {
		t.Fatalf("tag ids of the first two entries (-want +got):\n%s", diff)
	}
	capped := decode[batchPage](t, post(t, s, "externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"sales"}, "limit": 1000}))
	if len(capped.ExternalContactList) != 100 {
		t.Fatalf("limit 1000 gave %d entries, want the 100 cap", len(capped.ExternalContactList))
	}
	both := decode[batchPage](t, post(t, s, "externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"other", "sales"}, "limit": 2}))
	if got := both.ExternalContactList; got[0].ExternalContact.ExternalUserID != "wmOther" || got[1].FollowInfo.UserID != "sales" {
		t.Fatalf("two members page = %+v", got)
	}
}

func TestBatchGetByUserErrors(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("sales", "销售")
	many := make([]string, 101)
	for i := range many {
		many[i] = "sales"
	}
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"no users", map[string]any{"userid_list": []string{}}, errcode.MissingUserID},
		{"too many users", map[string]any{"userid_list": many}, errcode.InvalidParam},
		{"unknown user", map[string]any{"userid_list": []string{"ghost"}}, errcode.UnknownUserID},
		{"garbage cursor", map[string]any{"userid_list": []string{"sales"}, "cursor": "%%%"}, errcode.InvalidCursor},
		{"foreign cursor", map[string]any{"userid_list": []string{"sales"}, "cursor": "YWJj"}, errcode.InvalidCursor},
		{"cursor past end", map[string]any{"userid_list": []string{"sales"}, "cursor": encodeCursor(5)}, errcode.InvalidCursor},
		{"empty result", map[string]any{"userid_list": []string{"sales"}}, errcode.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, s, "externalcontact/batch/get_by_user", tt.body)
			wantCode(t, r, tt.want)
			if tt.want == errcode.OK {
				if l, ok := r["external_contact_list"].([]any); !ok || len(l) != 0 {
					t.Fatalf("empty result = %v, want []", r)
				}
			}
		})
	}
}

func TestConcurrentMarkTag(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("u", "U")
	g := s.AddTagGroup("g", "a", "b", "c", "d")
	for i := range 8 {
		s.AddCustomer(Customer{ExternalUserID: fmt.Sprint("wm", i), Follows: []Follow{{UserID: "u"}}})
	}
	tok := token(t, s)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, tg := range g.Tags {
				body := fmt.Sprintf(`{"userid":"u","external_userid":"wm%d","add_tag":[%q]}`, i, tg.ID)
				resp, err := http.Post(s.URL()+"/cgi-bin/externalcontact/mark_tag?access_token="+tok, "application/json", strings.NewReader(body))
				if err != nil {
					t.Errorf("mark_tag: %v", err)
					return
				}
				var r result
				err = json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if err != nil || r.code() != errcode.OK {
					t.Errorf("mark_tag = %v, %v", r, err)
				}
			}
		}()
	}
	wg.Wait()
	for i := range 8 {
		if got := s.CustomerTags(fmt.Sprint("wm", i), "u"); len(got) != 4 {
			t.Fatalf("wm%d tags = %v", i, got)
		}
	}
	if n := len(s.CallsTo("externalcontact/mark_tag")); n != 32 {
		t.Fatalf("mark_tag calls = %d, want 32", n)
	}
}
