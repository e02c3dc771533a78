package channel

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// Commands is /qr (渠道码), for managers and admins.
func (s *Service) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{{
		Name: "qr", Aliases: []string{"渠道码", "渠道"},
		Usage:   `/qr [<渠道名> +标签… [@跟进人…] [welcome "欢迎语"] | del <渠道名>]`,
		Summary: "渠道二维码：扫码添加的客户自动打标签",
		Help: "/qr 列出渠道二维码和各自带来的客户数；\n" +
			`/qr 618活动 +618意向用户 @zhangsan welcome "欢迎！" 创建一个二维码（企业微信「联系我」），扫码添加 zhangsan 的客户自动打上 618意向用户，并收到欢迎语；` + "\n" +
			"不写 @跟进人 时跟进人是你自己；写多个 @ 时客户随机分配给其中一人。\n/qr del 618活动 删除二维码（已添加的客户和标签不变）。",
		MinRole: commands.RoleManager,
		Run:     s.run,
	}}
}

// run parses /qr and runs the action.
func (s *Service) run(ctx context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	q, err := parseArgs(req.Args)
	if err != nil {
		return nil, err
	}
	switch q.action {
	case actCreate:
		return s.create(ctx, req, q)
	case actDelete:
		return s.remove(ctx, q.name)
	default:
		return s.list(req.Viewer())
	}
}

// create makes the contact way on WeCom, then stores the channel.
func (s *Service) create(ctx context.Context, req *commands.ExtRequest, q request) ([]commands.Reply, error) {
	if _, err := s.opts.Store.Channel(q.name); err == nil {
		return nil, commands.UserErrorf(commands.CodeConflict, "渠道「%s」已经有了。发送 /qr 查看，或换个名字。", display.Name(q.name))
	}
	tags, err := s.resolveTags(req, q.tags)
	if err != nil {
		return nil, err
	}
	followers := q.followers
	if len(followers) == 0 {
		followers = []string{req.UserID}
	}
	ch := store.Channel{Name: q.name, State: StateOf(q.name), Followers: followers, Welcome: q.welcome,
		Creator: req.UserID, Created: s.opts.Now()}
	for _, t := range tags {
		ch.Tags = append(ch.Tags, t.Ref())
	}
	way, err := s.opts.API.AddContactWay(ctx, wecom.ContactWayRequest{Users: followers, State: ch.State, Remark: q.name}) // remark: ≤ 30 characters, as the name
	if err != nil {
		return nil, refused(err, "创建二维码")
	}
	ch.ConfigID, ch.QRCode = way.ConfigID, way.QRCode
	if err := s.opts.Store.PutChannel(ch); err != nil {
		if derr := s.opts.API.DelContactWay(ctx, way.ConfigID); derr != nil {
			s.log.Warn("contact way left on WeCom after a failed save", "config_id", way.ConfigID, "err", derr)
		}
		if errors.Is(err, store.ErrChannelExists) {
			return nil, commands.UserErrorf(commands.CodeConflict, "渠道「%s」已经有了。发送 /qr 查看，或换个名字。", display.Name(q.name))
		}
		return nil, fmt.Errorf("save channel: %w", err)
	}
	text := fmt.Sprintf("已创建渠道「%s」：扫码添加 %s 的客户会自动打上 %s%s。\n二维码：%s\n发送 /qr 查看各渠道带来的客户。",
		display.Name(q.name), names(followers), tagNames(ch.Tags), welcomeNote(q.welcome), way.QRCode)
	return []commands.Reply{{Text: text}}, nil
}

// resolveTags finds each named tag in the library and checks that the
// user may add them all (group policies of /tag).
func (s *Service) resolveTags(req *commands.ExtRequest, tagNames []string) ([]store.Tag, error) {
	var out []store.Tag
	for _, name := range tagNames {
		found, err := s.opts.Store.TagsByName(name)
		if err != nil {
			return nil, fmt.Errorf("tags named %q: %w", name, err)
		}
		found = req.Viewer().VisibleTags(found) // a hidden tag is one that does not exist
		switch len(found) {
		case 0:
			return nil, commands.UserErrorf(commands.CodeUnknownTag, "没有标签「%s」。发送 /groups 查看标签库。", display.Name(name))
		case 1:
			out = append(out, found[0])
		default:
			return nil, commands.UserErrorf(commands.CodeAmbiguous, "有 %d 个标签叫「%s」（在不同标签组里），渠道码暂不支持同名标签，请先改名。", len(found), display.Name(name))
		}
	}
	if err := s.checkGroups(out); err != nil {
		return nil, err
	}
	live, err := s.opts.Store.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("tag library: %w", err)
	}
	if _, err := req.CheckTags(store.Relationship{}, out, nil, live); err != nil {
		return nil, err
	}
	return out, nil
}

