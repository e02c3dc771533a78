package commands

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// runGroups is /groups: the tag library, group by group, with each
// group's policy (互斥, 受保护, who may edit).
func (r *Router) runGroups(_ context.Context, req *Request) ([]Reply, error) {
	if err := noArgs(req); err != nil {
		return nil, err
	}
	tags, err := r.st.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	v := req.Viewer()
	tags = v.VisibleTags(tags)
	if len(tags) == 0 {
		return []Reply{{Text: "标签库是空的（还没有从企业微信同步）。请管理员运行同步，或在企业微信管理后台添加企业标签。"}}, nil
	}
	var order []string
	byGroup := map[string][]string{}
	for _, t := range tags {
		if _, ok := byGroup[t.GroupName]; !ok {
			order = append(order, t.GroupName)
		}
		n := dn(t.Name)
		if r.perms.groups[t.GroupName].protected[t.Name] {
			n += "🔒"
		}
		byGroup[t.GroupName] = append(byGroup[t.GroupName], n)
	}
	lines := []string{"标签库："}
	for _, g := range order {
		line := "【" + dn(g) + "】" + strings.Join(byGroup[g], "、")
		if rules := r.groupRules(g); rules != "" {
			line += "（" + rules + "）"
		}
		lines = append(lines, line)
	}
	var missing []string
	for _, g := range slices.Sorted(maps.Keys(r.perms.groups)) {
		if _, ok := byGroup[g]; !ok && v.SeesGroup(g) {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		lines = append(lines, "配置了规则但标签库里还没有的组："+names(missing, "、"))
	}
	lines = append(lines, "🔒 为受保护标签，只有主管可以修改。打标签：/tag 客户 +标签")
	return []Reply{{Text: strings.Join(lines, "\n")}}, nil
}

// groupRules describes a group's policy: "互斥；受保护：VIP；仅主管可改".
func (r *Router) groupRules(group string) string {
	pol, ok := r.perms.groups[group]
	if !ok {
		return ""
	}
	var parts []string
	if pol.exclusive {
		parts = append(parts, "互斥：只能选一个")
	}
	if len(pol.protected) > 0 {
		parts = append(parts, "受保护："+names(slices.Sorted(maps.Keys(pol.protected)), "、"))
	}
	if len(pol.editableBy) > 0 {
		parts = append(parts, "仅"+editorsLabel(pol.editableBy)+"可改")
	}
	if pol.max > 0 && !pol.exclusive {
		parts = append(parts, fmt.Sprintf("最多选 %d 个", pol.max))
	}
	if pol.required {
		parts = append(parts, "必选：每位客户都要有一个")
	}
	if len(pol.visibleTo) > 0 {
		parts = append(parts, "仅"+visibleToLabel(pol.visibleTo)+"可见")
	}
	return strings.Join(parts, "；")
}
