package config

import (
	"regexp"
	"strings"
)

// A URL in config.yaml or the environment (today wecom.api_base, later
// perhaps an LLM endpoint or a proxy) may carry a password in its userinfo
// (http://user:secret@host) or a secret in its query (?key=…). Neither may
// reach an error message or a log line, whatever else is wrong with the
// value: every Problem message is passed through RedactText when the error
// is rendered, and the views of a Config (String, Redacted, LogValue) show
// URLs through RedactURL.

// urlInText finds URLs with a scheme in free text, up to the first space
// or quote (a quoted value in a message ends at its closing quote).
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]+`)

// RedactURL returns raw with its userinfo (user name and password) and the
// value of every query parameter shown as "***", and its fragment dropped.
// It works on text, not on a parsed URL, so a value too broken to parse
// (the very values config errors quote) is redacted all the same; without
// a "://" everything up to an "@" counts as userinfo. 脱敏 URL。
func RedactURL(raw string) string {
	scheme, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	rest, _, _ = strings.Cut(rest, "#")
	authEnd := strings.IndexAny(rest, "/?")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	if at := strings.LastIndex(rest[:authEnd], "@"); at >= 0 {
		rest = masked + rest[at:]
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if !hasQuery {
		return scheme + path
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		if k, _, hasValue := strings.Cut(p, "="); hasValue {
			params[i] = k + "=" + masked
		}
	}
	return scheme + path + "?" + strings.Join(params, "&")
}

// RedactText returns s with every URL in it passed through RedactURL.
func RedactText(s string) string {
	return urlInText.ReplaceAllStringFunc(s, RedactURL)
}
