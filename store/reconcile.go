package store

import (
	"errors"
)

// ObservedFollow is one relationship as WeCom reports it, tags included.
type ObservedFollow struct {
	FollowInfo
	TagIDs []string
}

// Observation is what WeCom reports of one customer.
type Observation struct {
	Customer Customer
	Follows  []ObservedFollow
	// Complete says Follows lists every follower (externalcontact/get), so
	// stored relationships missing from it have ended.
	Complete bool
}

// ReconcileOptions say how to record differences found on WeCom.
type ReconcileOptions struct {
	Source Source // SourceSync or SourceWeComUI
	Actor  string // "sync", or the follower whose client made the change
	Reason string
	Batch  string
	// Since is NextID taken before WeCom was read. A relationship the
	// ledger changed from that id on is left alone, as the reading may
	// predate the change. 0 skips this check.
	Since ID
}

// Reconcile makes the store agree with what WeCom reports of a customer, in
// one transaction: customer and relationship metadata are updated, and every
// tag difference the ledger does not explain becomes a change-set of
// opts.Source. A relationship with outbox calls still pending (WeCom has
// not caught up with the ledger yet) or changed since opts.Since is left
// alone and marked for a re-check (Rechecks), so the difference is looked at
// again once its calls are sent; tag ids the library does not know are
// ignored. It returns the change-sets written.
func (s *Store) Reconcile(obs Observation, opts ReconcileOptions) ([]ChangeSet, error) {
	var out []ChangeSet
	err := s.update(func(tx *txn) error {
		out = out[:0]
		infos := make([]FollowInfo, len(obs.Follows))
		for i, f := range obs.Follows {
			infos[i] = f.FollowInfo
		}
		c, err := upsertCustomerTx(tx, obs.Customer, infos, s.now())
		if err != nil {
			return err
		}
		for _, f := range obs.Follows {
			if s.busy(tx, c.ID, f.Follower, opts.Since) {
				continue
			}
			cs, err := s.diffTx(tx, c.ID, f.Follower, f.TagIDs, opts)
			if err != nil {
				return err
			}
			if cs != nil {
				out = append(out, *cs)
			}
		}
		if !obs.Complete {
			return nil
		}
		listed := map[string]bool{}
		for _, f := range obs.Follows {
			listed[f.Follower] = true
		}
		for _, f := range c.Followers {
			if listed[f] || s.busy(tx, c.ID, f, opts.Since) {
				continue
			}
			cs, err := s.endRelationshipTx(tx, c, f, opts)
			if err != nil {
				return err
			}
			if cs != nil {
				out = append(out, *cs)
			}
		}
		return nil
	})
	return out, err
}

// diffTx writes the change-set that brings one relationship's projection to
// the tags WeCom reports, or nothing if they agree.
func (s *Store) diffTx(tx *txn, customer, follower string, wecom []string, opts ReconcileOptions) (*ChangeSet, error) {
	rel, err := getRel(tx, customer, follower)
	if err != nil {
		return nil, err
	}
	cs := ChangeSet{Actor: opts.Actor, Source: opts.Source, Customer: customer, Follower: follower, Reason: opts.Reason, Batch: opts.Batch}
	on := map[string]bool{}
	for _, id := range wecom {
		on[id] = true
		if _, has := rel.Tags[id]; has {
			continue
		}
		if t, err := getTag(tx, id); err == nil && !t.Deleted {
			cs.Add = append(cs.Add, TagRef{ID: id})
		} else {
			s.log.Warn("tag on wecom not in library", "tag", id, "customer", customer)
		}
	}
	for _, id := range rel.TagIDs() {
		if !on[id] {
			cs.Remove = append(cs.Remove, TagRef{ID: id})
		}
	}
	if len(cs.Add) == 0 && len(cs.Remove) == 0 {
		return nil, nil
	}
	if err := s.applyTx(tx, &cs); err != nil {
		if errors.Is(err, ErrNoChange) {
			return nil, nil
		}
		return nil, err
	}
	return &cs, nil
}

// RemoveRelationship records that an employee no longer follows a customer
// (WeCom's del_external_contact / del_follow_user): a change-set removes the
// relationship's tags, then the relationship is dropped from the projection.
func (s *Store) RemoveRelationship(customer, follower string, opts ReconcileOptions) (*ChangeSet, error) {
	var out *ChangeSet
	err := s.update(func(tx *txn) error {
		c, err := getCustomer(tx, customer)
		if err != nil {
			return err
		}
		out, err = s.endRelationshipTx(tx, c, follower, opts)
		return err
	})
	return out, err
}

func (s *Store) endRelationshipTx(tx *txn, c *Customer, follower string, opts ReconcileOptions) (*ChangeSet, error) {
	rels, err := relsOf(tx, c)
	if err != nil {
		return nil, err
	}
	for _, k := range lookupKeys(c, rels) {
		tx.Delete(k)
	}
	var cs *ChangeSet
	if rel, err := getRel(tx, c.ID, follower); err == nil {
		if err := relStateTx(tx, rel.State, rel, true); err != nil { // channel.go
			return nil, err
		}
		tx.quiet = true // no triggers on a relationship that ends (trigger.go)
		cs, err = s.diffTx(tx, c.ID, follower, nil, opts)
		tx.quiet = false
		if err != nil {
			return nil, err
		}
		tx.Delete(relKey(c.ID, follower))
		tx.Delete(rfKey(follower, c.ID)) // stats.go
	}
	c.Followers = without(c.Followers, follower)
	c.UpdatedAt = s.now().UTC()
	if _, _, err := tx.Set("cust:"+c.ID, encode(c), nil); err != nil {
		return nil, err
	}
	if rels, err = relsOf(tx, c); err != nil {
		return nil, err
	}
	for _, k := range lookupKeys(c, rels) {
		tx.Set(k, "", nil)
	}
	return cs, nil
}

func without(list []string, x string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}
