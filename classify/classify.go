// Package classify turns what customers say and do into suggested tags:
// keyword rules (one Aho-Corasick automaton over every rule's words), expr
// conditions over the message, the event, the customer and counts over
// windows, and an optional LLM for messages no rule matched. It decides
// nothing: a Match is a suggestion that the follower confirms (or, for an
// admin's `mode: auto` rule, that is applied and recorded with its
// evidence). It reads no store and calls no WeCom API; what a rule needs
// beyond the input comes through Facts. 把客户的话和行为变成建议标签。
package classify

import (
	"context"
	"time"
)

// Who wrote a message (Message.From).
const (
	FromCustomer = "customer"
	FromEmployee = "employee"
)

// Message is one message of a conversation between a customer and an
// employee, as /api/v1/messages, 微信客服 or /classify deliver it.
type Message struct {
	ID       string    `json:"id,omitempty"`       // idempotency key of the source, if any
	Customer string    `json:"customer"`           // external_userid
	Employee string    `json:"employee,omitempty"` // userid of the employee in the conversation
	From     string    `json:"from"`               // FromCustomer or FromEmployee
	Text     string    `json:"text"`
	Time     time.Time `json:"time"`
}

// Event is a behaviour event of a customer (coupon_claim, doc_view,
// order, …) with free-form attributes (delay_seconds, product, amount, …).
type Event struct {
	ID       string         `json:"id,omitempty"`
	Customer string         `json:"customer"`
	Employee string         `json:"employee,omitempty"`
	Type     string         `json:"type"`
	Time     time.Time      `json:"time"`
	Attrs    map[string]any `json:"attrs,omitempty"`
}

// Input is what one classification looks at: exactly one of Message and
// Event is set.
type Input struct {
	Message *Message
	Event   *Event
}

// Time is the input's time (the message's or the event's).
func (in Input) Time() time.Time {
	if in.Message != nil {
		return in.Message.Time
	}
	if in.Event != nil {
		return in.Event.Time
	}
	return time.Time{}
}

// CustomerFacts is what rules know about the customer and the relationship
// with the follower the suggestion is for.
type CustomerFacts struct {
	ID    string    // external_userid
	Name  string    // WeChat name
	Added time.Time // when the follower added the customer
	State string    // channel (state) the customer came through, "" if none
	Tags  []string  // names of the tags on the relationship now
}

// Facts answers what a rule's condition asks beyond the input itself. The
// caller (the classification worker) implements it over the store, for one
// customer, follower and input.
type Facts interface {
	// Customer is the customer and the relationship with the follower.
	Customer() CustomerFacts
	// Count is how many messages the customer wrote within window before
	// the input's time whose normalised text contains the normalised word,
	// the input itself included (it is stored before it is classified).
	Count(word string, window time.Duration) (int, error)
	// Events is how many events of type the customer had within window
	// before the input's time, the input itself included.
	Events(eventType string, window time.Duration) (int, error)
	// Recent is the conversation before and including the input, oldest
	// first, at most limit messages (context for the LLM).
	Recent(limit int) ([]Message, error)
}

// Mode says what happens to a rule's match.
type Mode string

// Modes of a rule.
const (
	ModeSuggest Mode = "suggest" // the follower confirms (the default)
	ModeAuto    Mode = "auto"    // applied without asking (admins' rules only)
)

// Sources of a match (they become the change-set's store.Source).
const (
	SourceRule = "rule"
	SourceLLM  = "llm"
)

// Evidence is why a match was made: the words that matched and the part of
// the message around them (or a description of the event).
type Evidence struct {
	Words   []string `json:"words,omitempty"`
	Snippet string   `json:"snippet,omitempty"`
	// Reason is the LLM's short explanation of an llm match (model text,
	// which a customer's words may have steered: show it as the model's).
	Reason string `json:"reason,omitempty"`
}

// Match is one suggestion of a classification: the tags (by name, each in
// the tag library) a rule or the LLM proposes, and why.
type Match struct {
	Source   string   `json:"source"` // SourceRule or SourceLLM
	Rule     string   `json:"rule"`   // rule name; "llm" for the LLM
	Tags     []string `json:"tags"`
	Mode     Mode     `json:"mode"`
	Priority int      `json:"priority,omitempty"`
	Score    float64  `json:"score"` // 0..1; rules score 1 unless they say otherwise
	Evidence Evidence `json:"evidence"`
	// Verify is set for a rule marked `llm: verify`: the LLM must agree
	// before the match is suggested (when no LLM is configured, it stands).
	Verify bool `json:"verify,omitempty"`
}

// Classifier classifies one input into matches, best first. The rule engine
// (Engine) and the LLM assist implement it; nil or empty means no
// suggestion.
type Classifier interface {
	Classify(ctx context.Context, in Input, facts Facts) ([]Match, error)
}

// Offer is the outcome of classifying one received input for one follower:
// the matches to suggest to (or, in auto mode, apply for) that follower.
type Offer struct {
	// Ref identifies the received input in the store (stable across
	// retries of the same input, e.g. "act:42"), so an Offerer can tell a
	// retry from a new input.
	Ref      string
	Input    Input
	Follower string // userid of the employee who follows the customer
	Matches  []Match
}

// Offerer turns offers into suggestions: it drops what is already pending,
// already true or recently rejected, stores the rest durably and sends the
// follower a card (or applies auto matches). The classification worker calls
// it; package suggestion implements it.
type Offerer interface {
	Offer(ctx context.Context, o Offer) error
}
