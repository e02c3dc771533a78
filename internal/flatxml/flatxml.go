// Package flatxml reads the flat XML documents WeCom sends to a callback
// URL — a root element whose children hold only text or CDATA, such as
// <xml><ToUserName><![CDATA[ww…]]></ToUserName><AgentID>1</AgentID></xml>
// — without encoding/xml's tokenizer and reflection, which cost about a
// quarter of the callback server's CPU. 企业微信回调 XML 的快速读取。
//
// Parse is exact and partial: it reads a document only when it is sure to
// read it as encoding/xml does, and otherwise answers ok=false so that the
// caller parses the body with encoding/xml (which then accepts or rejects
// it). A document it reads has, in this order:
//
//   - optional ASCII whitespace, no XML declaration, comment or DOCTYPE;
//   - the root start tag, <root> without attributes;
//   - children <Name>…</Name>, where Name is ASCII [A-Za-z_][A-Za-z0-9_.-]*
//     (no namespace prefix, no attributes, no self-closing tag) and the
//     content is text and CDATA sections only: no nested element, comment,
//     processing instruction or entity reference (no '&' at all);
//   - between children, ASCII whitespace only; then </root> and optional
//     ASCII whitespace to the end.
//
// Every character of a value must be one XML allows (valid UTF-8, no
// control character but tab and line feed); a carriage return, which
// encoding/xml rewrites, and "]]>" outside a CDATA section, which it
// rejects, also make Parse decline. Nothing is expanded, so there is no
// entity to blow up; the size of the work is that of the body.
package flatxml

import (
	"strings"
	"unicode/utf8"
)

// Field is one child of the root: its name and its character data, the
// text and CDATA sections in it joined, as encoding/xml reports them.
type Field struct {
	Name, Value string
}

const (
	cdataOpen  = "<![CDATA["
	cdataClose = "]]>"
)

// Parse reads body as a flat document whose root element is named root and
// appends its children, in document order, to dst. ok is false when body is
// not such a document (see the package doc), and then fields is nil.
// The values share one copy of body, so body may be reused afterwards.
func Parse(body []byte, root string, dst []Field) (fields []Field, ok bool) {
	s := string(body)
	open := skipSpace(s, 0)
	i := startTag(s, open)
	if i < 0 || s[open+1:i-1] != root {
		return nil, false
	}
	for {
		i = skipSpace(s, i)
		if strings.HasPrefix(s[i:], "</") {
			if i = endTag(s, i, root); i < 0 || skipSpace(s, i) != len(s) {
				return nil, false
			}
			return dst, true
		}
		open = i
		if i = startTag(s, i); i < 0 {
			return nil, false
		}
		name := s[open+1 : i-1]
		var value string
		if value, i = content(s, i, name); i < 0 {
			return nil, false
		}
		dst = append(dst, Field{Name: name, Value: value})
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// ASCII whitespace.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// startTag reads <Name> at i and returns the index after it, or -1.
func startTag(s string, i int) int {
	if i >= len(s) || s[i] != '<' {
		return -1
	}
	n := nameLen(s[i+1:])
	if n == 0 || i+1+n >= len(s) || s[i+1+n] != '>' {
		return -1
	}
	return i + n + 2
}

// endTag reads </name> at i and returns the index after it, or -1.
func endTag(s string, i int, name string) int {
	j := i + 2 + len(name)
	if j >= len(s) || s[i:i+2] != "</" || s[i+2:j] != name || s[j] != '>' {
		return -1
	}
	return j + 1
}

// nameLen is the length of the name at the start of s: an ASCII letter or
// '_', then letters, digits, '_', '.' or '-'. 0 if there is none.
func nameLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '.' || c == '-'):
		default:
			return i
		}
	}
	return len(s)
}

// content reads the text and CDATA sections of element name from i up to
// and including its end tag; it returns them joined and the index after the
// end tag, or -1. A value of one part is a substring of s; more parts are
// joined in one builder, so the work stays linear in the body however many
// parts there are.
func content(s string, i int, name string) (string, int) {
	var (
		first  string
		joined strings.Builder
	)
	for segments := 0; ; segments++ {
		var seg string
		switch {
		case i >= len(s):
			return "", -1
		case strings.HasPrefix(s[i:], cdataOpen):
			start := i + len(cdataOpen)
			n := strings.Index(s[start:], cdataClose)
			if n < 0 {
				return "", -1
			}
			seg, i = s[start:start+n], start+n+len(cdataClose)
		case s[i] == '<':
			if i = endTag(s, i, name); i < 0 {
				return "", -1
			}
			if segments > 1 {
				return joined.String(), i
			}
			return first, i
		default:
			n := strings.IndexByte(s[i:], '<')
			if n < 0 {
				return "", -1
			}
			seg, i = s[i:i+n], i+n
			if strings.IndexByte(seg, '&') >= 0 || strings.Contains(seg, cdataClose) {
				return "", -1
			}
		}
		if !allowed(seg) {
			return "", -1
		}
		switch segments {
		case 0:
			first = seg
		case 1:
			joined.Grow(2 * (len(first) + len(seg)))
			joined.WriteString(first)
			joined.WriteString(seg)
		default:
			joined.WriteString(seg)
		}
	}
}

// allowed reports whether every character of s may appear, as it is, in
// the character data encoding/xml returns: valid UTF-8, in XML's Char
// range, and no carriage return (which encoding/xml rewrites to '\n').
func allowed(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !inCharRange(r) {
			return false
		}
		i += size
	}
	return true
}

// inCharRange reports whether r is in XML 1.0's Char production (for
// non-ASCII runes: surrogates cannot be decoded from UTF-8).
func inCharRange(r rune) bool {
	return r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= utf8.MaxRune
}
