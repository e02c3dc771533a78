package bot

import (
	"strings"
	"unicode/utf8"
)

// MaxTextBytes is WeCom's limit on a text message's content (2048 bytes).
const MaxTextBytes = 2048

// replySeparator joins coalesced replies: a blank line.
const replySeparator = "\n\n"

// cutText splits s into a head of at most limit bytes and the rest. It cuts
// after the last newline that fits, or, for a single over-long line, at the
// last UTF-8 boundary that fits. The newline at the cut is dropped.
func cutText(s string, limit int) (head, tail string) {
	if len(s) <= limit {
		return s, ""
	}
	if i := strings.LastIndexByte(s[:limit+1], '\n'); i > 0 {
		return s[:i], s[i+1:]
	}
	i := limit
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if i == 0 { // cannot happen for valid limits; never return an empty head
		_, size := utf8.DecodeRuneInString(s)
		i = size
	}
	return s[:i], s[i:]
}

// packTexts builds one text message from the front of texts: the first
// text (cut to limit if longer) followed by as many whole texts as fit,
// joined by a blank line. It returns the message, how many texts it used up,
// and what is left of a text that had to be cut ("" if none).
func packTexts(texts []string, limit int) (msg string, used int, rest string) {
	if len(texts) == 0 {
		return "", 0, ""
	}
	head, tail := cutText(texts[0], limit)
	if tail != "" {
		return head, 1, tail
	}
	var b strings.Builder
	b.WriteString(head)
	used = 1
	for _, t := range texts[1:] {
		if b.Len()+len(replySeparator)+len(t) > limit {
			break
		}
		b.WriteString(replySeparator)
		b.WriteString(t)
		used++
	}
	return b.String(), used, ""
}
