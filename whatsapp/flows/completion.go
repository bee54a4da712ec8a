package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Bounds on a completion, which arrives from the webhook and so from the
// network: Respond's params are one form's answers, far under these.
const (
	maxCompletionBytes = 256 << 10
	maxCompletionKeys  = 500
	maxTokenBytes      = 1024
)

// ResponseJSON is the completion a finished flow sends as the nfm_reply's
// response_json: the flow_token mitra issued and the params Respond put in
// the SUCCESS response, keyed by field id.
type ResponseJSON struct {
	FlowToken string
	Answers   map[string]string
}

// UnmarshalJSON reads a response_json object. Answers are texts; a number
// keeps its digits, true and false read as "yes" and "no", and a list or
// object (a picker's media) is kept as compact JSON.
func (r *ResponseJSON) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return fmt.Errorf("%w: not a JSON object", ErrBadCompletion)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the object", ErrBadCompletion)
	}
	if len(raw) > maxCompletionKeys {
		return fmt.Errorf("%w: %d keys", ErrBadCompletion, len(raw))
	}
	var token string
	if err := json.Unmarshal(raw["flow_token"], &token); err != nil || strings.TrimSpace(token) == "" {
		return fmt.Errorf("%w: no flow_token", ErrBadCompletion)
	}
	if len(token) > maxTokenBytes {
		return fmt.Errorf("%w: flow_token is over %d bytes", ErrBadCompletion, maxTokenBytes)
	}
	answers := make(map[string]string, len(raw))
	for k, v := range raw {
		if k == "flow_token" || strings.HasPrefix(k, "@") {
			continue
		}
		s, ok, err := answerText(v)
		if err != nil {
			return fmt.Errorf("%w: %q: %v", ErrBadCompletion, k, err)
		}
		if ok {
			answers[k] = s
		}
	}
	r.FlowToken, r.Answers = token, answers
	return nil
}

func answerText(v json.RawMessage) (string, bool, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return "", false, nil
	}
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err == nil, err
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return "", false, err
		}
		return scalar(b), true, nil
	case '[', '{':
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return "", false, err
		}
		return buf.String(), true, nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return "", false, err
	}
	return n.String(), true, nil
}

// ParseCompletion reads an nfm_reply's response_json into the flow_token
// (which names the citizen's draft) and the answers. Errors wrap
// ErrBadCompletion; any input, however broken, gives an error, not a
// panic.
func ParseCompletion(responseJSON string) (token string, answers map[string]string, err error) {
	if len(responseJSON) > maxCompletionBytes {
		return "", nil, fmt.Errorf("%w: over %d bytes", ErrBadCompletion, maxCompletionBytes)
	}
	var r ResponseJSON
	if err := r.UnmarshalJSON([]byte(responseJSON)); err != nil {
		return "", nil, err
	}
	return r.FlowToken, r.Answers, nil
}
