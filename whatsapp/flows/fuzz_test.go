package flows

import (
	"errors"
	"strings"
	"testing"
)

func FuzzDecrypt(f *testing.F) {
	k := key(f)
	for _, plain := range []string{
		`{"version":"3.0","action":"ping"}`,
		`{"version":"3.0","action":"data_exchange","screen":"STEP_A","data":{"aadhaar":234123412346},"flow_token":"t"}`,
		`{"action":1}`,
		`not json`,
	} {
		body, _, _, err := sealRequest(&k.PublicKey, []byte(plain), false)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"encrypted_flow_data":"","encrypted_aes_key":"","initial_vector":""}`))
	f.Add([]byte(`{"encrypted_flow_data":"AAAA","encrypted_aes_key":"AAAA","initial_vector":"AAAAAAAAAAAAAAAAAAAAAA=="}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, sess, err := Decrypt(k, body)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error %v is neither ErrDecrypt nor ErrBadRequest", err)
			}
			if sess != nil {
				t.Fatal("a session with an error")
			}
			return
		}
		if sess == nil || req.Data == nil {
			t.Fatalf("decrypted without a session or data: %+v", req)
		}
		if _, err := sess.Encrypt(Response{Data: map[string]any{"status": "active"}}); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseCompletion(f *testing.F) {
	for _, s := range []string{
		`{"flow_token":"t","a":"b","n":12,"b":false,"m":[{"media_id":"x"}]}`,
		`{"flow_token":""}`,
		`{"flow_token":"t","flow_token":"u"}`,
		`{"flow_token":"t","x":{"y":[1,2,{"z":null}]}}`,
		`null`, `[]`, `{`, `"x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		token, answers, err := ParseCompletion(s)
		if err != nil {
			if !errors.Is(err, ErrBadCompletion) {
				t.Fatalf("error %v is not ErrBadCompletion", err)
			}
			return
		}
		if strings.TrimSpace(token) == "" || answers == nil {
			t.Fatalf("token %q, answers %v", token, answers)
		}
		if _, ok := answers["flow_token"]; ok {
			t.Fatal("flow_token among the answers")
		}
		for k := range answers {
			if strings.HasPrefix(k, "@") {
				t.Fatalf("draft key %q among the answers", k)
			}
		}
	})
}
