package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// runTags is /tags <客户> [@跟进人] [at:时间]: current tags per
// relationship, by group, with who added each and when; with at:, the
// tags as of that time (tagsat.go). Employees see their own relationship.
func (r *Router) runTags(_ context.Context, req *Request) ([]Reply, error) {
	mention, at, err := parseTagsArgs(req)
	if err != nil {
		return nil, err
	}
	c, err := r.resolveCustomer(req, 0)
	if err != nil {
		return nil, err
	}
	shown, refusal, err := r.shownRelationships(req, c, mention)
	if refusal != "" || err != nil {
		return textReply(refusal), err
	}
	all, err := r.st.Tags(true)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	if at != "" {
		text, err := r.renderTagsAt(req, c, shown, all, at)
		return textReply(text), err
	}
	return textReply(r.renderTags(req, c, shown, all)), nil
}

// parseTagsArgs reads "/tags <客户> [@跟进人] [at:时间]" and returns the
// mention and the time word.
func parseTagsArgs(req *Request) (mention, at string, err error) {
	if len(req.Cmd.Args) == 0 {
		return "", "", userErr(CodeUsage, "请写出客户。用法：%s", req.Spec.Usage)
	}
	for _, t := range req.Cmd.Args[1:] {
		switch {
		case t.Kind == Mention && mention == "":
			mention = t.Value
		case t.Kind == Filter && t.Key == "at" && at == "":
			at = t.Value
		default:
			return "", "", userErr(CodeUsage, "看不懂「%s」：/tags 一次查看一位客户（名字里有空格请加引号）。用法：%s",
				clip(t.format(false)), req.Spec.Usage)
		}
	}
	return mention, at, nil
}

// shownRelationships returns c's relationships /tags shows the user (the
// mentioned follower's only, when mention is set), or why it shows none.
func (r *Router) shownRelationships(req *Request, c store.Customer, mention string) ([]store.Relationship, string, error) {
	rels, err := r.st.Relationships(c.ID)
	if err != nil {
		return nil, "", fmt.Errorf("read relationships: %w", err)
	}
	v := req.Viewer()
	shown := v.Relationships(slices.DeleteFunc(rels, func(rel store.Relationship) bool { return mention != "" && rel.Follower != mention }))
	if len(shown) > 0 {
		return shown, "", nil
	}
	name := displayName(c)
	switch {
	case !v.SeesCustomer(c):
		return nil, notFollowerRead(name, c.Followers), nil
	case !v.SeesAll():
		return nil, fmt.Sprintf("你只能查看自己跟进关系上的标签（@%s 是别人的）。去掉 @%s 即可查看你自己的。", dn(mention), dn(mention)), nil
	case mention == "" || len(c.Followers) == 0:
		return nil, fmt.Sprintf("%s 目前没有跟进人，没有标签可看。发送 /history %s 查看以前的记录。", name, r.custRef(req, c)), nil
	}
	return nil, "", mentionNotFollower(mention, name, c.Followers)
}

// renderTags writes the tags of each shown relationship by group, in
// library order (all: every tag, deleted ones included).
func (r *Router) renderTags(req *Request, c store.Customer, shown []store.Relationship, all []store.Tag) string {
	v := req.Viewer()
	all = v.VisibleTags(all) // groups the user may not see are left out (sight.go)
	lines := []string{r.cust.describe(c, v) + " 的标签："}
	for _, rel := range shown {
		if len(shown) > 1 || rel.Follower != req.UserID {
			lines = append(lines, "跟进人 "+dn(rel.Follower)+"：")
		}
		var groups []string
		byGroup := map[string][]string{}
		for _, t := range all {
			m, has := rel.Tags[t.ID]
			if !has {
				continue
			}
			if _, ok := byGroup[t.GroupName]; !ok {
				groups = append(groups, t.GroupName)
			}
			byGroup[t.GroupName] = append(byGroup[t.GroupName],
				fmt.Sprintf("%s（%s %s #%d）", dn(t.Name), dn(m.By), r.tf.at(m.At), m.CS))
		}
		if len(groups) == 0 {
			lines = append(lines, "（没有标签）")
		}
		for _, g := range groups {
			lines = append(lines, dn(g)+"："+strings.Join(byGroup[g], "、"))
		}
		if miss := r.missingRequired(v, rel, all); len(miss) > 0 {
			lines = append(lines, "还缺必选标签组："+names(miss, "、"))
		}
	}
	ref := r.custRef(req, c)
	lines = append(lines, fmt.Sprintf("改标签：/tag %s +标签；看记录：/history %s", ref, ref))
	return strings.Join(lines, "\n")
}
