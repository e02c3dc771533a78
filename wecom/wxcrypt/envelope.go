package wxcrypt

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Envelope is the outer XML WeCom POSTs to a callback URL:
// <xml><ToUserName/><AgentID/><Encrypt/></xml>. The passive-reply fields
// produced by Encrypt are parsed too.
type Envelope struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	AgentID      string   `xml:"AgentID"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        string   `xml:"Nonce"`
}

// ParseEnvelope parses a callback envelope; the error wraps ErrMalformed when
// the body is not <xml>…</xml> or has an empty Encrypt element.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	env.Encrypt = strings.TrimSpace(env.Encrypt)
	if env.Encrypt == "" {
		return Envelope{}, fmt.Errorf("%w: no Encrypt element", ErrMalformed)
	}
	return env, nil
}

// writeCDATA writes <name><![CDATA[value]]></name>, splitting any "]]>" in
// value across two CDATA sections so the element always round-trips.
func writeCDATA(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}
