package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultTagSynonyms are the synonym lists used when config.yaml has no
// `tag_synonyms:` (the seed articles' examples). 默认同义词表。
func DefaultTagSynonyms() [][]string {
	return [][]string{{"北上广", "北京上海广州"}, {"客户", "用户"}}
}

// tagSynonyms decodes `tag_synonyms:`, a list of lists of names meaning
// the same (北上广 ≈ 北京上海广州): the near-duplicate tag matcher
// (package tagmatch) treats each entry of a list as the list's first
// entry. 标签同义词/缩写表。
func (d *decoder) tagSynonyms(dst *[][]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		if v.Kind != yaml.SequenceNode {
			d.at(n.Line, path, "want a list of lists of names, got %s", describe(v))
			return
		}
		out := make([][]string, len(v.Content))
		for i, e := range v.Content {
			d.strList(&out[i])(e, fmt.Sprintf("%s[%d]", path, i))
		}
		*dst = out
	}
}

// validateTagSynonyms checks that every synonym list names at least two
// non-empty entries, and that no name is in two lists.
func (c *Config) validateTagSynonyms(r *reporter) {
	seen := map[string]string{}
	for i, g := range c.TagSynonyms {
		p := fmt.Sprintf("tag_synonyms[%d]", i)
		if len(g) < 2 {
			r.add(p, "must list at least two names that mean the same, e.g. [北上广, 北京上海广州]")
		}
		nonEmpty(r, p, g)
		for _, w := range g {
			k := strings.ToLower(strings.TrimSpace(w))
			if prev, dup := seen[k]; dup && k != "" {
				r.add(p, "%q is already in %s; put it in one list only", w, prev)
			}
			seen[k] = p
		}
	}
}
