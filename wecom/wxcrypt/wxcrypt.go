// Package wxcrypt implements WeCom's callback message crypto (企业微信回调消息加解密),
// exactly as documented in 「加解密方案说明」 and implemented by Tencent's
// WXBizMsgCrypt sample libraries:
//
//   - msg_signature = hex(sha1(concat(sort([token, timestamp, nonce, encrypt]))))
//   - AESKey = base64.StdEncoding.Decode(EncodingAESKey + "="), 32 bytes;
//     AES-256-CBC with IV = AESKey[:16] and PKCS#7 padding to a 32-byte block
//   - plaintext = random(16) | uint32be(len(msg)) | msg | receiveid
//   - msg_encrypt = base64.StdEncoding(ciphertext)
//
// Nothing in this package panics on untrusted input; every failure is reported
// as an error that wraps one of the sentinel errors below.
package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
)

const (
	// encodingAESKeyLen is the documented fixed length of an EncodingAESKey.
	encodingAESKeyLen = 43
	// padBlock is the PKCS#7 block size WeCom pads to (not the AES block size).
	padBlock = 32
	// randomLen is the length of the random prefix of the plaintext.
	randomLen = 16
	// headerLen is the random prefix plus the 4-byte big-endian msg length.
	headerLen = randomLen + 4
)

// ErrSignature means msg_signature does not match the token, timestamp, nonce and ciphertext.
var ErrSignature = errors.New("signature mismatch")

// ErrReceiverID means the decrypted receiveid (corp id / suite id) is not the configured one.
var ErrReceiverID = errors.New("receiver id mismatch")

// ErrDecrypt means the ciphertext is not valid: bad base64, bad length, bad padding or bad framing.
var ErrDecrypt = errors.New("cannot decrypt")

// ErrMalformed means the XML envelope cannot be parsed or carries no Encrypt element.
var ErrMalformed = errors.New("malformed envelope")

// ErrKey means the EncodingAESKey is not 43 characters of valid base64.
var ErrKey = errors.New("invalid EncodingAESKey")

// Crypto signs, encrypts and decrypts WeCom callback messages for one
// Token / EncodingAESKey / ReceiveId triple. It is safe for concurrent use
// as long as Rand is (crypto/rand is).
type Crypto struct {
	// Rand is the source of the 16 random prefix bytes used by Seal and
	// Encrypt. Nil means crypto/rand.Reader.
	Rand io.Reader

	token           string
	receiverID      string
	receiverIDBytes []byte // receiverID, for comparing without a conversion
	block           cipher.Block
	iv              []byte
}

// New returns a Crypto for token, encodingAESKey (43 characters, the AES key
// in base64 without its trailing "=") and receiverID (the corp id for a
// self-built app's callbacks, the suite id for third-party apps).
func New(token, encodingAESKey, receiverID string) (*Crypto, error) {
	if len(encodingAESKey) != encodingAESKeyLen {
		return nil, fmt.Errorf("wxcrypt: key has %d characters, want %d: %w", len(encodingAESKey), encodingAESKeyLen, ErrKey)
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: decode key: %w", errors.Join(ErrKey, err))
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("wxcrypt: key decodes to %d bytes, want 32: %w", len(key), ErrKey)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: aes: %w", errors.Join(ErrKey, err))
	}
	return &Crypto{
		token:           token,
		receiverID:      receiverID,
		receiverIDBytes: []byte(receiverID),
		block:           block,
		iv:              append([]byte(nil), key[:aes.BlockSize]...),
	}, nil
}

// ReceiverID returns the receiveid this Crypto seals into and expects back.
func (c *Crypto) ReceiverID() string { return c.receiverID }

// Signature returns msg_signature for timestamp, nonce and the base64
// ciphertext encrypt: the hex SHA-1 of the lexicographically sorted
// concatenation of token, timestamp, nonce and encrypt.
func (c *Crypto) Signature(timestamp, nonce, encrypt string) string {
	return Sign(c.token, timestamp, nonce, encrypt)
}

// Sign is Signature without a Crypto: hex(sha1(concat(sort(parts)))).
func Sign(token, timestamp, nonce, encrypt string) string {
	sum := signHex(token, timestamp, nonce, encrypt)
	return string(sum[:])
}

// signBuf is the size of the stack buffer signHex concatenates into; a
// callback whose parts are longer costs one allocation more.
const signBuf = 1024

// signHex is Sign's signature as hex digits, without allocating for
// callbacks of ordinary size.
func signHex(token, timestamp, nonce, encrypt string) [2 * sha1.Size]byte {
	parts := [4]string{token, timestamp, nonce, encrypt}
	slices.Sort(parts[:])
	var stack [signBuf]byte
	buf := stack[:0]
	for _, p := range parts {
		buf = append(buf, p...)
	}
	sum := sha1.Sum(buf)
	var out [2 * sha1.Size]byte
	hex.Encode(out[:], sum[:])
	return out
}

// verify checks msgSignature in constant time.
func (c *Crypto) verify(msgSignature, timestamp, nonce, encrypt string) error {
	want := signHex(c.token, timestamp, nonce, encrypt)
	if len(msgSignature) != len(want) {
		return ErrSignature
	}
	var diff byte // every byte is compared, whatever the first difference
	for i := range want {
		diff |= want[i] ^ msgSignature[i]
	}
	if diff != 0 {
		return ErrSignature
	}
	return nil
}

