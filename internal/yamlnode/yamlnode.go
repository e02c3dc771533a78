// Package yamlnode holds the few gopkg.in/yaml.v3 node helpers that the
// config loader and the rule-pack parser both need to report errors at
// the right line: following aliases, telling null apart, and naming a
// node's value in "want X, got Y" messages. YAML 节点的小工具。
package yamlnode

import (
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxAliases bounds how many aliases Deref follows (an alias loop or a
// chain built to exhaust the parser stops there).
const maxAliases = 64

// Deref follows aliases to the anchored node.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliases; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or an explicit null.
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Describe names a node's value for "want X, got Y" messages: null, a
// mapping, a list, or the scalar quoted and cut at 40 runes.
func Describe(n *yaml.Node) string {
	switch {
	case IsNull(n):
		return "null"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		s := n.Value
		if utf8.RuneCountInString(s) > 40 {
			s = string([]rune(s)[:40]) + "…"
		}
		return strconv.Quote(s)
	default:
		return "an unsupported YAML node"
	}
}
