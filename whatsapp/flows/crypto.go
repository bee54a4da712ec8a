package flows

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// MaxBody bounds the request body Decrypt accepts. A Flow request carries
// one screen's answers (photos come as CDN references, not bytes), so a
// mebibyte is generous and keeps a hostile body from costing memory.
const MaxBody = 1 << 20

// MinKeyBits is the smallest RSA key Meta accepts for the business
// encryption key, and so the smallest ParsePrivateKey takes.
const MinKeyBits = 2048

const (
	aesKeySize = 16 // AES-128, as Meta specifies
	tagSize    = 16 // the GCM tag appended to the ciphertext
	// Meta sends a 16-byte IV; anything from the GCM standard 12 up to
	// 16 is decrypted as given, anything else is not Meta's.
	minIV, maxIV = 12, 16
)

// GenerateKey makes a 2048-bit RSA key pair for the number's Flows
// encryption: the private key as a PKCS#8 "PRIVATE KEY" PEM for the vault,
// the public key as a PKIX "PUBLIC KEY" PEM to register with Meta.
func GenerateKey() (privPEM, pubPEM []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, MinKeyBits)
	if err != nil {
		return nil, nil, fmt.Errorf("flows: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("flows: marshal private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("flows: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), nil
}

// ParsePrivateKey reads an unencrypted RSA private key in PKCS#8 ("PRIVATE
// KEY") or PKCS#1 ("RSA PRIVATE KEY") PEM, as openssl and GenerateKey
// write them. It refuses other key types and keys under MinKeyBits. Errors
// never quote the input: it is a secret.
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("flows: private key: no PEM block found")
	}
	if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errors.New("flows: private key: passphrase-protected keys are not supported; store the key decrypted in the vault")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("flows: private key: not a valid PKCS#8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("flows: private key: %T is not RSA; Meta needs an RSA key", k)
		}
		key = rk
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("flows: private key: not a valid PKCS#1 key")
		}
		key = k
	default:
		return nil, fmt.Errorf("flows: private key: PEM block type %q is not a private key", block.Type)
	}
	if bits := key.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("flows: private key: %d-bit RSA is too short, need at least %d", bits, MinKeyBits)
	}
	return key, nil
}

// envelope is the request body WhatsApp POSTs to the endpoint.
type envelope struct {
	EncryptedFlowData string `json:"encrypted_flow_data"`
	EncryptedAESKey   string `json:"encrypted_aes_key"`
	InitialVector     string `json:"initial_vector"`
}

// Session is what one request leaves to encrypt its one reply: the AES key
// WhatsApp chose and the IV it sent.
type Session struct {
	gcm  cipher.AEAD
	iv   []byte
	used atomic.Bool
}

