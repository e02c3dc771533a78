package packs_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tagbot/tagbot/classify"
)

// TestEcommerceUnseenPhrasings: messages written for this test, not taken
// from JDDC, in phrasings the dev set lacks, with negations and small talk
// that must get nothing: a check that the pack generalises beyond the
// messages it was tuned on.
func TestEcommerceUnseenPhrasings(t *testing.T) {
	e := engineFor(t, "ecommerce.yaml")
	cases := []ecommerceCase{
		{"这款吸尘器现在什么价位", []string{"询价"}},
		{"双十一会降价吗", []string{"询价"}},
		{"我不问价格，就想知道有没有黑色的", nil},
		{"这个电池能用多久，续航怎么样", []string{"问规格"}},
		{"这个支持蓝牙5.0吗", []string{"问规格"}},
		{"鞋子尺码偏大还是偏小", []string{"问规格"}},
		{"说明书丢了，这个怎么设置时间", []string{"问规格"}},
		{"我的包裹到哪了", []string{"问物流"}},
		{"快递三天了还没到", []string{"问物流"}},
		{"今天下单明天能到吗", []string{"问物流"}},
		{"我想去站点自提", []string{"问物流"}},
		{"衣服穿着不合适想退货", []string{"售后"}},
		{"收到的时候屏幕就碎了", []string{"售后"}},
		{"维修需要多久", []string{"售后"}},
		{"帮我开个增值税专票", []string{"售后"}},
		{"退款什么时候到账", []string{"售后"}},
		{"不退货了，我自己留着用", nil},
		{"有没有满减活动", []string{"关注优惠"}},
		{"优惠券怎么领不了", []string{"关注优惠"}},
		{"买这个送赠品吗", []string{"关注优惠"}},
		{"师傅什么时候上门安装", []string{"预约安装"}},
		{"能不能约周六上午送货", []string{"预约安装"}},
		{"我要投诉你们的快递员", []string{"投诉", "问物流"}},
		{"这个什么时候有货", []string{"关注库存"}},
		{"好的谢谢", nil},
		{"在吗", nil},
		{"我的白条怎么还款", nil},
		{"帮我修改一下收货地址", nil},
		{"预约抢购的手机什么时候发货", []string{"问物流"}},
		{"放在冰箱里能放多久", nil},
		{"我先发个图片给你看看", nil},
		{"可以合并付款吗", nil},
		{"电池鼓包了", []string{"售后"}},
		{"这个耳机音质怎么样", []string{"问规格"}},
		{"能帮我放在家门口吗", []string{"问物流"}},
		{"不需要安装，放着就行", nil},
		{"我不要赠品，能便宜点吗", []string{"询价"}},
		{"发票抬头写错了能重开吗", []string{"售后"}},
		{"你们太差劲了，我要去12315投诉", []string{"投诉"}},
		{"谢谢，没有其他问题了", nil},
		{"这个洗衣机多大容量", []string{"问规格"}},
		{"到付运费谁出", nil},
	}
	checkEcommerce(t, e, cases)
}

