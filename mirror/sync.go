package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// SyncOptions tune NewSyncer; zero values take the defaults.
type SyncOptions struct {
	// Now is the clock (batch names, synced-at time); time.Now when nil.
	Now func() time.Time
	// Logger receives sync logs; slog.Default when nil.
	Logger *slog.Logger
	// Actor records full-sync change-sets and library deletions (default "sync").
	Actor string
	// Departments, when set, makes the full sync read every member's
	// departments (user/get) into the store, for visible_to dept:<id>;
	// the members are the follow users, those in the ledger and these
	// (departments.go).
	Departments []string
	// ReadDepartments turns that reading on (config.UsesDepartments).
	ReadDepartments bool
	// ReadNames makes the same user/get reading record members' names
	// (store.SetMemberName), so requests can name an employee.
	ReadNames bool
}

// Syncer reads the tag library and customers from WeCom into the store.
type Syncer struct {
	st   *store.Store
	api  wecom.API
	opts SyncOptions
	log  *slog.Logger
}

// NewSyncer returns a Syncer that reads api into st.
func NewSyncer(st *store.Store, api wecom.API, opts SyncOptions) *Syncer {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Actor == "" {
		opts.Actor = "sync"
	}
	return &Syncer{st: st, api: api, opts: opts, log: opts.Logger.With("pkg", "mirror", "part", "sync")}
}

// SyncReport summarises a FullSync.
type SyncReport struct {
	Tags          int // live tags in the library
	Groups        int // live tag groups
	Customers     int // customers WeCom reported
	Relationships int // follow relationships WeCom reported
	// ChangeSets counts the change-sets written for customers: tag
	// differences and ended relationships (tag deletions are in DeletedTags).
	ChangeSets  int
	DeletedTags int // tags newly found deleted in the console
	Duration    time.Duration
}

// FullSync makes the store agree with WeCom: it refreshes the tag library,
// pages through every customer of every follow user
// (externalcontact/batch/get_by_user), merges the entries of each customer
// and reconciles it. Tag differences the ledger does not explain become
// `sync` change-sets of one batch "sync-<time>"; on a fresh store that
// records every relationship's existing tags, which is where its history
// starts. A relationship of a reported customer that WeCom no longer lists
// for a follow user is removed. Relationships with calls still queued, or
// changed in the ledger once the pages were being read, are left alone
// (Reconcile marks them for a re-check by the worker). Nothing about
// customers is written unless all pages were read. On success the sync time
// is recorded.
func (s *Syncer) FullSync(ctx context.Context) (SyncReport, error) {
	start := s.opts.Now()
	var rep SyncReport
	deleted, err := s.RefreshLibrary(ctx)
	if err != nil {
		return rep, fmt.Errorf("mirror full sync: %w", err)
	}
	rep.DeletedTags = len(deleted)
	tags, err := s.st.Tags(false)
	if err != nil {
		return rep, fmt.Errorf("mirror full sync: %w", err)
	}
	groups, err := s.st.Groups()
	if err != nil {
		return rep, fmt.Errorf("mirror full sync: %w", err)
	}
	rep.Tags, rep.Groups = len(tags), len(groups)

	// Change-sets from here on postdate (part of) the reading: Reconcile
	// leaves the relationships they touch alone.
	since, err := s.st.NextID()
	if err != nil {
		return rep, fmt.Errorf("mirror full sync: %w", err)
	}
	followUsers, err := s.api.GetFollowUserList(ctx)
	if err != nil {
		return rep, fmt.Errorf("mirror full sync: follow users: %w", err)
	}
	var col collector
	if len(followUsers) > 0 {
		if err := s.api.AllCustomers(ctx, followUsers, col.add); err != nil {
			return rep, fmt.Errorf("mirror full sync: customers: %w", err)
		}
	}
	rep.Customers, rep.Relationships = len(col.order), col.follows
	if s.opts.ReadDepartments || s.opts.ReadNames {
		s.readMembers(ctx, followUsers, false)
	}

	opts := store.ReconcileOptions{
		Source: store.SourceSync, Actor: s.opts.Actor, Batch: "sync-" + start.UTC().Format("20060102T150405Z"),
		Reason: "全量同步：企业微信上的标签与记录不一致", Since: since,
	}
	isFollowUser := map[string]bool{}
	for _, u := range followUsers {
		isFollowUser[u] = true
	}
	for _, id := range col.order {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("mirror full sync: %w", err)
		}
		obs := col.byID[id]
		css, err := s.st.Reconcile(*obs, opts)
		if err != nil {
			return rep, fmt.Errorf("mirror full sync: customer %s: %w", id, err)
		}
		rep.ChangeSets += len(css)
		n, err := s.dropUnlisted(obs, isFollowUser, opts)
		if err != nil {
			return rep, fmt.Errorf("mirror full sync: customer %s: %w", id, err)
		}
		rep.ChangeSets += n
	}
	if err := s.st.SetSyncedAt(s.opts.Now()); err != nil {
		return rep, fmt.Errorf("mirror full sync: %w", err)
	}
	rep.Duration = s.opts.Now().Sub(start)
	s.log.Info("full sync done", "customers", rep.Customers, "relationships", rep.Relationships,
		"changesets", rep.ChangeSets, "deleted_tags", rep.DeletedTags, "took", rep.Duration)
	return rep, nil
}

