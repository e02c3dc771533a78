package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Official sample values from WeCom's 「加解密方案说明」 and the WXBizMsgCrypt
// sample code shipped by Tencent (Sample.cpp / Sample.php / Sample.go).
const (
	sampleToken  = "QDG6eK"
	sampleAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	sampleCorpID = "wx5823bf96d3bd56c7"

	// GET /cgi-bin/wxpush?msg_signature=…&timestamp=1409659589&nonce=263014780&echostr=…
	verifySignature = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	verifyTimestamp = "1409659589"
	verifyNonce     = "263014780"
	verifyEchoStr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	verifyPlain     = "1616140317555161061"

	// POST /cgi-bin/wxpush?msg_signature=…&timestamp=1409659813&nonce=1372623149
	postSignature = "477715d11cdb4164915debcba66cb864d751f3e6"
	postTimestamp = "1409659813"
	postNonce     = "1372623149"
	postEncrypt   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

// postBody is the sample POST body, byte for byte as in the sample code.
var postBody = []byte("<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><Encrypt><![CDATA[" + postEncrypt + "]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>")

// sampleCrypto returns a Crypto for the official sample configuration.
func sampleCrypto(t testing.TB) *Crypto {
	t.Helper()
	c, err := New(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// innerMessage is the part of the sample's inner XML the test checks.
type innerMessage struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   string `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        string `xml:"MsgId"`
	AgentID      string `xml:"AgentID"`
}

func TestOfficialURLVerification(t *testing.T) {
	c := sampleCrypto(t)
	if got := c.Signature(verifyTimestamp, verifyNonce, verifyEchoStr); got != verifySignature {
		t.Fatalf("Signature = %s, want %s", got, verifySignature)
	}
	plain, err := c.VerifyURL(verifySignature, verifyTimestamp, verifyNonce, verifyEchoStr)
	if err != nil {
		t.Fatalf("VerifyURL: %v", err)
	}
	if string(plain) != verifyPlain {
		t.Fatalf("VerifyURL = %q, want %q", plain, verifyPlain)
	}
	if c.ReceiverID() != sampleCorpID {
		t.Fatalf("ReceiverID = %q", c.ReceiverID())
	}
	if got, err := c.Open(verifyEchoStr); err != nil || string(got) != verifyPlain {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := c.Open("bm90IGJsb2NrcyE="); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Open(garbage) err = %v", err)
	}
}

func TestOfficialPostMessage(t *testing.T) {
	c := sampleCrypto(t)
	if got := Sign(sampleToken, postTimestamp, postNonce, postEncrypt); got != postSignature {
		t.Fatalf("Sign = %s, want %s", got, postSignature)
	}
	plain, err := c.Decrypt(postSignature, postTimestamp, postNonce, postBody)
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	var m innerMessage
	if err := xml.Unmarshal(plain, &m); err != nil {
		t.Fatalf("inner xml %q: %v", plain, err)
	}
	want := innerMessage{
		ToUserName: sampleCorpID, FromUserName: "mycreate", CreateTime: "1409659813",
		MsgType: "text", Content: "hello", MsgID: "4561255354251345929", AgentID: "218",
	}
	if m != want {
		t.Fatalf("inner message = %+v, want %+v", m, want)
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	tests := []struct {
		name string
		key  string
	}{
		{"empty", ""},
		{"too short", sampleAESKey[:42]},
		{"too long", sampleAESKey + "A"},
		{"not base64", strings.Repeat("!", 43)},
		{"padding inside", sampleAESKey[:40] + "=AA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(sampleToken, tt.key, sampleCorpID)
			if err == nil || !errors.Is(err, ErrKey) {
				t.Fatalf("New(%q) = %v, %v; want ErrKey", tt.key, c, err)
			}
		})
	}
}

// fixedReader is a deterministic Rand for reproducible ciphertexts.
type fixedReader byte

func (f fixedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f) + byte(i)
	}
	return len(p), nil
}

func TestRoundTrip(t *testing.T) {
	c := sampleCrypto(t)
	msgs := map[string][]byte{
		"empty":     {},
		"one byte":  []byte("x"),
		"full pad":  bytes.Repeat([]byte("a"), 32-(headerLen+len(sampleCorpID))%32), // plaintext already 32-aligned: a whole padding block
		"chinese":   []byte("<xml><Content><![CDATA[你好，标签]]></Content></xml>"),
		"large":     bytes.Repeat([]byte("0123456789"), 5000),
		"cdata end": []byte("a]]>b"),
	}
	for name, msg := range msgs {
		t.Run(name, func(t *testing.T) {
			env, sig, err := c.Encrypt(msg, "1700000000", "nonce-1")
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			got, err := c.Decrypt(sig, "1700000000", "nonce-1", env)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("round trip = %q, want %q", got, msg)
			}
			parsed, err := ParseEnvelope(env)
			if err != nil {
				t.Fatalf("ParseEnvelope: %v", err)
			}
			want := parsed
			want.MsgSignature, want.TimeStamp, want.Nonce = sig, "1700000000", "nonce-1"
			if diff := cmp.Diff(want, parsed); diff != "" {
				t.Fatalf("envelope fields (-want +got):\n%s", diff)
			}
			raw, _ := base64.StdEncoding.DecodeString(parsed.Encrypt)
			if len(raw)%32 != 0 {
				t.Fatalf("ciphertext length %d not padded to 32", len(raw))
			}
		})
	}
}

func TestSealUsesInjectedRand(t *testing.T) {
	c := sampleCrypto(t)
	c.Rand = fixedReader(7)
	a, err := c.Seal([]byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Seal([]byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("deterministic Rand gave different ciphertexts %q and %q", a, b)
	}
	c.Rand = nil
	d, err := c.Seal([]byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	if d == a {
		t.Fatal("crypto/rand gave the same ciphertext as the fixed reader")
	}
	c.Rand = bytes.NewReader([]byte{1, 2, 3})
	if _, err := c.Seal([]byte("x")); err == nil {
		t.Fatal("Seal with an exhausted Rand succeeded")
	}
}

// rawSeal encrypts an arbitrary plaintext (already framed, unpadded or
// padded by the caller) with the sample key, to build malformed ciphertexts.
func rawSeal(t *testing.T, plain []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(sampleAESKey + "=")
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), plain...)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out)
}

// frame builds random|len|msg|receiver with an explicit length field.
func frame(length uint32, msg, receiver string) []byte {
	b := make([]byte, headerLen)
	binary.BigEndian.PutUint32(b[randomLen:], length)
	b = append(b, msg...)
	return append(b, receiver...)
}

func TestTamperedInputs(t *testing.T) {
	c := sampleCrypto(t)
	wrongCorp, err := New(sampleToken, sampleAESKey, "wwsomeoneelse")
	if err != nil {
		t.Fatal(err)
	}
	otherCorpEncrypt, err := wrongCorp.Seal([]byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	lenTooBig := frame(1<<31, "hi", sampleCorpID)
	lenOverflow := frame(^uint32(0), "hi", sampleCorpID)
	badPadByte := pad(frame(2, "hi", sampleCorpID))
	badPadByte[len(badPadByte)-2] ^= 0xff
	zeroPad := pad(frame(2, "hi", sampleCorpID))
	zeroPad[len(zeroPad)-1] = 0
	tooShort := pad([]byte("0123456789"))
	bigPad := bytes.Repeat([]byte{33}, 64)

	forged := strings.Repeat("0", 40)
	tests := []struct {
		name    string
		sig     *string // nil: the correct signature for encrypt
		encrypt string
		body    []byte // overrides the envelope built from encrypt
		want    error
	}{
		{name: "bad signature", sig: &forged, encrypt: postEncrypt, want: ErrSignature},
		{name: "empty signature", sig: new(string), encrypt: postEncrypt, want: ErrSignature},
		{name: "wrong receiver id", encrypt: otherCorpEncrypt, want: ErrReceiverID},
		{name: "truncated ciphertext", encrypt: postEncrypt[:len(postEncrypt)-8], want: ErrDecrypt},
		{name: "not base64", encrypt: "!!!not base64!!!", want: ErrDecrypt},
		{name: "not block aligned", encrypt: base64.StdEncoding.EncodeToString([]byte("short")), want: ErrDecrypt},
		{name: "bad padding byte", encrypt: rawSeal(t, badPadByte), want: ErrDecrypt},
		{name: "zero padding", encrypt: rawSeal(t, zeroPad), want: ErrDecrypt},
		{name: "padding over 32", encrypt: rawSeal(t, bigPad), want: ErrDecrypt},
		{name: "shorter than header", encrypt: rawSeal(t, tooShort), want: ErrDecrypt},
		{name: "length field beyond buffer", encrypt: rawSeal(t, pad(lenTooBig)), want: ErrDecrypt},
		{name: "length field max uint32", encrypt: rawSeal(t, pad(lenOverflow)), want: ErrDecrypt},
		{name: "empty body", body: []byte{}, want: ErrMalformed},
		{name: "not xml", body: []byte("hello"), want: ErrMalformed},
		{name: "wrong root", body: []byte("<msg><Encrypt>abc</Encrypt></msg>"), want: ErrMalformed},
		{name: "no encrypt", body: []byte("<xml><ToUserName>x</ToUserName></xml>"), want: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if body == nil {
				var b bytes.Buffer
				b.WriteString("<xml>")
				writeCDATA(&b, "ToUserName", sampleCorpID)
				writeCDATA(&b, "Encrypt", tt.encrypt)
				b.WriteString("</xml>")
				body = b.Bytes()
			}
			sig := c.Signature("1", "2", tt.encrypt)
			if tt.sig != nil {
				sig = *tt.sig
			}
			got, err := c.Decrypt(sig, "1", "2", body)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decrypt = %q, %v; want %v", got, err, tt.want)
			}
			if tt.body == nil {
				// The GET verification path shares the checks.
				if _, err := c.VerifyURL(sig, "1", "2", tt.encrypt); !errors.Is(err, tt.want) {
					t.Fatalf("VerifyURL err = %v, want %v", err, tt.want)
				}
			}
		})
	}
}

func TestVerifyURLRejectsBadSignature(t *testing.T) {
	c := sampleCrypto(t)
	_, err := c.VerifyURL(verifySignature, verifyTimestamp, "other-nonce", verifyEchoStr)
	if !errors.Is(err, ErrSignature) {
		t.Fatalf("err = %v, want ErrSignature", err)
	}
	other, err := New("another-token", sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.VerifyURL(verifySignature, verifyTimestamp, verifyNonce, verifyEchoStr); !errors.Is(err, ErrSignature) {
		t.Fatalf("wrong token err = %v, want ErrSignature", err)
	}
}

func TestSignatureSortsParts(t *testing.T) {
	// The four parts are sorted before hashing, so their roles are interchangeable.
	a := Sign("b", "a", "d", "c")
	b := Sign("a", "b", "c", "d")
	if a != b || len(a) != 40 {
		t.Fatalf("Sign not order independent: %s vs %s", a, b)
	}
	if Sign("a", "b", "c", "e") == b {
		t.Fatal("different input gave the same signature")
	}
}
