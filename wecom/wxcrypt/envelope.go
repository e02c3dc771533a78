package wxcrypt

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/internal/flatxml"
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

// envelopeFields is how many children a callback envelope has, at most,
// when WeCom or Encrypt writes it.
const envelopeFields = 6

// ParseEnvelope parses a callback envelope; the error wraps ErrMalformed when
// the body is not <xml>…</xml> or has an empty Encrypt element. It reads the
// body as encoding/xml's Unmarshal does (the last of repeated elements wins,
// unknown ones are skipped), through flatxml when the body is flat, as
// WeCom's are, and through encoding/xml otherwise.
func ParseEnvelope(body []byte) (Envelope, error) {
	env, ok := parseFlatEnvelope(body)
	if !ok {
		var err error
		if env, err = unmarshalEnvelope(body); err != nil {
			return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	env.Encrypt = strings.TrimSpace(env.Encrypt)
	if env.Encrypt == "" {
		return Envelope{}, fmt.Errorf("%w: no Encrypt element", ErrMalformed)
	}
	return env, nil
}

// unmarshalEnvelope reads any envelope with encoding/xml.
func unmarshalEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	err := xml.Unmarshal(body, &env)
	return env, err
}

// parseFlatEnvelope reads a flat envelope (see flatxml) as Unmarshal
// would; ok is false when body is not flat.
func parseFlatEnvelope(body []byte) (env Envelope, ok bool) {
	var buf [envelopeFields]flatxml.Field
	fields, ok := flatxml.Parse(body, "xml", buf[:0])
	if !ok {
		return Envelope{}, false
	}
	env.XMLName.Local = "xml"
	for _, f := range fields {
		switch f.Name {
		case "ToUserName":
			env.ToUserName = f.Value
		case "AgentID":
			env.AgentID = f.Value
		case "Encrypt":
			env.Encrypt = f.Value
		case "MsgSignature":
			env.MsgSignature = f.Value
		case "TimeStamp":
			env.TimeStamp = f.Value
		case "Nonce":
			env.Nonce = f.Value
		}
	}
	return env, true
}

// writeCDATA writes <name><![CDATA[value]]></name>, splitting any "]]>" in
// value across two CDATA sections so the element always round-trips.
func writeCDATA(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}