// dropUnlisted removes the stored relationships of a reported customer whose
// follower is a follow user that did not list the customer: batch/get_by_user
// returned every customer of that user, so the relationship has ended.
// Followers outside the follow-user list (e.g. no longer allowed customer
// contact) are left alone, as are relationships with calls still queued or
// changed since opts.Since (the worker will find out, and the next sync
// will clean up).
func (s *Syncer) dropUnlisted(obs *store.Observation, isFollowUser map[string]bool, opts store.ReconcileOptions) (int, error) {
	c, err := s.st.Customer(obs.Customer.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range c.Followers {
		if !isFollowUser[f] || slices.ContainsFunc(obs.Follows, func(o store.ObservedFollow) bool { return o.Follower == f }) {
			continue
		}
		if busy, err := s.busy(c.ID, f, opts.Since); err != nil || busy {
			if err != nil {
				return n, err
			}
			continue
		}
		o := opts
		o.Reason = "全量同步：企业微信上已没有这段客户关系"
		cs, err := s.st.RemoveRelationship(c.ID, f, o)
		if err != nil {
			return n, err
		}
		if cs != nil {
			n++
		}
	}
	return n, nil
}

// busy reports whether a relationship has calls queued or a change-set
// from since on, so a reading of WeCom may predate the ledger.
func (s *Syncer) busy(customer, follower string, since store.ID) (bool, error) {
	if pending, err := s.st.HasPendingOutbox(customer, follower); err != nil || pending {
		return pending, err
	}
	hist, err := s.st.History(store.Query{Customer: customer, Follower: follower, Limit: 1, IncludeDenied: true})
	if err != nil {
		return false, err
	}
	return len(hist) > 0 && hist[0].ID >= since, nil
}

// collector merges batch/get_by_user entries (one per customer and follow
// user) into one observation per customer, in the order first seen.
type collector struct {
	byID    map[string]*store.Observation
	order   []string
	follows int
}

func (c *collector) add(ct wecom.Contact) error {
	if c.byID == nil {
		c.byID = map[string]*store.Observation{}
	}
	obs, ok := c.byID[ct.ExternalUserID]
	if !ok {
		o := observation(ct, false)
		o.Follows = nil
		obs = &o
		c.byID[ct.ExternalUserID] = obs
		c.order = append(c.order, ct.ExternalUserID)
	}
	for _, f := range ct.Follows {
		of := observedFollow(f)
		if i := slices.IndexFunc(obs.Follows, func(o store.ObservedFollow) bool { return o.Follower == of.Follower }); i >= 0 {
			obs.Follows[i] = of
			continue
		}
		obs.Follows = append(obs.Follows, of)
		c.follows++
	}
	return nil
}
