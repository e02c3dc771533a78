package commands

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tagbot/tagbot/store"
)

// /tags <客户> at:<时间> shows the customer's tags as of a past time,
// computed from the ledger as /rollback computes them (store.TagsAt and
// the rollback plan), and offers the /rollback that returns to them when
// they differ from now.

// asOf says how /tags at:<word> is answered: from the ledger (past),
// with the current tags (now: a day, week or month that holds now), or
// with the current tags and a word that the time is still ahead (future).
type asOf int

const (
	asOfPast asOf = iota
	asOfNow
	asOfFuture
)

// tagsAsOf is the instant /tags at:<word> shows: the end of a day, week or
// month (昨天 → today 00:00, every change of yesterday included), or the
// instant named, to the minute; never after now. label says which.
func (r *Router) tagsAsOf(word string, now time.Time) (time.Time, string, asOf, error) {
	span, err := ParseTime(word, now, r.loc)
	var ue *UserError
	if errors.As(err, &ue) && ue.Code == CodeFutureTime || err != nil && FutureWord(word) != "" {
		return now, "", asOfFuture, nil // 今天晚上11点, 2026-12-01, 明天: still ahead
	}
	if err != nil {
		return time.Time{}, "", asOfPast, err
	}
	at, label := span.From.Truncate(time.Minute), r.tf.at(span.From)
	if !span.From.Equal(span.To) {
		at, label = span.To, r.tf.at(span.To)+"（"+clip(word)+"结束时）"
	}
	if at.After(now) {
		return now, "", asOfNow, nil
	}
	return at, label, asOfPast, nil
}

// renderTagsAt answers /tags c at:word for the shown relationships.
func (r *Router) renderTagsAt(req *Request, c store.Customer, shown []store.Relationship, all []store.Tag, word string) (string, error) {
	at, label, when, err := r.tagsAsOf(word, req.Now)
	if err != nil {
		return "", err
	}
	if err := r.checkHorizon(req, c, at, true); err != nil {
		return "", err
	}
	v := req.Viewer()
	byID := map[string]store.Tag{}
	for _, t := range v.VisibleTags(all) {
		byID[t.ID] = t
	}
	lines := []string{fmt.Sprintf("%s 在 %s 的标签（按变更记录算出，不是现在的）：", r.cust.describe(c, v), label)}
	switch when {
	case asOfNow:
		lines[0] = r.cust.describe(c, v) + " 现在的标签："
	case asOfFuture:
		lines[0] = fmt.Sprintf("时间「%s」还没到。%s 现在的标签：", clip(word), r.cust.describe(c, v))
	}
	followers := make([]string, len(shown))
	for i, rel := range shown {
		followers[i] = rel.Follower
		if len(shown) > 1 || rel.Follower != req.UserID {
			lines = append(lines, "跟进人 "+dn(rel.Follower)+"：")
		}
		ids, err := r.st.TagsAt(c.ID, rel.Follower, at)
		if err != nil {
			return "", fmt.Errorf("tags at: %w", err)
		}
		lines = append(lines, tagsByGroup(byID, all, ids)...)
	}
	if when != asOfPast { // the current tags: nothing to compare
		return strings.Join(lines, "\n"), nil
	}
	plans, err := r.rollbackPlans(v, c.ID, followers, at)
	if err != nil {
		return "", err
	}
	var diff []string
	for _, p := range plans {
		if !p.empty() || len(p.lost) > 0 {
			diff = append(diff, p.String())
		}
	}
	ref := r.custRef(req, c)
	switch {
	case len(diff) == 0:
		lines = append(lines, "和现在一样。看现在的标签：/tags "+ref)
	case req.Role.AtLeast(RoleManager):
		lines = append(lines, "和现在不同，恢复到那时将会：", strings.Join(diff, "\n"),
			fmt.Sprintf("恢复请发送 /rollback %s %s（先列出差异，确认后才执行）", ref, r.tf.at(at)))
	default:
		lines = append(lines, "和现在不同，恢复到那时将会：", strings.Join(diff, "\n"),
			fmt.Sprintf("恢复需要主管发送 /rollback %s %s", ref, r.tf.at(at)))
	}
	return strings.Join(lines, "\n"), nil
}

// tagsByGroup lists ids (those in byID: the visible tags) by group, in
// library order (all), a deleted tag marked so.
func tagsByGroup(byID map[string]store.Tag, all []store.Tag, ids []string) []string {
	has := map[string]bool{}
	for _, id := range ids {
		has[id] = true
	}
	var groups []string
	byGroup := map[string][]string{}
	for _, t := range all {
		if _, ok := byID[t.ID]; !ok || !has[t.ID] {
			continue
		}
		if _, ok := byGroup[t.GroupName]; !ok {
			groups = append(groups, t.GroupName)
		}
		name := dn(t.Name)
		if t.Deleted {
			name += "（已从标签库删除）"
		}
		byGroup[t.GroupName] = append(byGroup[t.GroupName], name)
	}
	if len(groups) == 0 {
		return []string{"（没有标签）"}
	}
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = dn(g) + "：" + strings.Join(byGroup[g], "、")
	}
	return out
}
