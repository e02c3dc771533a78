package nl

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
)

// A count question names its tags among question words, in any order:
// VIP有多少人, 多少个高意向客户, VIP里面有多少高意向, 既是高意向又是VIP的
// 有几个, 展会来的客户有多少. countFind reads it left to right: at each
// place the longest live tag (so 中意向 stays a tag though 中 is a
// question word, and so do 普通客户 and 老客户), else the longest
// countNoise word, else one character of a name it does not know. The
// tags are the question's, in the order said; a stretch of unknown
// characters between question words is the name asked back as typed.

// countWords ask which or how many customers have tags; howMany (a
// number) makes the answer /stats, else it is the list of /find.
var countWords = []string{"客户有多少", "客户有几个", "客户是哪些", "有多少客户是", "有多少个客户是", "多少客户是", "多少客户有", "多少个客户有", "有几个客户是", "几个客户是", "的客户有多少", "的客户有哪些", "的客户有几个", "的客户都有谁", "的客户是谁", "的客户", "客户有哪些", "有多少"}

// changeWords ask how a count moved: 这个月新增了多少高意向 is a trend.
var changeWords = []string{"新增", "增加", "减少", "多了", "少了"}

// countNoise are the words of a count or list question around its tags.
var countNoise = []string{
	// how many, which
	"有多少", "多少", "有几", "几", // with a measure word after them (measureWords)
	"数量", "人数", "的人数", "客户数量", "客户数", "总数", "数目", "有哪些", "哪些", "都有谁", "有谁", "是谁",
	"一共", "总共", "总计", "共有", "现在", "目前", "当前", "现有", "新增了", "新增", "增加了", "增加", "减少了", "减少", "多了", "少了",
	// customers
	"客户", "的人", "这些", "这个", "那个", "标签",
	// both, among
	"既是", "又是", "也是", "还是", "同时是", "同时有", "同时", "而且是", "并且是", "又有", "也有", "都有", "都是", "都", "以及", "还有",
	"和", "跟", "与", "及", ",", "&", "+", "/", "里面", "里头", "里边", "当中", "之中", "其中", "中间", "中", "里",
	"重叠", "交集", "交叉", "重合",
	// carrying, coming from
	"带有", "带着", "带", "打上了", "打了", "打过", "有", "是", "的",
	"来源于", "来源是", "来源", "来自", "渠道", "过来", "来的", "从", "通过",
	// asking
	"查一下", "查查", "看看", "看一下", "统计一下", "告诉我", "我想知道", "想知道",
}

// countHint answers a count question whose words were not all read.
const countHint = "没看懂要统计什么，什么都没有改。可以这样问：高意向客户有多少、VIP里面有多少高意向、既是高意向又是VIP的有几个；发送 /stats 看每个标签的客户数。"

// countFind: 高意向又是VIP的客户有哪些 → /find tag:…; VIP有多少人, 有多少
// 客户是高意向, 既是高意向又是VIP的有几个 → /stats tag:… (the count from
// the stats code); 张三有多少标签 → /tags 张三.
func countFind(rq *request) (Result, bool) {
	counting := hasAny(rq.s, howMany...)
	if !counting && !hasAny(rq.s, countWords...) {
		return Result{}, false
	}
	s := rq.s
	if rest, ok := mine(s); ok { // 我的客户里有多少VIP: what /stats counts for the asker
		s = rest
	} else if r, ok, skip := rq.countSubject(s); ok || skip { // 多少有哪些标签, 孙七的客户有多少
		return r, ok
	}
	tags, unknown := rq.countParts(s)
	for _, u := range unknown {
		switch {
		case rq.names.Customer(u): // 张三有多少(个)标签: the customer's tags
			return rq.tagsOf(u), true
		case u == "我" || len(rq.names.Members(u)) > 0: // 孙七这周的客户: not a tag question
			return Result{}, false
		}
	}
	if len(unknown) > 0 {
		u := unknown[0]
		near := rq.nearestTag(u)
		if near == "" && (isUserID(u) || len(verbs(u)) > 0) { // lisi的客户里有多少VIP, 给张三打上多少个VIP: not a tag
			return Result{}, false
		}
		if utf8.RuneCountInString(u) > 1 || near != "" {
			rq.reading = true
			return ask(rq.unknownTag(u)), true
		}
		if counting && len(verbs(rq.s)) == 0 { // VIP有多少钱
			return Result{Kind: Unknown, Ask: countHint, partial: true}, true
		}
		return Result{}, false
	}
	switch {
	case hasAny(s, changeWords...): // 这个月新增了多少高意向
		if len(tags) != 1 {
			return Result{}, false
		}
		return run(false, "stats", append([]commands.Token{word("trend"), filter("tag", tags[0])}, rq.timeFilters()...)...), true
	case len(tags) == 0 && counting: // 一共有多少客户
		return run(false, "stats"), true
	case len(tags) == 0:
		return Result{}, false
	case counting:
		return tagCount(tags), true
	}
	args := make([]commands.Token, len(tags))
	for i, t := range tags {
		args[i] = filter("tag", t)
	}
	return run(false, "find", args...), true
}

