package wxcrypt

import (
	"strconv"
	"testing"

	"github.com/tagbot/tagbot/internal/cputime"
)

// benchInner is a text callback as WeCom sends it (the shape cmd/loadgen
// sends), the plaintext the benchmarks seal.
const benchInner = "<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><FromUserName><![CDATA[user007]]></FromUserName>" +
	"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[给 张三 加 VIP]]></Content>" +
	"<MsgId>1700000000123456</MsgId><AgentID>1000002</AgentID></xml>"

// benchEnvelope seals benchInner into a callback envelope and returns it
// with its signature over timestamp 1409659813 and nonce 1372623149.
func benchEnvelope(b *testing.B, c *Crypto) (body []byte, sig string) {
	b.Helper()
	enc, err := c.Seal([]byte(benchInner))
	if err != nil {
		b.Fatal(err)
	}
	body = []byte("<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><Encrypt><![CDATA[" + enc +
		"]]></Encrypt><AgentID>" + strconv.Itoa(1000002) + "</AgentID></xml>")
	return body, c.Signature(postTimestamp, postNonce, enc)
}

// BenchmarkParseEnvelope measures parsing one callback envelope.
func BenchmarkParseEnvelope(b *testing.B) {
	body, _ := benchEnvelope(b, sampleCrypto(b))
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		if _, err := ParseEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cputime.Report(b, start)
}

// BenchmarkDecrypt measures what the callback server does with a POSTed
// envelope: parse it, check the signature, decrypt and unframe.
func BenchmarkDecrypt(b *testing.B) {
	c := sampleCrypto(b)
	body, sig := benchEnvelope(b, c)
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		if _, err := c.Decrypt(sig, postTimestamp, postNonce, body); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cputime.Report(b, start)
}