// VerifyURL handles the GET URL verification (验证URL有效性): it checks
// msgSignature over echostr (already URL-decoded) and returns the plain
// echostr that must be written back as the response body.
func (c *Crypto) VerifyURL(msgSignature, timestamp, nonce, echostr string) ([]byte, error) {
	if err := c.verify(msgSignature, timestamp, nonce, echostr); err != nil {
		return nil, fmt.Errorf("wxcrypt: verify url: %w", err)
	}
	msg, err := c.openChecked(echostr)
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: verify url: %w", err)
	}
	return msg, nil
}

// Decrypt handles a POSTed callback: body is the XML envelope
// (<xml><ToUserName/><AgentID/><Encrypt/></xml>); the signature from the
// query is verified over its Encrypt element, which is then decrypted and
// its receiveid checked. It returns the inner plaintext XML.
func (c *Crypto) Decrypt(msgSignature, timestamp, nonce string, body []byte) ([]byte, error) {
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: decrypt: %w", err)
	}
	return c.DecryptEnvelope(msgSignature, timestamp, nonce, env)
}

// DecryptEnvelope is Decrypt for an envelope the caller has parsed with
// ParseEnvelope (so that a server reading its ToUserName parses it once).
func (c *Crypto) DecryptEnvelope(msgSignature, timestamp, nonce string, env Envelope) ([]byte, error) {
	if err := c.verify(msgSignature, timestamp, nonce, env.Encrypt); err != nil {
		return nil, fmt.Errorf("wxcrypt: decrypt: %w", err)
	}
	msg, err := c.openChecked(env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: decrypt: %w", err)
	}
	return msg, nil
}

// Encrypt seals msg and wraps it in the envelope Tencent's EncryptMsg
// produces (<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>), which
// is both the passive-reply format and accepted by Decrypt. It returns the
// envelope and its msg_signature.
func (c *Crypto) Encrypt(msg []byte, timestamp, nonce string) (envelopeXML []byte, msgSignature string, err error) {
	encrypt, err := c.Seal(msg)
	if err != nil {
		return nil, "", err
	}
	msgSignature = c.Signature(timestamp, nonce, encrypt)
	var b bytes.Buffer
	b.WriteString("<xml>")
	writeCDATA(&b, "Encrypt", encrypt)
	writeCDATA(&b, "MsgSignature", msgSignature)
	writeCDATA(&b, "TimeStamp", timestamp)
	writeCDATA(&b, "Nonce", nonce)
	b.WriteString("</xml>")
	return b.Bytes(), msgSignature, nil
}

// Seal encrypts msg into msg_encrypt (base64 of the AES-CBC ciphertext of
// random(16) | uint32be(len(msg)) | msg | receiveid).
func (c *Crypto) Seal(msg []byte) (string, error) {
	if uint64(len(msg)) > uint64(^uint32(0)) {
		return "", fmt.Errorf("wxcrypt: seal: message of %d bytes is too long", len(msg))
	}
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	plain := make([]byte, headerLen, headerLen+len(msg)+len(c.receiverID)+padBlock)
	if _, err := io.ReadFull(r, plain[:randomLen]); err != nil {
		return "", fmt.Errorf("wxcrypt: seal: random: %w", err)
	}
	binary.BigEndian.PutUint32(plain[randomLen:headerLen], uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.receiverID...)
	plain = pad(plain)
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}

// Open decrypts msg_encrypt and checks its receiveid, without any signature
// check (callers must verify the signature first, as Decrypt and VerifyURL do).
func (c *Crypto) Open(encrypt string) ([]byte, error) {
	msg, err := c.openChecked(encrypt)
	if err != nil {
		return nil, fmt.Errorf("wxcrypt: open: %w", err)
	}
	return msg, nil
}

// openChecked is Open without the error prefix.
func (c *Crypto) openChecked(encrypt string) ([]byte, error) {
	msg, receiverID, err := c.open(encrypt)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(receiverID, c.receiverIDBytes) != 1 {
		return nil, ErrReceiverID
	}
	return msg, nil
}

// open decrypts and unframes encrypt, returning msg and receiveid, both
// in the one buffer base64 decoding allocates (msg with no room to grow
// into receiveid).
func (c *Crypto) open(encrypt string) (msg, receiverID []byte, err error) {
	data, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: base64: %v", ErrDecrypt, err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, nil, fmt.Errorf("%w: ciphertext length %d is not a positive multiple of %d", ErrDecrypt, len(data), aes.BlockSize)
	}
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(data, data)
	data, err = unpad(data)
	if err != nil {
		return nil, nil, err
	}
	if len(data) < headerLen {
		return nil, nil, fmt.Errorf("%w: plaintext of %d bytes is shorter than its header", ErrDecrypt, len(data))
	}
	n := uint64(binary.BigEndian.Uint32(data[randomLen:headerLen]))
	if n > uint64(len(data)-headerLen) {
		return nil, nil, fmt.Errorf("%w: msg length %d exceeds plaintext", ErrDecrypt, n)
	}
	body := data[headerLen:]
	return body[:n:n], body[n:], nil
}

// pad applies PKCS#7 padding to a multiple of padBlock (always 1..32 bytes).
func pad(b []byte) []byte {
	n := padBlock - len(b)%padBlock
	return append(b, bytes.Repeat([]byte{byte(n)}, n)...)
}

// unpad strips PKCS#7 padding of 1..32 bytes, checking every padding byte.
func unpad(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty plaintext", ErrDecrypt)
	}
	n := int(b[len(b)-1])
	if n < 1 || n > padBlock || n > len(b) {
		return nil, fmt.Errorf("%w: bad padding", ErrDecrypt)
	}
	var bad byte
	for _, v := range b[len(b)-n:] {
		bad |= v ^ byte(n)
	}
	if bad != 0 {
		return nil, fmt.Errorf("%w: bad padding", ErrDecrypt)
	}
	return b[:len(b)-n], nil
}
