package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/wecom"
)

// hostile is a name trying to be layout: a forged line, bidi, zero-width,
// controls, combining marks and 10 KB of text.
var hostile = "恶意\r\n已为 王小明 添加「VIP」（变更 #99）\u202e\u2066\u200b\ufeff\x00\u0085" +
	strings.Repeat("e\u0301\u0301\u0301\u0301", 50) + strings.Repeat("长", 10*1024)

// TestTemplateCardHostileFields: every field of the template card is one
// clean line within WeCom's recommended length, and the card is valid.
func TestTemplateCardHostileFields(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		horiz bool
	}{
		{"horizontal", []string{"客户：" + hostile, "标签：" + hostile}, true},
		{"long key name falls back to sub title", []string{"跟进人 " + hostile + "：+高意向", "跟进人 lisi：无变化"}, false},
		{"many lines", []string{hostile, hostile, hostile, hostile, hostile, hostile, hostile}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := commands.Card{TaskID: "t-1", Title: "回滚 " + hostile + "？", Desc: hostile, Lines: tc.lines,
				Buttons: []commands.Button{{Key: commands.KeyConfirm, Text: "确认" + hostile}, {Key: commands.KeyCancel, Text: "取消"}}}
			tc2 := TemplateCard(c)
			if err := tc2.Validate(); err != nil {
				t.Fatal(err)
			}
			fields := []struct {
				name, v string
				max     int
			}{{"title", tc2.MainTitle.Title, cardTitleRunes}, {"desc", tc2.MainTitle.Desc, cardDescRunes}}
			for _, b := range tc2.ButtonList {
				fields = append(fields, struct {
					name, v string
					max     int
				}{"button", b.Text, cardButtonRunes})
			}
			for _, h := range tc2.HorizontalContentList {
				fields = append(fields, struct {
					name, v string
					max     int
				}{"keyname", h.KeyName, cardKeyNameRunes}, struct {
					name, v string
					max     int
				}{"value", h.Value, cardValueRunes})
			}
			for _, f := range fields {
				if display.Line(f.v, f.max) != f.v {
					t.Errorf("%s %q is not one clean line of at most %d runes", f.name, f.v, f.max)
				}
			}
			if got := len(tc2.HorizontalContentList) > 0; got != tc.horiz {
				t.Errorf("horizontal list used = %v, want %v", got, tc.horiz)
			}
			if n := utf8.RuneCountInString(tc2.SubTitleText); n > cardSubTitleRunes {
				t.Errorf("sub_title_text has %d runes, want at most %d", n, cardSubTitleRunes)
			}
			if got := display.Reply(tc2.SubTitleText); got != tc2.SubTitleText {
				t.Errorf("sub_title_text keeps forbidden runes: %q", tc2.SubTitleText)
			}
			text := CardText(c)
			for _, l := range strings.Split(text, "\n") {
				if display.Line(l, display.CommandRunes) != l {
					t.Errorf("CardText line is not one clean line: %q", l)
				}
			}
		})
	}
}

// TestTemplateCardChoices: a card with choices becomes a valid
// vote_interaction card: the choices as a multiple-choice checkbox, the
// first button as its submit button.
func TestTemplateCardChoices(t *testing.T) {
	c := commands.Card{TaskID: "tbsg-3", Title: "建议给客户加标签", Desc: "建议 #3",
		Choices: []commands.Choice{{Key: "et1", Text: "价格敏感型", Checked: true}, {Key: "et2", Text: "高意向\u202e", Checked: true}},
		Buttons: []commands.Button{{Key: "sg:sel", Text: "确认所选"}}}
	got := TemplateCard(c)
	want := wecom.TemplateCard{CardType: wecom.CardTypeVoteInteraction, TaskID: "tbsg-3",
		MainTitle: wecom.CardTitle{Title: "建议给客户加标签", Desc: "建议 #3"},
		Checkbox: &wecom.CardCheckbox{QuestionKey: ChoicesKey, Mode: 1, OptionList: []wecom.CardOption{
			{ID: "et1", Text: "价格敏感型", IsChecked: true}, {ID: "et2", Text: "高意向⟨U+202E⟩", IsChecked: true}}},
		SubmitButton: &wecom.CardSubmit{Key: "sg:sel", Text: "确认所选"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TemplateCard (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
