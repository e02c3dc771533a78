package app

import (
	"context"
	"time"

	"github.com/tagbot/tagbot/config"

	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// DemoUser is an employee of the demo company.
type DemoUser struct{ ID, Name, Role string }

// DemoUsers are the demo company's employees; the first is who you are.
var DemoUsers = []DemoUser{
	{"zhangsan", "张三", "employee"},
	{"lisi", "李四", "manager"},
	{"wangwu", "王五", "admin"},
	{"zhaoliu", "赵六", "employee"},
}

// demoGroups is the demo tag library, group by group.
var demoGroups = []struct {
	name string
	tags []string
}{
	{"客户等级", []string{"VIP", "普通客户", "潜在客户"}},
	{"意向程度", []string{"高意向", "中意向", "低意向"}},
	{"客户来源", []string{"展会", "官网", "转介绍", "抖音"}},
	{"跟进阶段", []string{"初次接触", "已报价", "已成交", "已流失"}},
	{"关注产品", []string{"化妆品", "3C数码", "母婴"}},
	{"消费特征", []string{"价格敏感型", "观望型"}},
}

// demoCustomers are the demo's customers: name, corp, and per follower the
// remark, mobile and starting tags (by name).
var demoCustomers = []struct {
	id, name, corp string
	follows        []demoFollow
}{
	{"wmDemo0001", "王小明", "小明科技", []demoFollow{{"zhangsan", "王总", "13800000001", []string{"潜在客户", "官网"}}, {"lisi", "", "", []string{"VIP"}}}},
	{"wmDemo0002", "李华", "华美电商", []demoFollow{{"zhangsan", "李姐", "13800000002", []string{"中意向"}}}},
	{"wmDemo0003", "张伟", "阿里巴巴", []demoFollow{{"zhangsan", "张伟-阿里", "13800000003", nil}}},
	{"wmDemo0004", "张伟", "腾讯", []demoFollow{{"zhangsan", "张伟-腾讯", "13800000004", []string{"展会"}}}},
	{"wmDemo0005", "刘洋", "洋洋母婴", []demoFollow{{"zhaoliu", "", "13800000005", []string{"母婴", "初次接触"}}}},
	{"wmDemo0006", "陈静", "静心美妆", []demoFollow{{"lisi", "陈老师", "13800000006", []string{"化妆品", "已报价"}}}},
	{"wmDemo0007", "赵敏", "", []demoFollow{{"zhaoliu", "", "13800000007", nil}, {"zhangsan", "赵小姐", "", []string{"抖音"}}}},
	{"wmDemo0008", "孙丽", "丽人坊", []demoFollow{{"lisi", "", "13800000008", []string{"已成交", "VIP"}}}},
}

type demoFollow struct {
	user, remark, mobile string
	tags                 []string
}

// UseFake points cfg's WeCom credentials, callback secrets and api_base at
// a fake WeCom.
func UseFake(cfg *config.Config, fake *wecomtest.Server) {
	o := fake.Options()
	cfg.WeCom.CorpID, cfg.WeCom.Secret, cfg.WeCom.AgentID = o.CorpID, o.Secret, o.AgentID
	cfg.WeCom.Token, cfg.WeCom.EncodingAESKey, cfg.WeCom.APIBase = o.Token, o.EncodingAESKey, fake.URL()
}

// SeedDemo fills a fake WeCom with the demo company: employees, the tag
// library and customers with some tags already on them.
func SeedDemo(fake *wecomtest.Server) {
	for _, u := range DemoUsers {
		fake.AddUser(u.ID, u.Name)
	}
	ids := map[string]string{}
	for _, g := range demoGroups {
		info := fake.AddTagGroup(g.name, g.tags...)
		for _, t := range info.Tags {
			ids[t.Name] = t.ID
		}
	}
	for i, c := range demoCustomers {
		cust := wecomtest.Customer{ExternalUserID: c.id, Name: c.name, CorpName: c.corp, Type: 1}
		for _, f := range c.follows {
			fo := wecomtest.Follow{UserID: f.user, Remark: f.remark, CreateTime: 1_760_000_000 + int64(i)*86_400}
			if f.mobile != "" {
				fo.Mobiles = []string{f.mobile}
			}
			for _, t := range f.tags {
				fo.TagIDs = append(fo.TagIDs, ids[t])
			}
			cust.Follows = append(cust.Follows, fo)
		}
		fake.AddCustomer(cust)
	}
}

// demoHistory is what the demo's employees did in the days before you
// arrived: hours ago, who, what they typed.
var demoHistory = []struct {
	hoursAgo int
	user     string
	line     string
}{
	{50, "zhangsan", "/tag 王小明 +中意向 +展会"},
	{30, "lisi", "/tag 王小明 +已报价"},
	{26, "zhangsan", "/tag 李华 +已报价"},
	{20, "zhaoliu", "/tag 刘洋 +高意向"},
	{5, "zhangsan", "/tag 王小明 +高意向"},
}

// seedHistory gives the demo a past: the first sync three days ago, then
// demoHistory through the real command router (the replies of the past are
// not shown), each at its time, mirrored to the fake WeCom; then the clock
// catches up with the present. So /history
// has a story and /rollback 王小明 昨天 has somewhere to go.
func (d *DemoBot) seedHistory(ctx context.Context) error {
	d.back.Store(int64(72 * time.Hour))
	defer d.back.Store(0)
	if err := d.Main.SyncIfNeeded(ctx); err != nil {
		return err
	}
	for _, h := range demoHistory {
		d.back.Store(int64(time.Duration(h.hoursAgo) * time.Hour))
		d.Main.Router.HandleText(ctx, h.user, h.line)
	}
	if err := d.Main.Worker.Drain(ctx); err != nil {
		return err
	}
	d.seededCalls = len(d.Fake.Calls())
	return nil
}
