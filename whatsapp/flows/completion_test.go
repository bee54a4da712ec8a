package flows

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseCompletion(t *testing.T) {
	t.Parallel()
	token, answers, err := ParseCompletion(`{"flow_token":"draft-7","aadhaar":234123412346,"village":"తెనాలి","ok":true,` +
		`"photo":[{"media_id":"m1", "cdn_url":"https://x"}],"skip":null,"@screen":"SUMMARY"}`)
	if err != nil || token != "draft-7" {
		t.Fatalf("token %q, %v", token, err)
	}
	want := map[string]string{"aadhaar": goodAadhaar, "village": "తెనాలి", "ok": "yes", "photo": `[{"media_id":"m1","cdn_url":"https://x"}]`}
	if !reflect.DeepEqual(answers, want) {
		t.Fatalf("answers = %v, want %v", answers, want)
	}
}

func TestParseCompletionRefusesBadInput(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty":         "",
		"not JSON":      "flow_token=x",
		"array":         `[{"flow_token":"x"}]`,
		"null":          "null",
		"no token":      `{"a":"b"}`,
		"blank token":   `{"flow_token":"  "}`,
		"number token":  `{"flow_token":7}`,
		"trailing":      `{"flow_token":"x"} {}`,
		"truncated":     `{"flow_token":"x","a":"`,
		"long token":    `{"flow_token":"` + strings.Repeat("x", 2000) + `"}`,
		"too big":       `{"flow_token":"x","a":"` + strings.Repeat("x", maxCompletionBytes) + `"}`,
		"too many keys": `{"flow_token":"x"` + manyKeys(maxCompletionKeys+1) + `}`,
	} {
		if _, _, err := ParseCompletion(in); !errors.Is(err, ErrBadCompletion) {
			t.Errorf("%s: %v, want ErrBadCompletion", name, err)
		}
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`,"k`)
		b.WriteString(letters(i))
		b.WriteString(`":"v"`)
	}
	return b.String()
}
