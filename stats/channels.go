package stats

import (
	"fmt"
	"strings"
	"time"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// Channels is /stats channels: the customers each channel QR code
// brought (relationships whose state is the channel's, as WeCom reports
// it; package channel).
type Channels struct {
	Rows []ChannelRow
}

// ChannelRow is one channel.
type ChannelRow struct {
	Name      string
	Tags      []store.TagRef // the tags the channel gives (commands leaves out hidden groups')
	Customers int
	Last      time.Time // when the newest customer came; zero if none
}

// Channels counts each channel's customers within sc.
func (s *Stats) Channels(sc Scope) (*Channels, error) {
	chs, err := s.Store.Channels()
	if err != nil {
		return nil, fmt.Errorf("stats channels: %w", err)
	}
	out := &Channels{}
	for _, ch := range chs {
		n, err := s.Store.ChannelCount(ch.State, sc.Follower)
		if err != nil {
			return nil, fmt.Errorf("stats channel %s: %w", ch.Name, err)
		}
		out.Rows = append(out.Rows, ChannelRow{Name: ch.Name, Tags: ch.Tags, Customers: n.Customers, Last: n.Last})
	}
	return out, nil
}

// renderChannels writes the channels, in name order.
func renderChannels(c *Channels, loc *time.Location) string {
	if c == nil || len(c.Rows) == 0 {
		return ChannelsText
	}
	lines := []string{"各渠道二维码带来的客户："}
	for _, r := range c.Rows {
		tags := make([]string, len(r.Tags))
		for i, t := range r.Tags {
			tags[i] = display.Name(t.Name)
		}
		tagged := "（没有标签）"
		if len(tags) > 0 {
			tagged = "（标签 " + strings.Join(tags, "、") + "）"
		}
		last := ""
		if r.Customers > 0 {
			last = "，最近 " + r.Last.In(loc).Format("01-02 15:04")
		}
		lines = append(lines, fmt.Sprintf("%s：%d 位%s%s", display.Name(r.Name), r.Customers, last, tagged))
	}
	return strings.Join(lines, "\n")
}
