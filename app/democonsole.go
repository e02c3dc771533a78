package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// demoConsoleHelp explains the /wecom lines of the demo.
const demoConsoleHelp = `（/wecom 模拟在企业微信里直接操作，tagbot 通过回调得知：
  /wecom deltag <标签>            管理员在企业微信后台删除一个标签
  /wecom tag <客户> +标签 -标签   你在企业微信客户端里改客户标签
  /wecom scan <渠道名> <新客户名> 一位新客户扫了渠道二维码（先用 /qr 创建渠道）`

// console handles `/wecom …`: changes made on the WeCom side, not through
// tagbot, followed by the callback WeCom would send.
func (d *DemoBot) console(ctx context.Context, args []string) (string, error) {
	if len(args) == 0 {
		return demoConsoleHelp, nil
	}
	switch args[0] {
	case "deltag":
		if len(args) != 2 {
			return demoConsoleHelp, nil
		}
		return d.consoleDeleteTag(ctx, args[1])
	case "tag":
		if len(args) < 3 {
			return demoConsoleHelp, nil
		}
		return d.consoleTag(ctx, args[1], args[2:])
	case "scan":
		if len(args) != 3 {
			return demoConsoleHelp, nil
		}
		return d.consoleScan(ctx, args[1], args[2]) // demoqrtrig.go
	}
	return demoConsoleHelp, nil
}

// fakeTagID finds a live tag of the fake WeCom by name.
func (d *DemoBot) fakeTagID(name string) string {
	for _, g := range d.Fake.TagGroups() {
		for _, t := range g.Tags {
			if t.Name == name {
				return t.ID
			}
		}
	}
	return ""
}

func (d *DemoBot) consoleDeleteTag(ctx context.Context, name string) (string, error) {
	id := d.fakeTagID(name)
	if id == "" {
		return fmt.Sprintf("（企业微信里没有标签「%s」）", display.Name(name)), nil
	}
	d.Fake.DeleteTag(id)
	shown, err := d.deliver(ctx, d.Fake.CallbackEvent("sys", map[string]string{
		"Event": "change_external_tag", "ChangeType": "delete", "TagType": "tag", "Id": id,
	}))
	if err != nil {
		return "", err
	}
	removed, err := d.Main.Store.History(store.Query{Batch: "tagdel-" + id, Limit: 1000})
	if err != nil {
		return "", err
	}
	ref := name // /restore takes the id when the name as shown cannot be typed back
	if display.Name(name) != name {
		ref = id
	}
	note := fmt.Sprintf("（企业微信后台删除了标签「%s」，%d 处客户标签随之消失；tagbot 已记入历史。管理员可以 /restore tag %s）",
		display.Name(name), len(removed), display.Name(ref))
	return strings.TrimSpace(shown + "\n" + note), nil
}

func (d *DemoBot) consoleTag(ctx context.Context, customer string, changes []string) (string, error) {
	found, err := d.Main.Store.FindCustomers(customer, 10)
	if err != nil {
		return "", err
	}
	switch {
	case len(found) == 0:
		return fmt.Sprintf("（企业微信里没有客户「%s」。请写姓名、备注、手机号或 external_userid）", display.Echo(customer)), nil
	case len(found) > 1:
		return fmt.Sprintf("（找到 %d 位「%s」，请写得更准确，例如备注或手机号）", len(found), display.Echo(customer)), nil
	}
	ext := found[0].ID
	if !slices.Contains(found[0].Followers, d.User) {
		return fmt.Sprintf("（%s 不是 %s 的客户，企业微信客户端里改不了）", display.Name(found[0].Name), d.User), nil
	}
	tags := d.Fake.CustomerTags(ext, d.User)
	for _, c := range changes {
		name := strings.TrimLeft(c, "+-＋－")
		id := d.fakeTagID(name)
		if id == "" {
			return fmt.Sprintf("（企业微信里没有标签「%s」）", display.Name(name)), nil
		}
		tags = slices.DeleteFunc(tags, func(t string) bool { return t == id })
		if !strings.HasPrefix(c, "-") && !strings.HasPrefix(c, "－") {
			tags = append(tags, id)
		}
	}
	d.Fake.SetCustomerTags(ext, d.User, tags)
	shown, err := d.deliver(ctx, d.Fake.CallbackEvent("sys", map[string]string{
		"Event": "change_external_contact", "ChangeType": "edit_external_contact",
		"UserID": d.User, "ExternalUserID": ext,
	}))
	if err != nil {
		return "", err
	}
	h, err := d.Main.Store.History(store.Query{Customer: ext, Limit: 1})
	if err != nil {
		return "", err
	}
	note := fmt.Sprintf("（你在企业微信客户端改了 %s 的标签）", display.Name(found[0].Name))
	if len(h) == 1 && h[0].Source == store.SourceWeComUI {
		note = fmt.Sprintf("（你在企业微信客户端改了 %s 的标签；tagbot 已记入历史 #%d，来源 wecom-ui）", display.Name(found[0].Name), h[0].ID)
	}
	return strings.TrimSpace(shown + "\n" + note), nil
}
