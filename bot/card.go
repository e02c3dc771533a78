package bot

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/wecom"
)

// maxHorizontalLines is how many Lines become horizontal_content_list items
// (the documented maximum is 6); longer cards use sub_title_text.
const maxHorizontalLines = 6

// TemplateCard converts a Card to a WeCom button_interaction template card:
// task_id, main_title {title, desc}, buttons {key, text}, and the Lines as
// horizontal_content_list items when every line is "name：value" (or
// "name: value") and there are at most six, else as sub_title_text.
func TemplateCard(c commands.Card) wecom.TemplateCard {
	tc := wecom.TemplateCard{
		CardType:  wecom.CardTypeButtonInteraction,
		TaskID:    c.TaskID,
		MainTitle: wecom.CardTitle{Title: c.Title, Desc: c.Desc},
	}
	if items, ok := horizontal(c.Lines); ok {
		tc.HorizontalContentList = items
	} else if len(c.Lines) > 0 {
		tc.SubTitleText = strings.Join(c.Lines, "\n")
	}
	for _, b := range c.Buttons {
		tc.ButtonList = append(tc.ButtonList, wecom.CardButton{Key: b.Key, Text: b.Text})
	}
	return tc
}

// horizontal turns "name：value" lines into horizontal content items.
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
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || value == "" {
			return nil, false
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
	for _, s := range []string{c.Title, c.Desc} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	parts = append(parts, c.Lines...)
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
