package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// consoleScan is `/wecom scan <渠道名> <新客户名>`: a new customer scans
// the channel's QR code on the fake WeCom, which sends the
// add_external_contact callback with the channel's State and a
// WelcomeCode; the demo shows the welcome text the customer got and the
// tags tagbot gave them.
func (d *DemoBot) consoleScan(ctx context.Context, channelName, customerName string) (string, error) {
	ch, err := d.Main.Store.Channel(channelName)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Sprintf("（没有渠道「%s」。先用主管身份创建：/as lisi，然后 /qr %s +标签）", display.Name(channelName), display.Name(channelName)), nil
	}
	if err != nil {
		return "", err
	}
	d.seq++
	id := fmt.Sprintf("wmScan%04d", d.seq)
	welcomes := len(d.Fake.Welcomes())
	xml, err := d.Fake.ScanContactWay(ch.ConfigID, id, customerName)
	if err != nil {
		return "", err
	}
	shown, err := d.deliver(ctx, xml)
	if err != nil {
		return "", err
	}
	lines := []string{fmt.Sprintf("（新客户 %s 扫了渠道「%s」的二维码，添加了 %s）", display.Name(customerName), display.Name(ch.Name), display.Name(ch.Followers[0]))}
	for _, w := range d.Fake.Welcomes()[welcomes:] {
		lines = append(lines, fmt.Sprintf("（客户收到欢迎语：%s）", display.Line(w.Text, 200)))
	}
	rel, err := d.Main.Store.Relationship(id, ch.Followers[0])
	if err == nil {
		var names []string
		for _, tid := range rel.TagIDs() {
			if t, err := d.Main.Store.Tag(tid); err == nil {
				names = append(names, display.Name(t.Name))
			}
		}
		lines = append(lines, fmt.Sprintf("（tagbot 给 %s 打上了：%s；/history %s 可见来源 channel）", display.Name(customerName), strings.Join(names, "、"), id))
	}
	return strings.TrimSpace(shown + "\n" + strings.Join(lines, "\n")), nil
}
