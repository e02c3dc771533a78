package mirror

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// RefreshLibrary reads the whole corp tag library (get_corp_tag_list) into
// the store. Tags and groups missing from WeCom are marked deleted, and for
// each relationship that had a deleted tag a `sync` change-set (batch
// "tagdel-<tag id>") records its removal, as WeCom removed it from every
// customer. A stored tag missing from the list is first asked about by id:
// one created after the list was read (e.g. by a concurrent CreateTag) is
// live and kept. It returns the tags newly found deleted. It serves the
// full sync and change_external_tag events.
func (s *Syncer) RefreshLibrary(ctx context.Context) ([]store.Tag, error) {
	groups, err := s.api.GetCorpTagList(ctx, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("mirror refresh library: %w", err)
	}
	lib := libraryOf(groups)
	if err := s.confirmMissing(ctx, &lib); err != nil {
		return nil, fmt.Errorf("mirror refresh library: %w", err)
	}
	deleted, err := s.st.PutLibrary(lib, s.opts.Actor)
	if err != nil {
		return nil, fmt.Errorf("mirror refresh library: %w", err)
	}
	for _, t := range deleted {
		s.log.Info("tag deleted on wecom", "tag", t.ID, "group", t.GroupName, "name", t.Name)
	}
	return deleted, nil
}

// confirmRounds bounds how often confirmMissing looks for stored tags that
// appeared while it asked WeCom; confirmChunk is the ids per filtered query.
const (
	confirmRounds = 3
	confirmChunk  = 100
)

// confirmMissing asks WeCom by id about the stored live tags lib lacks
// (a filtered get_corp_tag_list flags deleted ones and omits unknown ones)
// and adds those that are live, with their groups, to lib. It reads the
// store again after asking, so tags stored meanwhile are asked about too.
func (s *Syncer) confirmMissing(ctx context.Context, lib *store.Library) error {
	known := map[string]bool{}
	for _, t := range lib.Tags {
		known[t.ID] = true
	}
	haveGroup := map[string]bool{}
	for _, g := range lib.Groups {
		haveGroup[g.ID] = true
	}
	for range confirmRounds {
		stored, err := s.st.Tags(false)
		if err != nil {
			return err
		}
		var missing []string
		for _, t := range stored {
			if !t.Deleted && !known[t.ID] {
				missing = append(missing, t.ID)
				known[t.ID] = true // asked once
			}
		}
		if len(missing) == 0 {
			return nil
		}
		for chunk := range slices.Chunk(missing, confirmChunk) {
			groups, err := s.api.GetCorpTagList(ctx, chunk, nil)
			if err != nil {
				return fmt.Errorf("confirm missing tags: %w", err)
			}
			for _, g := range groups {
				if g.Deleted {
					continue
				}
				sg := groupOf(g)
				for _, t := range g.Tags {
					if t.Deleted || !slices.Contains(chunk, t.ID) {
						continue
					}
					s.log.Info("tag missing from the library list is live", "tag", t.ID, "group", g.ID)
					if !haveGroup[g.ID] {
						haveGroup[g.ID] = true
						lib.Groups = append(lib.Groups, sg)
					}
					lib.Tags = append(lib.Tags, tagOf(sg, t))
				}
			}
		}
	}
	return nil
}

// libraryOf converts get_corp_tag_list groups, skipping entries flagged
// deleted (only filtered queries report them).
func libraryOf(groups []wecom.TagGroup) store.Library {
	var lib store.Library
	for _, g := range groups {
		if g.Deleted {
			continue
		}
		sg := groupOf(g)
		lib.Groups = append(lib.Groups, sg)
		for _, t := range g.Tags {
			if !t.Deleted {
				lib.Tags = append(lib.Tags, tagOf(sg, t))
			}
		}
	}
	return lib
}

func groupOf(g wecom.TagGroup) store.Group {
	return store.Group{ID: g.ID, Name: g.Name, Order: g.Order, CreatedAt: unixTime(g.CreateTime)}
}

