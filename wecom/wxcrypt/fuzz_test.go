package wxcrypt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecrypt feeds arbitrary ciphertexts (correctly signed, so decryption
// and unframing are reached) and arbitrary envelope bodies to Decrypt. It
// must never panic, must only fail with the package's sentinel errors, and
// whatever it accepts must survive a Seal/Open round trip.
func FuzzDecrypt(f *testing.F) {
	f.Add(postEncrypt, postBody)
	f.Add(verifyEchoStr, []byte("<xml><Encrypt><![CDATA["+verifyEchoStr+"]]></Encrypt></xml>"))
	f.Add(postEncrypt[:64], []byte("<xml><Encrypt></Encrypt></xml>"))
	f.Add("", []byte(""))
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==", []byte("<xml><Encrypt>AAAA"))
	f.Fuzz(func(t *testing.T, encrypt string, body []byte) {
		c := sampleCrypto(t)

		var env bytes.Buffer
		env.WriteString("<xml>")
		writeCDATA(&env, "Encrypt", encrypt)
		env.WriteString("</xml>")
		sig := c.Signature("1409659813", "1372623149", encrypt)
		msg, err := c.Decrypt(sig, "1409659813", "1372623149", env.Bytes())
		if err != nil {
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrReceiverID) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decrypt(%q) failed with a non-sentinel error: %v", encrypt, err)
			}
		} else {
			sealed, err := c.Seal(msg)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			back, err := c.Open(sealed)
			if err != nil || !bytes.Equal(back, msg) {
				t.Fatalf("round trip of accepted message %q = %q, %v", msg, back, err)
			}
		}

		// A raw body with a signature that cannot match must be rejected.
		if _, err := c.Decrypt("not-a-signature", "1", "2", body); err == nil {
			t.Fatalf("Decrypt accepted body %q with a forged signature", body)
		} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrSignature) {
			t.Fatalf("Decrypt(body %q) failed with an unexpected error: %v", body, err)
		}
	})
}

// FuzzParseEnvelope checks that ParseEnvelope, which reads flat envelopes
// through flatxml, answers exactly what encoding/xml's Unmarshal gives for
// every body: the same fields, or an error in both. Seeds are in
// testdata/fuzz/FuzzParseEnvelope.
func FuzzParseEnvelope(f *testing.F) {
	f.Add(postBody)
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := ParseEnvelope(body)
		want, werr := unmarshalEnvelope(body)
		want.Encrypt = strings.TrimSpace(want.Encrypt)
		if werr == nil && want.Encrypt == "" {
			werr = ErrMalformed
		}
		if (err != nil) != (werr != nil) {
			t.Fatalf("ParseEnvelope(%q) error %v, encoding/xml %v", body, err, werr)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseEnvelope(%q) error %v does not wrap ErrMalformed", body, err)
			}
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ParseEnvelope(%q) differs from encoding/xml (-xml +got):\n%s", body, diff)
		}
	})
}
