package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/config"
)

// ClassifyHelp is the help of `tagbot classify`.
const ClassifyHelp = `tagbot [-config config.yaml] classify < chats.jsonl > tags.jsonl

Runs config.yaml's rules (rules: and rule_packs:) over JSONL on stdin, one
object a line, without WeCom and without the store:
  {"id": 1, "text": "这个多少钱"}
  {"id": "c2", "messages": [{"text": "色号有吗", "from": "customer", "time": "2026-03-01T10:00:00+08:00"}, …]}
and writes one line for each to stdout:
  {"id": 1, "tags": ["价格敏感型"], "rules": ["价格咨询"]}
For "messages", every message is classified in turn and the results are
merged; count() counts over that object's messages up to the one being
classified, events() is 0 and customer facts are empty. "from" defaults to
customer, "time" (RFC 3339 or unix seconds) to now. Rule tags are not
checked against the tag library (there is no store here; serve checks them).
A bad line is reported on stderr with its number and skipped; the exit code
is then 1 (0 when every line was read, 2 for a bad config).
`

// cliMessage is one message of an input line.
type cliMessage struct {
	Text string          `json:"text"`
	From string          `json:"from"`
	Time json.RawMessage `json:"time"`
}

// cliLine is one input line.
type cliLine struct {
	ID       json.RawMessage `json:"id"`
	Text     *string         `json:"text"`
	Messages []cliMessage    `json:"messages"`
}

// cliResult is one output line.
type cliResult struct {
	ID    json.RawMessage `json:"id"`
	Tags  []string        `json:"tags"`
	Rules []string        `json:"rules"`
}

// ClassifyCLI runs `tagbot classify`: JSONL in, JSONL out (ClassifyHelp).
// now is the time of messages without one (time.Now when nil).
func ClassifyCLI(configPath string, in io.Reader, out, errw io.Writer, now func() time.Time) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	if now == nil {
		now = time.Now
	}
	set, err := classify.Compile(cfg.RuleSet().All(), nil)
	if err != nil {
		return UsageError{err}
	}
	logger := slog.New(slog.NewTextHandler(errw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng := classify.NewEngine(set, classify.EngineOptions{Zone: config.ChinaZone, Logger: logger})
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	bad, n := 0, 0
	for sc.Scan() {
		n++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		res, err := classifyLine(eng, sc.Bytes(), now)
		if err == nil {
			err = enc.Encode(res)
		}
		if err != nil {
			bad++
			fmt.Fprintf(errw, "line %d: %v\n", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin at line %d: %w", n+1, err)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d lines could not be classified", bad, n)
	}
	return nil
}

// classifyLine parses one line, classifies its messages and merges the
// matches: tags and rules, best first, each once.
func classifyLine(eng *classify.Engine, line []byte, now func() time.Time) (cliResult, error) {
	msgs, id, err := parseLine(line, now)
	if err != nil {
		return cliResult{}, err
	}
	res := cliResult{ID: id, Tags: []string{}, Rules: []string{}}
	for i := range msgs {
		f := &classify.SliceFacts{Messages: msgs[:i+1], At: msgs[i].Time}
		ms, err := eng.Classify(context.Background(), classify.Input{Message: &msgs[i]}, f)
		if err != nil {
			return cliResult{}, err
		}
		for _, m := range ms {
			if !slices.Contains(res.Rules, m.Rule) {
				res.Rules = append(res.Rules, m.Rule)
			}
			for _, t := range m.Tags {
				if !slices.Contains(res.Tags, t) {
					res.Tags = append(res.Tags, t)
				}
			}
		}
	}
	return res, nil
}

// parseLine decodes a line into messages.
func parseLine(line []byte, now func() time.Time) ([]classify.Message, json.RawMessage, error) {
	var l cliLine
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, nil, fmt.Errorf("bad JSON: %w", err)
	}
	if len(l.ID) == 0 {
		return nil, nil, errors.New(`missing "id"`)
	}
	if (l.Text == nil) == (l.Messages == nil) {
		return nil, nil, errors.New(`want exactly one of "text" and "messages"`)
	}
	if l.Text != nil {
		l.Messages = []cliMessage{{Text: *l.Text}}
	}
	out := make([]classify.Message, len(l.Messages))
	for i, m := range l.Messages {
		t, err := parseTime(m.Time, now)
		if err != nil {
			return nil, nil, fmt.Errorf("messages[%d].time: %w", i, err)
		}
		from := m.From
		switch from {
		case "":
			from = classify.FromCustomer
		case classify.FromCustomer, classify.FromEmployee:
		default:
			return nil, nil, fmt.Errorf("messages[%d].from: want customer or employee, got %q", i, from)
		}
		out[i] = classify.Message{From: from, Text: m.Text, Time: t}
	}
	return out, l.ID, nil
}

// parseTime reads RFC 3339 or unix seconds; absent is now.
func parseTime(raw json.RawMessage, now func() time.Time) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return now(), nil
	}
	var secs int64
	if err := json.Unmarshal(raw, &secs); err == nil {
		return time.Unix(secs, 0), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, errors.New("want RFC 3339 or unix seconds")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("want RFC 3339 or unix seconds")
	}
	return t, nil
}