// Decrypt opens a request body: it unwraps the AES key with RSA-OAEP
// (SHA-256, MGF1 SHA-256, empty label), decrypts the flow data with
// AES-128-GCM under the IV as sent, and parses the JSON inside. Errors wrap
// ErrDecrypt when the key or data do not decrypt (answer 421) and
// ErrBadRequest when the body is not the envelope or the payload not JSON.
func Decrypt(priv *rsa.PrivateKey, body []byte) (Request, *Session, error) {
	if priv == nil {
		return Request{}, nil, errors.New("flows: decrypt: no private key")
	}
	if len(body) > MaxBody {
		return Request{}, nil, fmt.Errorf("%w: body is over %d bytes", ErrBadRequest, MaxBody)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Request{}, nil, fmt.Errorf("%w: body is not the encrypted envelope", ErrBadRequest)
	}
	keySize := priv.Size()
	// Check lengths on the base64 text before decoding any of it.
	switch {
	case env.EncryptedFlowData == "" || env.EncryptedAESKey == "" || env.InitialVector == "":
		return Request{}, nil, fmt.Errorf("%w: envelope is missing a field", ErrBadRequest)
	case len(env.EncryptedAESKey) > base64.StdEncoding.EncodedLen(keySize)+4:
		return Request{}, nil, fmt.Errorf("%w: encrypted_aes_key is longer than the key", ErrDecrypt)
	case len(env.InitialVector) > base64.StdEncoding.EncodedLen(maxIV)+4:
		return Request{}, nil, fmt.Errorf("%w: initial_vector is too long", ErrBadRequest)
	}
	wrapped, err := decode64(env.EncryptedAESKey)
	if err != nil {
		return Request{}, nil, fmt.Errorf("%w: encrypted_aes_key is not base64", ErrBadRequest)
	}
	iv, err := decode64(env.InitialVector)
	if err != nil {
		return Request{}, nil, fmt.Errorf("%w: initial_vector is not base64", ErrBadRequest)
	}
	data, err := decode64(env.EncryptedFlowData)
	if err != nil {
		return Request{}, nil, fmt.Errorf("%w: encrypted_flow_data is not base64", ErrBadRequest)
	}
	if len(iv) < minIV || len(iv) > maxIV {
		return Request{}, nil, fmt.Errorf("%w: initial_vector is %d bytes", ErrBadRequest, len(iv))
	}
	if len(wrapped) != keySize {
		// A key of another size: most likely the client holds an old
		// public key, which is what 421 makes it re-fetch.
		return Request{}, nil, fmt.Errorf("%w: encrypted_aes_key does not match the key size", ErrDecrypt)
	}
	if len(data) < tagSize {
		return Request{}, nil, fmt.Errorf("%w: encrypted_flow_data is shorter than its tag", ErrDecrypt)
	}
	key, err := rsa.DecryptOAEP(sha256.New(), nil, priv, wrapped, nil)
	if err != nil {
		return Request{}, nil, fmt.Errorf("%w: AES key does not unwrap", ErrDecrypt)
	}
	if len(key) != aesKeySize {
		return Request{}, nil, fmt.Errorf("%w: AES key is %d bytes, not %d", ErrDecrypt, len(key), aesKeySize)
	}
	gcm, err := newGCM(key, len(iv))
	if err != nil {
		return Request{}, nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	plain, err := gcm.Open(nil, iv, data, nil)
	if err != nil {
		return Request{}, nil, fmt.Errorf("%w: flow data does not authenticate", ErrDecrypt)
	}
	req, err := parseRequest(plain)
	if err != nil {
		return Request{}, nil, err
	}
	return req, &Session{gcm: gcm, iv: iv}, nil
}

// Encrypt seals the reply: JSON of v, AES-128-GCM under the request's key
// and the request IV with every bit inverted, tag appended, base64. The
// HTTP response body is this string, as text/plain. It may be called once:
// a second reply would reuse the GCM nonce and leak the key stream.
func (s *Session) Encrypt(v any) (string, error) {
	if s == nil || s.gcm == nil {
		return "", errors.New("flows: encrypt: no session")
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("flows: encrypt: %w", err)
	}
	if s.used.Swap(true) {
		return "", ErrSessionUsed
	}
	return base64.StdEncoding.EncodeToString(s.gcm.Seal(nil, invert(s.iv), plain, nil)), nil
}

// parseRequest reads the decrypted payload, keeping numbers as text.
func parseRequest(plain []byte) (Request, error) {
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	var req Request
	if err := dec.Decode(&req); err != nil {
		return Request{}, fmt.Errorf("%w: decrypted payload is not a data-exchange request", ErrBadRequest)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Request{}, fmt.Errorf("%w: decrypted payload has data after the request", ErrBadRequest)
	}
	if req.Data == nil {
		req.Data = map[string]any{}
	}
	return req, nil
}

func newGCM(key []byte, nonceSize int) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithNonceSize(block, nonceSize)
}

// invert returns iv with every bit flipped: Meta's reply IV.
func invert(iv []byte) []byte {
	out := make([]byte, len(iv))
	for i, b := range iv {
		out[i] = ^b
	}
	return out
}

// decode64 accepts standard base64 with or without padding; Meta's
// examples pad, some proxies strip it.
func decode64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
