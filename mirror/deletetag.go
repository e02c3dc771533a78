package mirror

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// DeleteTag deletes one tag from the WeCom tag library (del_corp_tag) and
// records the deletion in the store by refreshing the library, exactly as
// a deletion seen in a change_external_tag callback is recorded: the tag
// is marked deleted, relationships still carrying it get a `sync`
// change-set (batch "tagdel-<id>"), and /restore tag can recreate it. A
// tag WeCom no longer knows (40068) counts as deleted. /merge uses it,
// the counterpart of CreateTag for /restore. 删除企业标签。
func (s *Syncer) DeleteTag(ctx context.Context, tagID string) error {
	t, err := s.st.Tag(tagID)
	if err != nil {
		return fmt.Errorf("mirror delete tag: %w", err)
	}
	if t.Deleted {
		return nil
	}
	err = s.api.DelCorpTag(ctx, []string{tagID}, nil)
	if err != nil && wecom.Code(err) != errcode.InvalidTagID {
		return fmt.Errorf("mirror delete tag %s: %w", tagID, err)
	}
	if _, err := s.RefreshLibrary(ctx); err != nil { // logs the deletion
		return fmt.Errorf("mirror delete tag %s: %w", tagID, err)
	}
	if t, err := s.st.Tag(tagID); err == nil && t.Deleted {
		return nil
	}
	return errors.New("mirror delete tag " + tagID + ": still listed by get_corp_tag_list after del_corp_tag")
}

var _ interface {
	DeleteTag(ctx context.Context, tagID string) error
	CreateTag(ctx context.Context, groupName, tagName string) (store.Tag, error)
} = (*Syncer)(nil)
