// Package importer reads a spreadsheet of customer tags (CSV in UTF-8,
// UTF-8 with BOM or GBK/GB18030, or XLSX, streamed), maps its columns by
// header name, matches its rows to customers, checks them for shifted
// columns and plans the change as a dry run: customers to change, tags
// added and removed, unchanged, unknown customers and tags (with the
// nearest existing tag proposed) and bad rows. Apply then writes the plan
// as one ledger batch. No HTTP here: the upload page (importer/page) and
// `tagbot import` both call it. 表格导入：读取、匹配、校验、预览与执行。
package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// Policy is who runs the import, as /tag sees them: which relationships
// they may change and which tags (commands.ExtRequest implements the tag
// check; see importer/page).
type Policy interface {
	// User is the importing employee's userid.
	User() string
	// SeesAll is true for managers and admins: any relationship; an
	// employee acts only on relationships they follow.
	SeesAll() bool
	// CheckTags is the /tag group policy for one relationship (see
	// commands.ExtRequest.CheckTags).
	CheckTags(rel store.Relationship, add, remove, live []store.Tag) (autoRemove []store.Tag, err error)
}

// TagSeer is a Policy that also knows which tags the user may see
// (config groups.<组名>.visible_to): the others are planned as unknown
// names, never matched or suggested.
type TagSeer interface {
	// VisibleTags keeps the tags the user may see.
	VisibleTags(tags []store.Tag) []store.Tag
}

// Suggestion is an existing tag proposed for an unknown name.
type Suggestion struct {
	Tag   store.Tag
	Score float64
	Why   string
}

// Choice is what to do with an unknown tag name: use an existing tag
// (Use, its id), or create it (Create, in Group). The zero Choice skips it.
type Choice struct {
	Use    string
	Create bool
	Group  string
}

// Options configure a dry run.
type Options struct {
	Store  *store.Store
	Policy Policy
	// Synonyms are the tag matcher's synonym lists (config tag_synonyms):
	// unknown tag names get the nearest existing tags proposed, as /dupes
	// finds near-duplicates.
	Synonyms [][]string
	// Choices decide unknown tags, keyed by UnknownTag.Key.
	Choices map[string]Choice
	// MaxBadShare is the share of bad rows (0..1) above which nothing is
	// applied (config import.max_bad_share).
	MaxBadShare float64
	// MaxRows bounds the data rows read; 0 is no bound.
	MaxRows int
}

// Issue is one reported row: bad, denied or with an unknown customer.
type Issue struct {
	Row    int
	Column string // the column's header, "" for the whole row
	Value  string
	Msg    string
}

// Change is what the import does to one relationship.
type Change struct {
	Row      int // the first row that asked for it
	Customer string
	Name     string
	Follower string
	Add      []store.Tag // a tag with ID "" is created at Apply
	Remove   []store.Tag
}

// UnknownTag is a tag name the library lacks.
type UnknownTag struct {
	Key         string // Group + "/" + Name: the Choices key
	Name, Group string
	Rows        int // rows naming it
	FirstRow    int
	Suggestions []Suggestion
	Choice      Choice
}

// TagCount counts the relationships gaining or losing one tag.
type TagCount struct {
	Tag   store.Tag
	Count int
}

// Plan is a dry run: what Apply would do.
type Plan struct {
	Format, Encoding string
	Header           []string
	Ignored          []string
	Rows             int // data rows read (blank rows not counted)
	Changes          []Change
	Unchanged        int // relationships that already match
	UnknownCustomers []Issue
	UnknownTags      []UnknownTag
	Bad              []Issue
	Denied           []Issue
	Added, Removed   []TagCount
	MaxBadShare      float64
}

// BadShare is the share of data rows that are bad.
func (p *Plan) BadShare() float64 {
	if p.Rows == 0 {
		return 0
	}
	return float64(p.badRows()) / float64(p.Rows)
}

// badRows counts rows with at least one bad issue.
func (p *Plan) badRows() int {
	n, last := 0, -1
	for _, b := range p.Bad {
		if b.Row != last {
			n++
			last = b.Row
		}
	}
	return n
}

// Blocked reports whether too many rows are bad for anything to be applied.
func (p *Plan) Blocked() bool { return p.BadShare() > p.MaxBadShare }

// Tags counts the changed relationships' tag additions and removals.
func (p *Plan) Tags() (add, remove int) {
	for _, c := range p.Changes {
		add += len(c.Add)
		remove += len(c.Remove)
	}
	return add, remove
}

// ErrTooManyRows is returned when a file has more than Options.MaxRows rows.
var ErrTooManyRows = errors.New("importer: too many rows")

// errPrefetchStopped ends reading after the reader stopped.
var errPrefetchStopped = errors.New("importer: reading stopped")

// DryRun reads rows to the end and plans the import without writing.
// A header the importer cannot use is a *HeaderError.
func DryRun(rows Rows, o Options) (*Plan, error) {
	pl, err := newPlanner(o)
	if err != nil {
		return nil, err
	}
	p := &Plan{Format: rows.Format(), MaxBadShare: o.MaxBadShare}
	ahead := prefetch(rows)
	defer ahead.Stop()
	var h *Header
	for {
		cells, line, err := ahead.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("importer: %w", err)
		}
		if blank(cells) {
			continue
		}
		if h == nil {
			if h, err = ParseHeader(cells, pl.lib.groupNames()); err != nil {
				return nil, err
			}
			p.Header, p.Ignored = cells, h.Ignored()
			continue
		}
		p.Rows++
		if o.MaxRows > 0 && p.Rows > o.MaxRows {
			return nil, fmt.Errorf("%w: more than %d", ErrTooManyRows, o.MaxRows)
		}
		if err := pl.row(h, line, cells, rows.Format()); err != nil {
			return nil, err
		}
	}
	ahead.Stop()
	p.Encoding = rows.Encoding()
	if h == nil {
		return nil, &HeaderError{"文件是空的：第一行应是表头。可用 /import template 下载模板"}
	}
	return p, pl.finish(p)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Proposed reports whether the tag id is one of u's suggestions: a
// choice may use only those.
func (u *UnknownTag) Proposed(id string) bool {
	for _, s := range u.Suggestions {
		if s.Tag.ID == id {
			return true
		}
	}
	return false
}