// The pieces countParts reads a question as.
const (
	pieceStart = iota // nothing read yet
	pieceName         // one character of no known word
	pieceLoose        // a joinWords word out of place: part of the tag beside it, if any
	pieceTag          // a live tag
	pieceNoise        // a countNoise word
	pieceItem         // a countNoise word naming what is counted (itemWords)
)

// itemWords name what is counted; joinWords may follow them or a tag.
var itemWords = []string{"客户", "的人", "的", "标签"}

// joinWords read as "among" (VIP里面, 客户中) or "and" (高意向和VIP) only
// after a tag or an itemWords word: elsewhere, beside a tag (中高意向,
// 和VIP有多少), they are part of a name, asked back, not dropped; alone
// (里面有多少VIP) they are dropped.
var joinWords = []string{"里面", "里头", "里边", "当中", "之中", "中间", "中", "里", "和", "跟", "与", "及"}

// countPiece reads the piece s starts with, prev being the kind of the
// piece before: its kind, its tag and its length in bytes. At each place
// the longest live tag wins, then the longest countNoise word, then one
// character.
func (rq *request) countPiece(s string, idx *tagsByLen, prev int) (kind int, tag string, n int) {
	if t, n := rq.tagAt(s, idx); n > 0 {
		return pieceTag, t, n
	}
	if n := noiseAt(s); n > 0 {
		w := s[:n]
		switch {
		case slices.Contains(joinWords, w) && prev != pieceTag && prev != pieceItem:
			return pieceLoose, "", n
		case slices.Contains(itemWords, w):
			return pieceItem, "", n
		}
		return pieceNoise, "", n
	}
	_, size := utf8.DecodeRuneInString(s)
	return pieceName, "", size
}

// countParts reads s as live tags among countNoise words. unknown are the
// stretches that are neither, each with any tag inside it (VIPP holds
// VIP, 中高意向 holds 高意向): the names to ask back.
func (rq *request) countParts(s string) (tags, unknown []string) {
	idx := lengthIndex(rq.names.TagNames())
	start, bad, loose := -1, false, false // the stretch since the last question word
	var found []string                    // its tags
	end := func(i int) {
		switch {
		case start < 0:
		case bad, loose && len(found) > 0:
			unknown = append(unknown, s[start:i])
		default:
			for _, t := range found {
				if !slices.Contains(tags, t) {
					tags = append(tags, t)
				}
			}
		}
		start, bad, loose, found = -1, false, false, found[:0]
	}
	prev := pieceStart
	for i := 0; i < len(s); {
		kind, t, n := rq.countPiece(s[i:], idx, prev)
		switch kind {
		case pieceTag:
			if start < 0 {
				start = i
			}
			found = append(found, t)
		case pieceNoise, pieceItem:
			end(i)
		case pieceLoose:
			if start < 0 {
				start = i
			}
			loose = true
		default:
			if start < 0 {
				start = i
			}
			bad = true
		}
		i += n
		prev = kind
	}
	end(len(s))
	return tags, unknown
}

// tagAt is the longest live tag s starts with and its length in bytes
// (0 if none); only the lengths some tag has are tried.
func (rq *request) tagAt(s string, idx *tagsByLen) (string, int) {
	var ends [maxTagRunes + 1]int // ends[k]: the byte length of k runes
	n := 0
	for i := 0; i < len(s) && n < maxTagRunes; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		ends[n+1] = i
	}
	for _, l := range idx.lens { // longest first
		if l > n {
			continue
		}
		if t, ok := rq.names.Tag(s[:ends[l]]); ok {
			return t, ends[l]
		}
	}
	return "", 0
}

// measureWords may follow 多少 and 几: 多少个, 几位, 几个人.
var measureWords = []string{"个人", "个", "位", "人", "名", "家"}

// noiseAt is the byte length of the longest countNoise word s starts
// with (多少 and 几 with their measure word), 0 if none.
func noiseAt(s string) int {
	best := 0
	for _, w := range countNoise {
		if len(w) > best && strings.HasPrefix(s, w) {
			best = len(w)
		}
	}
	if best > 0 && (strings.HasSuffix(s[:best], "多少") || strings.HasSuffix(s[:best], "几")) {
		for _, m := range measureWords {
			if strings.HasPrefix(s[best:], m) {
				return best + len(m)
			}
		}
	}
	return best
}
