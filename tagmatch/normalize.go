package tagmatch

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Normalisation stages, each coarser than the one before: two names equal
// at stage k are equal at every later stage.
const (
	stageRaw   = iota // the name as it is
	stageWidth        // full-width letters, digits and punctuation made half-width
	stageCase         // letter case folded
	stagePunct        // punctuation, spaces and decorative symbols dropped
	nStages
)

// stageAspect names what stage k ignores, for the Chinese "why".
var stageAspect = [nStages]string{"", "全角/半角", "大小写", "标点或空格"}

// form is one name at every normalisation stage.
type form struct {
	stages [nStages]string
	canon  string // stagePunct with synonyms replaced by their canonical form
	subs   []sub  // the synonyms replaced, in order
	runes  []rune // canon as runes
	alnum  string // the ASCII letters and digits of canon, in order
}

// newForm normalises name through every stage and the synonyms.
func newForm(name string, syn *synonyms) form {
	var f form
	f.stages[stageRaw] = name
	f.stages[stageWidth] = width.Fold.String(name)
	f.stages[stageCase] = strings.ToLower(f.stages[stageWidth])
	f.stages[stagePunct] = stripPunct(f.stages[stageCase])
	f.canon, f.subs = syn.apply(f.stages[stagePunct])
	f.runes = []rune(f.canon)
	var b strings.Builder
	for _, r := range f.runes {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	f.alnum = b.String()
	return f
}

// Normalize returns the form in which names are compared before synonyms:
// half-width, lower case, without punctuation, spaces or decorative
// symbols. 归一化：全角转半角、大小写、去掉标点和空格。
func Normalize(name string) string {
	return stripPunct(strings.ToLower(width.Fold.String(name)))
}

// stripPunct drops punctuation, spaces, control and format characters and
// decorative symbols (★, emoji); maths and currency signs stay ("C++").
func stripPunct(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsPunct(r), unicode.IsSpace(r), unicode.IsControl(r),
			unicode.In(r, unicode.Cf, unicode.So, unicode.Sk):
			return -1
		}
		return r
	}, s)
}

// sub is one synonym replacement: a variant and its canonical form.
type sub struct{ from, to string }

// synonyms replaces every variant of a synonym group by the group's first
// entry, all in normalised form.
type synonyms struct {
	canon  map[string]string // normalised variant → normalised canonical form
	maxLen int               // longest variant, in runes
}

// newSynonyms indexes the groups; an entry already in an earlier group,
// or empty once normalised, is skipped.
func newSynonyms(groups [][]string) *synonyms {
	s := &synonyms{canon: map[string]string{}}
	for _, g := range groups {
		head := ""
		for _, w := range g {
			n := Normalize(w)
			if n == "" {
				continue
			}
			if head == "" {
				head = n
				if _, dup := s.canon[n]; dup {
					head = s.canon[n]
				}
			}
			if _, dup := s.canon[n]; dup {
				continue
			}
			s.canon[n] = head
			s.maxLen = max(s.maxLen, len([]rune(n)))
		}
	}
	return s
}

// apply replaces, left to right, the longest variant starting at each
// position by its canonical form, and lists the replacements made.
func (s *synonyms) apply(x string) (string, []sub) {
	if s.maxLen == 0 {
		return x, nil
	}
	rs := []rune(x)
	var b strings.Builder
	var subs []sub
	for i := 0; i < len(rs); {
		n := 0
		for l := min(s.maxLen, len(rs)-i); l > 0; l-- {
			if c, ok := s.canon[string(rs[i:i+l])]; ok {
				w := string(rs[i : i+l])
				b.WriteString(c)
				if c != w {
					subs = append(subs, sub{w, c})
				}
				n = l
				break
			}
		}
		if n == 0 {
			b.WriteRune(rs[i])
			n = 1
		}
		i += n
	}
	return b.String(), subs
}
