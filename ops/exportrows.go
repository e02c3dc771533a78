package ops

import (
	"strconv"
	"time"

	"github.com/tagbot/tagbot/store"
)

// LedgerHeader is the CSV header of `export ledger`: one row per
// change-set; tag lists are "; "-separated (see SplitList), tags named
// "group/name" as the change-set recorded them.
var LedgerHeader = []string{"id", "time", "actor", "source", "customer", "follower", "add_ids", "add_names",
	"remove_ids", "remove_names", "reason", "reverts", "batch", "denied", "forced", "outbox", "inbox", "hash", "prev"}

// exportLedger writes every change-set at or after since.
func exportLedger(enc *rowWriter, st *store.Store, since time.Time) error {
	return st.EachChangeSet(since, func(cs *store.ChangeSet) error {
		return enc.row(cs, LedgerHeader, func() []string {
			addIDs, addNames := refCells(cs.Add)
			remIDs, remNames := refCells(cs.Remove)
			return []string{cs.ID.String(), csvTime(cs.Time), cs.Actor, string(cs.Source), cs.Customer, cs.Follower,
				addIDs, addNames, remIDs, remNames, cs.Reason, idCell(cs.Reverts), cs.Batch, cs.Denied,
				strconv.FormatBool(cs.Forced), idCell(cs.Outbox), idCell(cs.Inbox), cs.Hash, cs.Prev}
		})
	})
}

func refCells(refs []store.TagRef) (ids, names string) {
	idl := make([]string, len(refs))
	namel := make([]string, len(refs))
	for i, r := range refs {
		idl[i], namel[i] = r.ID, r.Group+"/"+r.Name
	}
	return joinList(idl), joinList(namel)
}

func idCell(id store.ID) string {
	if id == 0 {
		return ""
	}
	return id.String()
}

// CustomerRow is one line of `export customers --format jsonl`.
type CustomerRow struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	CorpName      string        `json:"corp_name,omitempty"`
	Type          int           `json:"type,omitempty"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Relationships []RelationRow `json:"relationships"`
}

// RelationRow is one relationship of a CustomerRow.
type RelationRow struct {
	Follower   string    `json:"follower"`
	Remark     string    `json:"remark,omitempty"`
	Mobiles    []string  `json:"mobiles,omitempty"`
	CreateTime time.Time `json:"create_time"`
	State      string    `json:"state,omitempty"`
	Tags       []TagRow  `json:"tags"`
}

// TagRow is a tag on a relationship: the library's current names, and who
// put it there when, in which change-set.
type TagRow struct {
	ID    string    `json:"id"`
	Group string    `json:"group"`
	Name  string    `json:"name"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	CS    store.ID  `json:"cs"`
}

// CustomerHeader is the CSV header of `export customers`: one row per
// relationship (a customer nobody follows has one row, follower empty).
var CustomerHeader = []string{"customer", "name", "corp_name", "type", "updated_at", "follower", "remark", "mobiles",
	"create_time", "state", "tag_ids", "tag_names"}

// exportCustomers writes every customer.
func exportCustomers(enc *rowWriter, st *store.Store) error {
	return st.EachCustomer(func(c *store.Customer, rels []store.Relationship) error {
		row := customerRow(st, c, rels)
		if enc.json != nil {
			return enc.row(row, nil, nil)
		}
		if len(row.Relationships) == 0 {
			row.Relationships = []RelationRow{{}}
		}
		for _, r := range row.Relationships {
			err := enc.row(nil, CustomerHeader, func() []string {
				ids, names := make([]string, len(r.Tags)), make([]string, len(r.Tags))
				for i, t := range r.Tags {
					ids[i], names[i] = t.ID, t.Group+"/"+t.Name
				}
				ct := ""
				if r.Follower != "" {
					ct = csvTime(r.CreateTime)
				}
				return []string{row.ID, row.Name, row.CorpName, strconv.Itoa(row.Type), csvTime(row.UpdatedAt), r.Follower,
					r.Remark, joinList(append([]string(nil), r.Mobiles...)), ct, r.State, joinList(ids), joinList(names)}
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// customerRow builds a customer's JSONL row, tags sorted by id.
func customerRow(st *store.Store, c *store.Customer, rels []store.Relationship) CustomerRow {
	row := CustomerRow{ID: c.ID, Name: c.Name, CorpName: c.CorpName, Type: c.Type, UpdatedAt: c.UpdatedAt,
		Relationships: make([]RelationRow, 0, len(rels))}
	for i := range rels {
		r := &rels[i]
		rr := RelationRow{Follower: r.Follower, Remark: r.Remark, Mobiles: r.Mobiles, CreateTime: r.CreateTime,
			State: r.State, Tags: []TagRow{}}
		for _, id := range r.TagIDs() {
			m := r.Tags[id]
			t := TagRow{ID: id, By: m.By, At: m.At, CS: m.CS}
			if tag, err := st.Tag(id); err == nil {
				t.Group, t.Name = tag.GroupName, tag.Name
			}
			rr.Tags = append(rr.Tags, t)
		}
		row.Relationships = append(row.Relationships, rr)
	}
	return row
}

// LibraryRow is one line of `export library`: a tag with its group (a
// group without tags has one row with the tag fields empty).
type LibraryRow struct {
	GroupID      string    `json:"group_id"`
	GroupName    string    `json:"group_name"`
	GroupOrder   int       `json:"group_order"`
	GroupDeleted bool      `json:"group_deleted,omitempty"`
	TagID        string    `json:"tag_id,omitempty"`
	TagName      string    `json:"tag_name,omitempty"`
	TagOrder     int       `json:"tag_order,omitempty"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	Deleted      bool      `json:"deleted,omitempty"`
	DeletedAt    time.Time `json:"deleted_at,omitzero"`
	RestoredAs   string    `json:"restored_as,omitempty"`
}

// LibraryHeader is the CSV header of `export library`.
var LibraryHeader = []string{"group_id", "group_name", "group_order", "group_deleted", "tag_id", "tag_name", "tag_order",
	"created_at", "deleted", "deleted_at", "restored_as"}

// exportLibrary writes the tag library, groups in their order, each
// group's tags in theirs.
func exportLibrary(enc *rowWriter, st *store.Store) error {
	groups, err := st.Groups()
	if err != nil {
		return err
	}
	tags, err := st.Tags(true)
	if err != nil {
		return err
	}
	byGroup := map[string][]store.Tag{}
	for _, t := range tags {
		byGroup[t.GroupID] = append(byGroup[t.GroupID], t)
	}
	for _, g := range groups {
		rows := []LibraryRow{}
		for _, t := range byGroup[g.ID] {
			rows = append(rows, LibraryRow{TagID: t.ID, TagName: t.Name, TagOrder: t.Order, CreatedAt: t.CreatedAt,
				Deleted: t.Deleted, DeletedAt: t.DeletedAt, RestoredAs: t.RestoredAs})
		}
		if len(rows) == 0 {
			rows = append(rows, LibraryRow{})
		}
		for _, r := range rows {
			r.GroupID, r.GroupName, r.GroupOrder, r.GroupDeleted = g.ID, g.Name, g.Order, g.Deleted
			err := enc.row(r, LibraryHeader, func() []string {
				return []string{r.GroupID, r.GroupName, strconv.Itoa(r.GroupOrder), strconv.FormatBool(r.GroupDeleted),
					r.TagID, r.TagName, strconv.Itoa(r.TagOrder), csvTime(r.CreatedAt), strconv.FormatBool(r.Deleted),
					csvTime(r.DeletedAt), r.RestoredAs}
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
