package mirror

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// ChangeTypes of the change_external_contact event that RefreshCustomer
// handles (企业客户事件).
const (
	ChangeAddContact     = "add_external_contact"      // 成员添加了客户
	ChangeEditContact    = "edit_external_contact"     // 成员编辑了客户（备注、标签…）
	ChangeAddHalfContact = "add_half_external_contact" // 客户添加了成员，成员尚未通过
	ChangeDelContact     = "del_external_contact"      // 成员删除了客户
	ChangeDelFollowUser  = "del_follow_user"           // 客户删除了成员
)

// RefreshCustomer applies a change_external_contact event. For
// add/edit/add_half it reads the customer (externalcontact/get) and
// reconciles it: differences on the follower's relationship become
// `wecom-ui` change-sets by the follower (the member whose client made the
// change); differences on other relationships, and relationships WeCom no
// longer lists, become `sync` change-sets. A relationship with calls still
// queued, or changed in the ledger after the read, is left alone and
// marked for a re-check (see Recheck). For del_external_contact and
// del_follow_user the relationship is removed (a `wecom-ui` change-set takes
// its tags off). Other change types are ignored. It returns the change-sets
// written. WeCom errors are wrapped, so wecom.IsTransient tells whether a
// later retry may succeed.
func (s *Syncer) RefreshCustomer(ctx context.Context, externalUserID, follower, changeType string) ([]store.ChangeSet, error) {
	if externalUserID == "" {
		return nil, errors.New("mirror refresh customer: no external userid")
	}
	switch changeType {
	case ChangeAddContact, ChangeEditContact, ChangeAddHalfContact:
		return s.refreshContact(ctx, externalUserID, follower, changeType)
	case ChangeDelContact, ChangeDelFollowUser:
		return s.removeFollow(externalUserID, follower, changeType)
	default:
		s.log.Debug("change type ignored", "change_type", changeType)
		return nil, nil
	}
}

func (s *Syncer) refreshContact(ctx context.Context, externalUserID, follower, changeType string) ([]store.ChangeSet, error) {
	return s.readContact(ctx, externalUserID, follower, "在企业微信中修改（"+changeType+"）")
}

func (s *Syncer) removeFollow(externalUserID, follower, changeType string) ([]store.ChangeSet, error) {
	if follower == "" {
		return nil, fmt.Errorf("mirror refresh customer %s: %s without userid", externalUserID, changeType)
	}
	reason := "成员删除了客户"
	if changeType == ChangeDelFollowUser {
		reason = "客户删除了成员"
	}
	cs, err := s.st.RemoveRelationship(externalUserID, follower, store.ReconcileOptions{
		Source: store.SourceWeComUI, Actor: follower, Reason: reason,
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.log.Debug("removed relationship of unknown customer", "customer", externalUserID)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
	case cs == nil:
		return nil, nil
	}
	return []store.ChangeSet{*cs}, nil
}

// ensureTags refreshes the library when the contact carries a tag the store
// does not know (created in the console moments ago, its change_external_tag
// event not yet handled), so Reconcile does not skip it.
func (s *Syncer) ensureTags(ctx context.Context, ct wecom.Contact) error {
	for _, f := range ct.Follows {
		for _, id := range f.TagIDs {
			_, err := s.st.Tag(id)
			if errors.Is(err, store.ErrUnknownTag) {
				_, err = s.RefreshLibrary(ctx)
				return err
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// observation converts a WeCom contact to what Reconcile takes.
func observation(ct wecom.Contact, complete bool) store.Observation {
	obs := store.Observation{
		Customer: store.Customer{ID: ct.ExternalUserID, Name: ct.Name, CorpName: ct.CorpName, Type: ct.Type},
		Complete: complete,
	}
	for _, f := range ct.Follows {
		obs.Follows = append(obs.Follows, observedFollow(f))
	}
	return obs
}

func observedFollow(f wecom.Follow) store.ObservedFollow {
	return store.ObservedFollow{
		FollowInfo: store.FollowInfo{
			Follower: f.UserID, Remark: f.Remark, Mobiles: f.Mobiles, State: f.State, CreateTime: unixTime(f.CreateTime),
		},
		TagIDs: f.TagIDs,
	}
}

// unixTime converts WeCom's Unix seconds; 0 is the zero time.
func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