// checkGroups refuses channel tags that alone break a group policy: two
// tags of an exclusive group, or more tags of a group than its max.
func (s *Service) checkGroups(tags []store.Tag) error {
	byGroup := map[string][]string{}
	var order []string
	for _, t := range tags {
		if len(byGroup[t.GroupName]) == 0 {
			order = append(order, t.GroupName)
		}
		byGroup[t.GroupName] = append(byGroup[t.GroupName], display.Name(t.Name))
	}
	for _, g := range order {
		names := byGroup[g]
		switch max := s.opts.Max(g); {
		case s.opts.Exclusive(g) && len(names) > 1:
			return commands.UserErrorf(commands.CodeConflict, "标签组「%s」是互斥的，每位客户只能有一个，渠道却要打 %s。请只留一个再 /qr。",
				display.Name(g), strings.Join(names, "、"))
		case max > 0 && len(names) > max:
			return commands.UserErrorf(commands.CodeConflict, "标签组「%s」每位客户最多 %d 个，渠道却要打 %d 个（%s）。请去掉 %d 个再 /qr。",
				display.Name(g), max, len(names), strings.Join(names, "、"), len(names)-max)
		}
	}
	return nil
}

// remove deletes the contact way on WeCom, then the channel.
func (s *Service) remove(ctx context.Context, name string) ([]commands.Reply, error) {
	ch, err := s.opts.Store.Channel(name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, commands.UserErrorf(commands.CodeNotFound, "没有渠道「%s」。发送 /qr 查看渠道。", display.Name(name))
	}
	if err != nil {
		return nil, fmt.Errorf("read channel: %w", err)
	}
	if err := s.opts.API.DelContactWay(ctx, ch.ConfigID); err != nil && wecom.Code(err) != errcode.InvalidParam {
		return nil, refused(err, "删除二维码")
	}
	if _, err := s.opts.Store.DeleteChannel(name); err != nil {
		return nil, fmt.Errorf("delete channel: %w", err)
	}
	return []commands.Reply{{Text: fmt.Sprintf("已删除渠道「%s」，二维码已失效。已添加的客户和他们的标签不变。", display.Name(name))}}, nil
}

// list shows every channel with the customers it brought; tags of groups
// v may not see (groups.*.visible_to) are left out.
func (s *Service) list(v commands.Viewer) ([]commands.Reply, error) {
	chs, err := s.opts.Store.Channels()
	if err != nil {
		return nil, fmt.Errorf("channels: %w", err)
	}
	if len(chs) == 0 {
		return []commands.Reply{{Text: "还没有渠道二维码。发送 " + createUsage[len("用法："):] + " 创建一个。"}}, nil
	}
	lines := []string{fmt.Sprintf("渠道二维码 %d 个：", len(chs))}
	for _, ch := range chs {
		n, err := s.opts.Store.ChannelCount(ch.State, "")
		if err != nil {
			return nil, fmt.Errorf("count channel %s: %w", ch.Name, err)
		}
		came := "还没有客户"
		if n.Customers > 0 {
			came = fmt.Sprintf("带来 %d 位客户，最近一位 %s", n.Customers, n.Last.In(zone).Format("01-02 15:04"))
		}
		tags := tagNames(v.VisibleRefs(ch.Tags))
		if tags == "" {
			tags = "（没有标签）"
		}
		lines = append(lines, fmt.Sprintf("· %s：%s；跟进人 %s；%s", display.Name(ch.Name), tags, names(ch.Followers), came))
	}
	lines = append(lines, "删除：/qr del <渠道名>")
	return []commands.Reply{{Text: strings.Join(lines, "\n")}}, nil
}

// refused turns a WeCom refusal into a user error; other failures stay
// internal errors.
func refused(err error, what string) error {
	code := wecom.Code(err)
	if code <= 0 || wecom.IsTransient(err) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return commands.UserErrorf(commands.CodeDenied, "企业微信拒绝%s（错误码 %d）。请确认跟进人已开通客户联系功能，且应用可调用客户联系接口。", what, code)
}

func tagNames(refs []store.TagRef) string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = display.Name(r.Name)
	}
	return strings.Join(out, "、")
}

func names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = display.Name(id)
	}
	return strings.Join(out, "、")
}

func welcomeNote(w string) string {
	if w == "" {
		return ""
	}
	return "，并收到欢迎语"
}
