package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// inject handles `~客户名: 文本` and `~客户名 !type key=value …`: a message
// or an event of a customer you follow, submitted to the intake as the
// demo's source with you as the employee; the rules' suggestions then
// arrive as cards.
func (d *DemoBot) inject(ctx context.Context, line string) (string, error) {
	in, err := parseInjection(line)
	if err != nil {
		return err.Error(), nil
	}
	found, err := d.Main.Store.FindCustomers(in.Customer, 10)
	if err != nil {
		return "", err
	}
	var mine []store.Customer
	for _, c := range found {
		if slices.Contains(c.Followers, d.User) {
			mine = append(mine, c)
		}
	}
	switch {
	case len(mine) == 0:
		return fmt.Sprintf("（你跟进的客户里没有「%s」。请写姓名、备注或手机号）", display.Echo(in.Customer)), nil
	case len(mine) > 1:
		return fmt.Sprintf("（「%s」对应 %d 位客户，请写备注或手机号）", display.Echo(in.Customer), len(mine)), nil
	}
	now := d.now()
	var msgs []classify.Message
	var events []classify.Event
	what := "发来消息"
	if in.EventType == "" {
		msgs = []classify.Message{{Customer: mine[0].ID, Employee: d.User, From: classify.FromCustomer, Text: in.Text, Time: now}}
	} else {
		events = []classify.Event{{Customer: mine[0].ID, Employee: d.User, Type: in.EventType, Time: now, Attrs: in.Attrs}}
		what = "有行为 " + display.Name(in.EventType)
	}
	if _, _, err := d.Main.Intake.SubmitFrom(ctx, store.ActivityDemo, msgs, events); err != nil {
		return fmt.Sprintf("（没有提交：%s）", display.Line(err.Error(), display.CommandRunes)), nil
	}
	if _, err := d.settle(ctx); err != nil {
		return "", err
	}
	shown := d.render()
	if shown == "" {
		shown = "（没有新的建议：没有规则匹配，或同样的建议已发过、已忽略、标签已经有了）"
	}
	return fmt.Sprintf("（客户 %s %s）\n%s", display.Name(mine[0].Name), what, shown), nil
}

// submitChoices submits the current user's last card, a checkbox card,
// with the options numbered in nums ticked ("0" alone: none), as a real
// encrypted template_card_event with SelectedItems.
func (d *DemoBot) submitChoices(ctx context.Context, nums []string) (string, error) {
	card := d.cards[d.User]
	usage := fmt.Sprintf("（勾选卡片上的编号再提交，例如 /click 1 2；/click 0 一个都不勾。共 %d 项）", len(card.Choices))
	if len(nums) == 0 || len(card.Buttons) == 0 {
		return usage, nil
	}
	var ids []string
	for _, s := range nums {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 0 || n > len(card.Choices) || (n == 0 && len(nums) > 1):
			return usage, nil
		case n > 0 && !slices.Contains(ids, card.Choices[n-1].ID):
			ids = append(ids, card.Choices[n-1].ID)
		}
	}
	xml := d.Fake.CallbackCardSubmit(d.User, card.TaskID, card.Buttons[0].Key, card.ResponseCode, card.QuestionKey, ids)
	return d.deliver(ctx, xml)
}
