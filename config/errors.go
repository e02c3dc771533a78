package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	// Aliased: this package has its own suggest func (the did-you-mean policy).
	dist "github.com/tagbot/tagbot/internal/suggest"
)

// Problem is one thing wrong with the configuration. 单条配置问题。
type Problem struct {
	Path string // key path such as "wecom.agent_id"; empty for file-level problems
	Line int    // 1-based line in the file; 0 when not from a file line
	Msg  string
}

// Error collects every Problem found; main prints it and exits with code 2.
// 汇总全部配置问题。
type Error struct {
	File     string // file name used as prefix of lines with a line number
	Problems []Problem
	cause    error
}

// Error renders one problem per line, like "config.yaml:7: wecom.token: msg",
// with passwords and query secrets of any URL in a message redacted.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch {
		case p.Line > 0 && e.File != "":
			fmt.Fprintf(&b, "%s:%d: ", e.File, p.Line)
		case p.Line > 0:
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		if p.Path != "" {
			b.WriteString(p.Path)
			b.WriteString(": ")
		}
		b.WriteString(RedactText(p.Msg))
	}
	return b.String()
}

// Unwrap returns the I/O error that prevented reading the file, if any.
func (e *Error) Unwrap() error { return e.cause }

// sources remembers where each value of a parsed Config came from.
type sources struct {
	file  string
	lines map[string]int    // key path → line of the key
	env   map[string]string // key path → environment variable that set it
}

func newSources(file string) *sources {
	return &sources{file: file, lines: map[string]int{}, env: map[string]string{}}
}

// reporter accumulates problems, attributing each to its file line or
// environment variable.
type reporter struct {
	src      *sources
	problems []Problem
}

// at records a problem at an explicit line (0 for none).
func (r *reporter) at(line int, path, format string, args ...any) {
	r.problems = append(r.problems, Problem{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// add records a problem about the value at path, wherever it came from.
func (r *reporter) add(path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	line := 0
	if r.src != nil {
		if v := r.src.env[path]; v != "" {
			r.problems = append(r.problems, Problem{Path: path, Msg: msg + " (from env " + v + ")"})
			return
		}
		line = r.src.lines[path]
	}
	r.problems = append(r.problems, Problem{Path: path, Line: line, Msg: msg})
}

// err returns nil or an *Error with the problems ordered by line, problems
// without a line last.
func (r *reporter) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	ps := slices.Clone(r.problems)
	slices.SortStableFunc(ps, func(a, b Problem) int {
		switch {
		case a.Line == b.Line:
			return 0
		case a.Line == 0:
			return 1
		case b.Line == 0:
			return -1
		default:
			return a.Line - b.Line
		}
	})
	file := ""
	if r.src != nil {
		file = r.src.file
	}
	return &Error{File: file, Problems: ps}
}

// keyPath is join for the free-form keys of a mapping, as errors show
// them. wecom.rate_limits keys are API paths; anything else there may be a
// mistyped secret (x?secret=…), so only its leading API-path characters are
// shown, at most maxKeyShown of them, then "…" (the line names the key).
func keyPath(path, key string) string {
	if path != "wecom.rate_limits" && path != "wecom.hourly_limits" && path != "wecom.concurrency" {
		return join(path, key)
	}
	n := strings.IndexFunc(key, func(r rune) bool { return !apiKeyChar(r) })
	if n < 0 && len(key) <= maxKeyShown {
		return join(path, key)
	}
	if n < 0 || n > maxKeyShown {
		n = maxKeyShown
	}
	return join(path, key[:n]+"…")
}

// maxKeyShown is the longest part of a rate_limits key errors show.
const maxKeyShown = 64

// apiKeyChar reports whether r may appear in an API path key (and its
// mistakes such as a /cgi-bin/ prefix).
func apiKeyChar(r rune) bool {
	return r == '/' || r == '_' || r == '-' || r == '.' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
}

// join appends key to a dotted path, quoting keys that would be ambiguous.
func join(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[]\"") || strings.IndexFunc(key, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) >= 0 {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// didYouMean returns " (did you mean X?)" for the closest candidate, or "".
func didYouMean(got string, candidates []string) string {
	if s := suggest(got, candidates); s != "" {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// suggest returns the candidate closest to got by edit distance (ignoring
// case, "_" and "-"), or "" when none is close enough.
func suggest(got string, candidates []string) string {
	g := squash(got)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		sc := squash(c)
		d := editDistance(g, sc)
		limit := 1
		switch n := len([]rune(sc)); {
		case n > 10:
			limit = 3
		case n > 4:
			limit = 2
		}
		related := len([]rune(g)) >= 3 && strings.Contains(sc, g) ||
			len([]rune(sc)) >= 3 && strings.Contains(g, sc)
		if d > limit && !related {
			continue
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func squash(s string) string {
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// editDistance is the optimal-string-alignment distance (Levenshtein plus
// adjacent transpositions) between a and b, in runes.
func editDistance(a, b string) int {
	if na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b); na > 64 || nb > 64 {
		// Long keys are never a typo of a short schema key.
		return max(na, nb)
	}
	return dist.OSADistance(a, b)
}
