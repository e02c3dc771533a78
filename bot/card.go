package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/wecom"
)

// maxHorizontalLines is how many Lines become horizontal_content_list items
// (the documented maximum is 6); longer cards use sub_title_text.
const maxHorizontalLines = 6

// Recommended lengths, in characters, of template card fields (see
// display.CardTitleRunes). Longer text is cut with "…" by display.Line,
// so a long name cannot break the card's layout.
const (
	cardTitleRunes    = display.CardTitleRunes
	cardDescRunes     = display.CardDescRunes
	cardSubTitleRunes = display.CardSubTitleRunes
	cardKeyNameRunes  = display.CardKeyNameRunes
	cardValueRunes    = display.CardValueRunes
	cardButtonRunes   = display.CardButtonRunes
)

// TemplateCard converts a Card to a WeCom button_interaction template card:
// task_id, main_title {title, desc}, buttons {key, text}, and the Lines as
// horizontal_content_list items when every line is "name：value" (or
// "name: value") and there are at most six, else as sub_title_text.
//
// A card with Choices becomes a vote_interaction card instead: the
// choices as a multiple-choice checkbox (question key "choices") and
// Buttons[0] as its submit button; that card type has no room for Lines.
func TemplateCard(c commands.Card) wecom.TemplateCard {
	if len(c.Choices) > 0 {
		return voteCard(c)
	}
	tc := wecom.TemplateCard{
		CardType: wecom.CardTypeButtonInteraction,
		TaskID:   c.TaskID,
		MainTitle: wecom.CardTitle{
			Title: display.Line(c.Title, cardTitleRunes),
			Desc:  display.Line(c.Desc, cardDescRunes),
		},
	}
	if items, ok := horizontal(c.Lines); ok {
		tc.HorizontalContentList = items
	} else if len(c.Lines) > 0 {
		tc.SubTitleText = subTitle(c.Lines)
	}
	for _, b := range c.Buttons {
		tc.ButtonList = append(tc.ButtonList, wecom.CardButton{Key: b.Key, Text: display.Line(b.Text, cardButtonRunes)})
	}
	return tc
}

// ChoicesKey is the question_key of checkbox cards.
const ChoicesKey = "choices"

// voteCard converts a Card with Choices to a vote_interaction card.
func voteCard(c commands.Card) wecom.TemplateCard {
	tc := wecom.TemplateCard{
		CardType: wecom.CardTypeVoteInteraction,
		TaskID:   c.TaskID,
		MainTitle: wecom.CardTitle{
			Title: display.Line(c.Title, cardTitleRunes),
			Desc:  display.Line(c.Desc, cardDescRunes),
		},
		Checkbox: &wecom.CardCheckbox{QuestionKey: ChoicesKey, Mode: 1},
	}
	for _, ch := range c.Choices {
		tc.Checkbox.OptionList = append(tc.Checkbox.OptionList,
			wecom.CardOption{ID: ch.Key, Text: display.Line(ch.Text, cardValueRunes), IsChecked: ch.Checked})
	}
	if len(c.Buttons) > 0 {
		tc.SubmitButton = &wecom.CardSubmit{Key: c.Buttons[0].Key, Text: display.Line(c.Buttons[0].Text, cardButtonRunes)}
	}
	return tc
}

// subTitle joins lines, each cleaned to one line, and cuts the text at
// cardSubTitleRunes (the last line that does not fit ends in "…").
func subTitle(lines []string) string {
	var out []string
	left := cardSubTitleRunes
	for _, l := range lines {
		l = display.Line(l, left)
		if l == "" {
			continue
		}
		out = append(out, l)
		left -= utf8.RuneCountInString(l) + 1 // the newline counts
		if left < 2 || strings.HasSuffix(l, display.Ellipsis) {
			break
		}
	}
	return strings.Join(out, "\n")
}

// horizontal turns "name：value" lines into horizontal content items, when
// every name fits cardKeyNameRunes (values are cut at cardValueRunes).
func horizontal(lines []string) ([]wecom.HorizontalContent, bool) {
	if len(lines) == 0 || len(lines) > maxHorizontalLines {
		return nil, false
	}
	items := make([]wecom.HorizontalContent, 0, len(lines))
	for _, l := range lines {
		name, value, ok := strings.Cut(l, "：")
		if !ok {
			name, value, ok = strings.Cut(l, ": ")
		}
		name, value = display.Line(name, 0x7fffffff), display.Line(value, cardValueRunes)
		if !ok || name == "" || value == "" || utf8.RuneCountInString(name) > cardKeyNameRunes {
			return nil, false // a long key name would be cut: use sub_title_text
		}
		items = append(items, wecom.HorizontalContent{KeyName: name, Value: value})
	}
	return items, true
}

// CardText renders a card's title, description and lines as plain text,
// for when it cannot be sent as a template card (invalid task id, no
// buttons, …); buttons are left out since text cannot be clicked.
func CardText(c commands.Card) string {
	var parts []string
	for _, s := range append([]string{c.Title, c.Desc}, c.Lines...) {
		if s = display.Line(s, display.CommandRunes); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// cardOrText returns the template card for c, or its text rendering and the
// reason when WeCom would reject the card.
func cardOrText(c commands.Card) (*wecom.TemplateCard, string, error) {
	tc := TemplateCard(c)
	if err := tc.Validate(); err != nil {
		return nil, CardText(c), fmt.Errorf("card %q: %w", c.TaskID, err)
	}
	return &tc, "", nil
}
