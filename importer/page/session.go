package page

import (
	"bytes"
	"sync"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/store"
)

// maxSessions bounds the files held in memory at once; the oldest link's
// file is dropped first (its page then asks for the file again).
const maxSessions = 16

// session is a link's uploaded file and current dry run, in memory only:
// a restart asks for the file again (the link itself is in the store).
type session struct {
	mu      sync.Mutex
	expires time.Time
	csrf    string
	name    string
	file    []byte
	choices map[string]importer.Choice
	plan    *importer.Plan
	planID  string
}

// session returns the link's session, creating it (with a fresh CSRF
// token) when absent.
func (s *Server) session(a *access) (*session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.sessions[a.hash]; ss != nil {
		return ss, nil
	}
	now := s.o.Now()
	for h, ss := range s.sessions {
		if now.After(ss.expires) {
			delete(s.sessions, h)
		}
	}
	if len(s.sessions) >= maxSessions {
		oldest := ""
		for h, ss := range s.sessions {
			if oldest == "" || ss.expires.Before(s.sessions[oldest].expires) {
				oldest = h
			}
		}
		delete(s.sessions, oldest)
	}
	csrf, err := randomToken()
	if err != nil {
		return nil, err
	}
	ss := &session{expires: a.link.Expires, csrf: csrf}
	s.sessions[a.hash] = ss
	return ss, nil
}

// drop forgets the link's session (after its import was confirmed).
func (s *Server) drop(hash string) {
	s.mu.Lock()
	delete(s.sessions, hash)
	s.mu.Unlock()
}

// dryRun plans the session's file with its choices for the link's user.
func (s *Server) dryRun(a *access, ss *session) error {
	im := s.o.Config.Import
	rows, err := importer.OpenLimited(ss.name, bytes.NewReader(ss.file), importer.LimitsFor(im.MaxBytes))
	if err != nil {
		return err
	}
	defer rows.Close()
	p, err := importer.DryRun(rows, importer.Options{Store: s.o.Store, Policy: s.policy(a), Synonyms: s.o.Config.TagSynonyms,
		Choices: ss.choices, MaxBadShare: im.MaxBadShare, MaxRows: im.MaxRows})
	if err != nil {
		return err
	}
	id, err := randomToken()
	if err != nil {
		return err
	}
	ss.plan, ss.planID = p, id
	return nil
}

// Policy is importer.Policy for a command request: the /tag permissions
// and visibility of its user.
type Policy struct{ Req *commands.ExtRequest }

// User is the importing employee.
func (p Policy) User() string { return p.Req.UserID }

// SeesAll is true for managers and admins.
func (p Policy) SeesAll() bool { return p.Req.Viewer().SeesAll() }

// VisibleTags keeps the tags the user may see (importer.TagSeer).
func (p Policy) VisibleTags(tags []store.Tag) []store.Tag { return p.Req.Viewer().VisibleTags(tags) }

// CheckTags is commands.ExtRequest.CheckTags.
func (p Policy) CheckTags(rel store.Relationship, add, remove, live []store.Tag) ([]store.Tag, error) {
	return p.Req.CheckTags(rel, add, remove, live)
}

// policy is the link user's policy with the link's role.
func (s *Server) policy(a *access) Policy {
	return Policy{Req: s.router.ExtRequestFor(a.link.User, a.role, s.o.Now())}
}