func tagOf(g store.Group, t wecom.Tag) store.Tag {
	return store.Tag{
		ID: t.ID, GroupID: g.ID, GroupName: g.Name, Name: t.Name, Order: t.Order, CreatedAt: unixTime(t.CreateTime),
	}
}

// CreateTag makes sure a live tag tagName exists in group groupName and
// returns it. A tag of that name already in the store's library is returned
// as is if WeCom confirms it is live (if not, the library is refreshed,
// recording the deletion). Otherwise the tag is created with add_corp_tag in the group of that
// name (found in the store's library; created with the tag when absent, or
// when WeCom says the stored group is gone) and stored with PutTag. It is
// used by /restore to recreate a deleted tag.
func (s *Syncer) CreateTag(ctx context.Context, groupName, tagName string) (store.Tag, error) {
	groupName, tagName = strings.TrimSpace(groupName), strings.TrimSpace(tagName)
	if groupName == "" || tagName == "" {
		return store.Tag{}, errors.New("mirror create tag: group and tag names are required")
	}
	same, err := s.st.TagsByName(tagName)
	if err != nil {
		return store.Tag{}, fmt.Errorf("mirror create tag: %w", err)
	}
	for _, t := range same {
		if t.GroupName != groupName {
			continue
		}
		live, err := s.liveOnWeCom(ctx, t.ID)
		if err != nil {
			return store.Tag{}, fmt.Errorf("mirror create tag: %w", err)
		}
		if live {
			return t, nil
		}
		// Deleted in the console since the last refresh: record that first.
		if _, err := s.RefreshLibrary(ctx); err != nil {
			return store.Tag{}, fmt.Errorf("mirror create tag: %w", err)
		}
		break
	}
	if err := s.st.CheckNewTag(groupName, tagName); err != nil { // WeCom's name and count limits
		return store.Tag{}, fmt.Errorf("mirror create tag: %w", err)
	}
	req := wecom.AddTagRequest{GroupName: groupName, Tags: []wecom.NewTag{{Name: tagName}}}
	groups, err := s.st.Groups()
	if err != nil {
		return store.Tag{}, fmt.Errorf("mirror create tag: %w", err)
	}
	for _, g := range groups {
		if g.Name == groupName {
			req.GroupID = g.ID
			break
		}
	}
	got, err := s.api.AddCorpTag(ctx, req)
	if err != nil && req.GroupID != "" && wecom.Code(err) == errcode.InvalidTagID {
		// The group was deleted in the console since the last refresh:
		// create it anew by name.
		s.log.Info("stored tag group gone on wecom, creating it by name", "group", req.GroupID)
		req.GroupID = ""
		got, err = s.api.AddCorpTag(ctx, req)
	}
	if err != nil {
		return store.Tag{}, fmt.Errorf("mirror create tag %s/%s: %w", groupName, tagName, err)
	}
	g := groupOf(got)
	for _, t := range got.Tags {
		if t.Name != tagName {
			continue
		}
		st := tagOf(g, t)
		if err := s.st.PutTag(g, st); err != nil {
			return store.Tag{}, fmt.Errorf("mirror create tag: %w", err)
		}
		s.log.Info("tag created on wecom", "tag", st.ID, "group", g.Name, "name", st.Name)
		return st, nil
	}
	return store.Tag{}, fmt.Errorf("mirror create tag %s/%s: add_corp_tag answered without the tag", groupName, tagName)
}

// liveOnWeCom asks WeCom whether a tag exists and is not deleted.
func (s *Syncer) liveOnWeCom(ctx context.Context, tagID string) (bool, error) {
	groups, err := s.api.GetCorpTagList(ctx, []string{tagID}, nil)
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		for _, t := range g.Tags {
			if t.ID == tagID {
				return !t.Deleted && !g.Deleted, nil
			}
		}
	}
	return false, nil
}