// TestEcommerceNegations: negations (before or after the topic word),
// praise, "不需要"/"不用", "没有…问题", "已经收到了" and small talk that
// only mentions a topic word get no suggestion, while the same words
// asked about still do.
func TestEcommerceNegations(t *testing.T) {
	e := engineFor(t, "ecommerce.yaml")
	cases := []ecommerceCase{
		// the reviewer's messages
		{"价格不重要，质量好就行", nil},
		{"不用退了，挺好的", nil},
		{"我不要发票", nil},
		{"发票不用开了", nil},
		{"没有质量问题", nil},
		{"优惠券就不要了", nil},
		{"物流挺快的，好评", nil},
		{"不着急发货，慢慢来", nil},
		// price
		{"价格无所谓，好用就行", nil},
		{"价格还可以，挺满意的", nil},
		{"价钱不是问题", nil},
		{"价格很实惠，下次还来", nil},
		{"我不在乎价格", nil},
		// after-sales
		{"不需要发票", nil},
		{"发票就不开了", nil},
		{"不用开发票了", nil},
		{"发票已经收到了，谢谢", nil},
		{"不需要退款了", nil},
		{"不退了，谢谢", nil},
		{"我不想退货了", nil},
		{"退货就算了，不退了", nil},
		{"不用换了，就这个吧", nil},
		{"不需要退换，谢谢", nil},
		{"质量没问题，很满意", nil},
		{"没什么质量问题，就是颜色不喜欢", nil},
		{"没有破损，包装很好", nil},
		{"东西没坏，挺好用的", nil},
		{"上次的售后服务很好，谢谢", nil},
		{"维修师傅很专业，好评", nil},
		{"退款已经收到了，谢谢", nil},
		// coupons
		{"不需要优惠券", nil},
		{"券我就不用了", nil},
		{"赠品不用送了", nil},
		{"活动就不参加了", nil},
		{"赠品也收到了，谢谢", nil},
		// logistics
		{"快递很快，很满意", nil},
		{"快递小哥服务很好", nil},
		{"发货挺快的，点赞", nil},
		{"不着急，慢慢发", nil},
		{"不用催发货，我不急", nil},
		{"物流很给力，第二天就到了", nil},
		{"已经收到了，谢谢", nil},
		{"东西已经收到了，很好用", nil},
		{"快递已经收到了", nil},
		{"我在快递公司上班", nil},
		{"顺丰就是快，五星", nil},
		{"快递包装很好，没压坏", nil},
		{"送货师傅态度很好", nil},
		// the topic word first, the negation after it
		{"发票不需要了", nil},
		{"退货不用了，我留着", nil},
		{"优惠券不需要了", nil},
		{"赠品不要了", nil},
		{"安装不需要了，谢谢", nil},
		{"不必退了", nil},
		{"没必要退货，小问题", nil},
		// booking, specs
		{"不用预约了，我自己装", nil},
		{"安装师傅很负责，点赞", nil},
		{"尺寸刚好，很合适", nil},
		{"颜色很好看，质量也不错", nil},
		// more closings, shrugs and praise around a topic word
		{"价格不贵，挺值的", nil},
		{"这个价位很合理", nil},
		{"降价就算了，无所谓", nil},
		{"价格什么的都好说", nil},
		{"退换货就不麻烦了", nil},
		{"这次不换货了", nil},
		{"不申请售后了", nil},
		{"保修卡不用寄了", nil},
		{"维修就不用了，已经好了", nil},
		{"东西质量很好，没有任何问题", nil},
		{"收到的是正品，很放心", nil},
		{"发票我不需要", nil},
		{"不开发票", nil},
		{"发票这块无所谓", nil},
		{"优惠券用完了，没事", nil},
		{"红包就算了", nil},
		{"活动没赶上也没关系", nil},
		{"折扣无所谓，喜欢就买", nil},
		{"赠品有没有都行", nil},
		{"京豆不要了", nil},
		{"不用着急发货", nil},
		{"发货慢点没关系", nil},
		{"快递不用加急", nil},
		{"快递小哥人很好", nil},
		{"不用上门安装，我会装", nil},
		{"安装很顺利，谢谢师傅", nil},
		{"预约的时间没问题", nil},
		{"送货时间都可以，不挑", nil},
		{"尺码很标准，穿着正好", nil},
		{"参数我都看过了，没问题", nil},
		{"这款用着不错", nil},
		{"说明书写得很清楚", nil},
		// "already done" and owning up to a mistake
		{"快递已经送到了", nil},
		{"东西到了，包装很严实", nil},
		{"换货已经收到了，很好", nil},
		{"已经安装好了，谢谢", nil},
		{"安装完了，挺好用", nil},
		{"优惠券已经用上了", nil},
		{"赠品已经收到了", nil},
		{"没有少发，都齐了", nil},
		{"刚才是我搞错了，不好意思", nil},
		{"我看错了，不是你们发错", nil},
		{"我不需要保修", nil},
		{"不用检测了", nil},
		{"尺寸我量过了，合适", nil},
		// the same topics asked about still fire
		{"价格多少", []string{"询价"}},
		{"价格能不能便宜点", []string{"询价"}},
		{"不想要了，能退货吗", []string{"售后"}},
		{"我申请了退款，现在不想退了，帮我取消", []string{"售后"}},
		{"退款申请能撤销吗", []string{"售后"}},
		{"不是质量问题可以退吗", []string{"售后"}},
		{"发票怎么开", []string{"售后"}},
		{"能开发票吗", []string{"售后"}},
		{"我要开发票", []string{"售后"}},
		{"发票还没收到", []string{"售后"}},
		{"有质量问题怎么办", []string{"售后"}},
		{"收到的东西坏了", []string{"售后"}},
		{"已经收到了，但是发错颜色了", []string{"售后"}},
		{"优惠券怎么用", []string{"关注优惠"}},
		{"有没有优惠券", []string{"关注优惠"}},
		{"物流怎么一直不更新", []string{"问物流"}},
		{"什么时候发货", []string{"问物流"}},
		{"快递到哪了", []string{"问物流"}},
		{"还没收到货", []string{"问物流"}},
		{"尺寸是多少", []string{"问规格"}},
		{"不要了，退货吧", []string{"售后"}},
		{"非质量问题都可以退货吧", []string{"售后"}},
		{"维修要多久", []string{"售后"}},
		{"保修卡要寄回吗", []string{"售后"}},
		{"不需要发票的话能便宜点吗", []string{"询价"}},
		{"京豆怎么用", []string{"关注优惠"}},
		{"优惠券不能用怎么办", []string{"关注优惠"}},
		{"明天上午能送货吗", []string{"预约安装"}},
		{"少发了一个配件", []string{"售后"}},
		{"保修期多久", []string{"售后"}},
	}
	checkEcommerce(t, e, cases)
}

// ecommerceCase is one message to the e-commerce pack and the tags it
// must get (sorted; nil for none).
type ecommerceCase struct {
	text string
	want []string
}

// checkEcommerce classifies each case's text alone and compares the tags.
func checkEcommerce(t *testing.T, e *classify.Engine, cases []ecommerceCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			m := msg(c.text, at(10, 0))
			facts := &classify.SliceFacts{Messages: []classify.Message{m}, At: m.Time}
			matches, err := e.Classify(context.Background(), classify.Input{Message: &m}, facts)
			if err != nil {
				t.Fatal(err)
			}
			if got := suggested(matches); !slices.Equal(got, c.want) {
				t.Errorf("tags = %v, want %v", got, c.want)
			}
		})
	}
}
