package flows

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func TestGenerateKeyWritesPEMsMetaAccepts(t *testing.T) {
	t.Parallel()
	privPEM, pubPEM, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(privPEM); b == nil || b.Type != "PRIVATE KEY" {
		t.Fatalf("private PEM block = %v, want PRIVATE KEY", b)
	}
	b, _ := pem.Decode(pubPEM)
	if b == nil || b.Type != "PUBLIC KEY" {
		t.Fatalf("public PEM block = %v, want PUBLIC KEY", b)
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	if priv.N.BitLen() != 2048 || !priv.PublicKey.Equal(pub) {
		t.Fatalf("key is %d bits, public key matches: %v", priv.N.BitLen(), priv.PublicKey.Equal(pub))
	}
}

func TestParsePrivateKey(t *testing.T) {
	t.Parallel()
	k := key(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	if got, err := ParsePrivateKey(pkcs1); err != nil || !got.Equal(k) {
		t.Fatalf("PKCS#1: %v", err)
	}

	short, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	shortDER, _ := x509.MarshalPKCS8PrivateKey(short)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	garbled := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: append(x509.MarshalPKCS1PrivateKey(k)[:40], "SECRETSECRET"...)})
	for name, in := range map[string][]byte{
		"1024-bit":   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: shortDER}),
		"ecdsa":      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}),
		"public key": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}),
		"encrypted":  pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}}),
		"not PEM":    []byte("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
		"garbled":    garbled,
	} {
		_, err := ParsePrivateKey(in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		// The key is a secret: no part of it may reach a log line.
		body := strings.Join(strings.Split(string(in), "\n")[1:], "")
		for i := 0; i+8 <= len(body); i += 8 {
			if strings.Contains(err.Error(), body[i:i+8]) {
				t.Errorf("%s: error %q quotes the key", name, err)
				break
			}
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error %q quotes the key", name, err)
		}
	}
}

// seal encrypts plain as Meta does and returns the body and what the
// reply is sealed with.
func seal(t testing.TB, pub *rsa.PublicKey, plain string) (body, aesKey, iv []byte) {
	t.Helper()
	body, aesKey, iv, err := sealRequest(pub, []byte(plain), false)
	if err != nil {
		t.Fatal(err)
	}
	return body, aesKey, iv
}

func TestDecryptAndEncryptFollowMeta(t *testing.T) {
	t.Parallel()
	k := key(t)
	body, aesKey, iv := seal(t, &k.PublicKey, `{"version":"3.0","action":"data_exchange","screen":"STEP_A","data":{"aadhaar":234123412346,"name":"లక్ష్మి"},"flow_token":"tok-1"}`)
	req, sess, err := Decrypt(k, body)
	if err != nil {
		t.Fatal(err)
	}
	if req.Version != "3.0" || req.Action != ActionDataExchange || req.Screen != "STEP_A" || req.FlowToken != "tok-1" {
		t.Fatalf("request = %+v", req)
	}
	// Twelve digits must come through as typed, not via float64.
	if n, ok := req.Data["aadhaar"].(json.Number); !ok || n.String() != goodAadhaar {
		t.Fatalf("aadhaar = %#v", req.Data["aadhaar"])
	}
	if req.Data["name"] != "లక్ష్మి" {
		t.Fatalf("name = %q", req.Data["name"])
	}
	out, err := sess.Encrypt(Response{Screen: "STEP_B", Data: map[string]any{"x": "y"}})
	if err != nil {
		t.Fatal(err)
	}
	// The reply must open under the bit-inverted IV and nothing else.
	sealed, err := base64.StdEncoding.DecodeString(out)
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := newGCM(aesKey, len(iv))
	if _, err := gcm.Open(nil, iv, sealed, nil); err == nil {
		t.Fatal("reply opens under the request IV; Meta expects the inverted IV")
	}
	resp, err := openResponse(aesKey, iv, []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Screen != "STEP_B" || resp.Data["x"] != "y" {
		t.Fatalf("reply = %+v", resp)
	}
	if _, err := sess.Encrypt(Response{}); !errors.Is(err, ErrSessionUsed) {
		t.Fatalf("second Encrypt: %v, want ErrSessionUsed", err)
	}
}

func TestDecryptInvertsEveryIVBit(t *testing.T) {
	t.Parallel()
	iv := []byte{0x00, 0xff, 0x0f, 0xa5}
	got := invert(iv)
	for i := range iv {
		if got[i]^iv[i] != 0xff {
			t.Fatalf("invert(%x) = %x", iv, got)
		}
	}
}

func TestDecryptRefusesWhatDoesNotDecrypt(t *testing.T) {
	t.Parallel()
	k := key(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	plain := `{"version":"3.0","action":"ping"}`
	wrongKey, _, _ := seal(t, &other.PublicKey, plain)
	tampered, _, _, err := sealRequest(&k.PublicKey, []byte(plain), true)
	if err != nil {
		t.Fatal(err)
	}
	good, _, _ := seal(t, &k.PublicKey, plain)
	var env envelope
	_ = json.Unmarshal(good, &env)
	withKey := func(f func(*envelope)) []byte {
		e := env
		f(&e)
		b, _ := json.Marshal(e)
		return b
	}
	for name, body := range map[string][]byte{
		"wrong key":    wrongKey,
		"tampered tag": tampered,
		"short key": withKey(func(e *envelope) {
			e.EncryptedAESKey = base64.StdEncoding.EncodeToString([]byte("short"))
		}),
		"no tag": withKey(func(e *envelope) {
			e.EncryptedFlowData = base64.StdEncoding.EncodeToString([]byte("abc"))
		}),
	} {
		if _, _, err := Decrypt(k, body); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v, want ErrDecrypt", name, err)
		}
	}
}

func TestDecryptRefusesWhatIsNotARequest(t *testing.T) {
	t.Parallel()
	k := key(t)
	good, _, _ := seal(t, &k.PublicKey, `{"action":"ping"}`)
	var env envelope
	_ = json.Unmarshal(good, &env)
	withEnv := func(f func(*envelope)) []byte {
		e := env
		f(&e)
		b, _ := json.Marshal(e)
		return b
	}
	notJSON, _, _ := seal(t, &k.PublicKey, `{"action":"ping"`)
	trailing, _, _ := seal(t, &k.PublicKey, `{"action":"ping"} {}`)
	dataString, _, _ := seal(t, &k.PublicKey, `{"action":"ping","data":"x"}`)
	for name, body := range map[string][]byte{
		"empty":            nil,
		"not JSON":         []byte("encrypted_flow_data=abc"),
		"array":            []byte(`[]`),
		"missing field":    []byte(`{"encrypted_flow_data":"YQ==","encrypted_aes_key":"YQ=="}`),
		"key not base64":   withEnv(func(e *envelope) { e.EncryptedAESKey = "!!" + e.EncryptedAESKey[2:] }),
		"data not base64":  withEnv(func(e *envelope) { e.EncryptedFlowData = "%%%%" }),
		"iv not base64":    withEnv(func(e *envelope) { e.InitialVector = "***" }),
		"iv too short":     withEnv(func(e *envelope) { e.InitialVector = base64.StdEncoding.EncodeToString([]byte("1234")) }),
		"iv too long":      withEnv(func(e *envelope) { e.InitialVector = strings.Repeat("A", 400) }),
		"payload not JSON": notJSON,
		"trailing data":    trailing,
		"data not object":  dataString,
		"too big":          append([]byte(`{"x":"`), make([]byte, MaxBody)...),
	} {
		if _, _, err := Decrypt(k, body); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: %v, want ErrBadRequest", name, err)
		}
	}
}
