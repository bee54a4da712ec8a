package flows

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
)

func walker(t *testing.T, service string, lang catalog.Lang) *Walker {
	t.Helper()
	_, fields := form(t, service)
	w, err := NewWalker(fields, lang)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// step sends one data_exchange and fails the test on a protocol error.
func step(t *testing.T, w *Walker, draft map[string]string, screen string, data map[string]any) (Response, map[string]string) {
	t.Helper()
	resp, next, err := w.Respond(Request{Version: "3.0", Action: ActionDataExchange, Screen: screen, Data: data, FlowToken: "tok"}, draft, today)
	if err != nil {
		t.Fatal(err)
	}
	return resp, next
}

var stepA = map[string]any{
	"applicant_name":         "Lakshmi Devi",
	"father_or_husband_name": "Ramaiah",
	"date_of_birth":          "1980-08-15",
	"aadhaar":                json.Number(goodAadhaar),
}

func consented(t *testing.T, w *Walker) map[string]string {
	t.Helper()
	resp, draft := step(t, w, nil, ScreenConsent, map[string]any{"consent": true, "screen": ScreenConsent})
	if resp.Screen != "STEP_A" || draft[ConsentKey] != "yes" {
		t.Fatalf("after consent: %+v %v", resp, draft)
	}
	return draft
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

func TestRespondPingAndErrorNotification(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	resp, _, err := w.Respond(Request{Version: "3.0", Action: ActionPing}, nil, today)
	if err != nil || resp.Screen != "" || resp.Data["status"] != "active" || len(resp.Data) != 1 {
		t.Fatalf("ping = %+v, %v", resp, err)
	}
	resp, _, err = w.Respond(Request{Version: "3.0", Action: ActionDataExchange, Screen: "STEP_A",
		Data: map[string]any{"error": "INVALID_SCREEN_DATA", "error_message": "…"}, FlowToken: "tok"}, nil, today)
	if err != nil || resp.Screen != "" || resp.Data["acknowledged"] != true {
		t.Fatalf("error notification = %+v, %v", resp, err)
	}
}

func TestRespondInitShowsConsentAndKeepsNothingBeforeIt(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	resp, draft, err := w.Respond(Request{Version: "3.0", Action: ActionInit, FlowToken: "tok"}, nil, today)
	if err != nil || resp.Screen != ScreenConsent {
		t.Fatalf("INIT = %+v, %v", resp, err)
	}
	// Answers sent without consent are not kept.
	resp, draft = step(t, w, draft, "STEP_A", stepA)
	if resp.Screen != ScreenConsent || draft["applicant_name"] != "" {
		t.Fatalf("without consent: %+v, draft %v", resp, draft)
	}
	resp, draft = step(t, w, draft, ScreenConsent, map[string]any{"consent": false})
	if resp.Screen != ScreenConsent || draft[ConsentKey] != "" {
		t.Fatalf("declined consent: %+v, draft %v", resp, draft)
	}
}

func TestRespondInvalidAadhaarStaysOnTheScreen(t *testing.T) {
	t.Parallel()
	for _, lang := range catalog.Langs {
		w := walker(t, "income-certificate", lang)
		draft := consented(t, w)
		resp, draft := step(t, w, draft, "STEP_A", with(stepA, "aadhaar", json.Number(badAadhaar)))
		if resp.Screen != "STEP_A" {
			t.Fatalf("%s: went to %s with a wrong Aadhaar", lang, resp.Screen)
		}
		if got, want := resp.Data["error_aadhaar"], ProblemText(lang, catalog.ProblemAadhaar); got != want {
			t.Fatalf("%s: error_aadhaar = %q, want %q", lang, got, want)
		}
		// The other fields show no error, and are kept.
		if resp.Data["error_applicant_name"] != "" || resp.Data["has_notice"] != false {
			t.Fatalf("%s: data = %v", lang, resp.Data)
		}
		if draft["applicant_name"] != "Lakshmi Devi" || draft["aadhaar"] != "" {
			t.Fatalf("%s: draft = %v", lang, draft)
		}
		resp, draft = step(t, w, draft, "STEP_A", with(stepA, "aadhaar", "2341 2341 2346"))
		if resp.Screen != "STEP_B" || draft["aadhaar"] != goodAadhaar {
			t.Fatalf("%s: corrected: %+v, draft %v", lang, resp, draft)
		}
	}
}

func TestRespondChecksEveryFieldOnTheScreen(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.Telugu)
	draft := consented(t, w)
	resp, _ := step(t, w, draft, "STEP_A", map[string]any{
		"applicant_name": "", "father_or_husband_name": strings.Repeat("అ", 101),
		"date_of_birth": "2027-01-01", "aadhaar": "12",
	})
	for key, code := range map[string]string{
		"error_applicant_name":         catalog.ProblemRequired,
		"error_father_or_husband_name": catalog.ProblemTooLong,
		"error_date_of_birth":          catalog.ProblemFuture,
		"error_aadhaar":                catalog.ProblemAadhaar,
	} {
		if got, want := resp.Data[key], ProblemText(catalog.Telugu, code); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func TestRespondSkipsAndShowsTheConditionalScreen(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	draft := consented(t, w)
	_, draft = step(t, w, draft, "STEP_A", stepA)
	stepB := map[string]any{"village": "Mangalagiri", "pin_code": json.Number("522503"), "annual_income": json.Number("96000"), "purpose": "other"}

	resp, draft := step(t, w, draft, "STEP_B", stepB)
	if resp.Screen != "STEP_C" {
		t.Fatalf("purpose other: went to %s, want STEP_C", resp.Screen)
	}
	resp, draft = step(t, w, draft, "STEP_C", map[string]any{"purpose_other": "Bank loan"})
	if resp.Screen != ScreenSummary || draft["purpose_other"] != "Bank loan" {
		t.Fatalf("after STEP_C: %+v %v", resp, draft)
	}
	// Going back and choosing a job skips STEP_C and forgets its answer.
	resp, draft = step(t, w, draft, "STEP_B", with(stepB, "purpose", "job"))
	if resp.Screen != ScreenSummary {
		t.Fatalf("purpose job: went to %s, want SUMMARY", resp.Screen)
	}
	if _, ok := draft["purpose_other"]; ok {
		t.Fatalf("purpose_other kept after it was hidden: %v", draft)
	}
	if s := resp.Data["summary"].(string); strings.Contains(s, "Bank loan") || !strings.Contains(s, "What is it for?: Job") {
		t.Fatalf("summary = %q", s)
	}
}

func TestRespondBack(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	draft := consented(t, w)
	_, draft = step(t, w, draft, "STEP_A", stepA)
	stepB := map[string]any{"village": "Guntur", "pin_code": "522001", "annual_income": "50000", "purpose": "job"}
	_, draft = step(t, w, draft, "STEP_B", stepB) // SUMMARY, STEP_C skipped
	back := func(screen string, draft map[string]string) (Response, map[string]string) {
		resp, next, err := w.Respond(Request{Version: "3.0", Action: ActionBack, Screen: screen, FlowToken: "tok"}, draft, today)
		if err != nil {
			t.Fatal(err)
		}
		return resp, next
	}
	// Back from SUMMARY skips the hidden STEP_C, however the request
	// names the screen: the one left, the one returned to, or none.
	for _, named := range []string{ScreenSummary, "STEP_B", ""} {
		resp, next := back(named, draft)
		if resp.Screen != "STEP_B" || resp.Data["error_village"] != "" {
			t.Fatalf("BACK naming %q: %+v", named, resp)
		}
		if next[CursorKey] != "STEP_B" {
			t.Fatalf("cursor = %q", next[CursorKey])
		}
	}
	resp, draft := back("STEP_B", map[string]string{ConsentKey: "yes", CursorKey: "STEP_B"})
	if resp.Screen != "STEP_A" {
		t.Fatalf("BACK from STEP_B: %s", resp.Screen)
	}
	if resp, _ = back("STEP_A", draft); resp.Screen != ScreenConsent {
		t.Fatalf("BACK from STEP_A: %s", resp.Screen)
	}
}

func TestRespondConfirmEndsWithSuccess(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.Hindi)
	draft := consented(t, w)
	_, draft = step(t, w, draft, "STEP_A", stepA)
	resp, draft := step(t, w, draft, "STEP_B", map[string]any{"village": "Tenali", "pin_code": "522 201", "annual_income": "1,20,000", "purpose": "education"})
	if resp.Screen != ScreenSummary {
		t.Fatalf("got %s", resp.Screen)
	}
	summary := resp.Data["summary"].(string)
	for _, want := range []string{"पढ़ाई / छात्रवृत्ति", "15-08-1980", "XXXX XXXX 2346", "120000"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, goodAadhaar) {
		t.Errorf("summary shows the whole Aadhaar:\n%s", summary)
	}
	resp, _ = step(t, w, draft, ScreenSummary, map[string]any{"screen": ScreenSummary, "action": "confirm"})
	if resp.Screen != ScreenSuccess {
		t.Fatalf("confirm = %+v", resp)
	}
	params := resp.Data["extension_message_response"].(map[string]any)["params"].(map[string]any)
	want := map[string]any{
		"flow_token": "tok", "applicant_name": "Lakshmi Devi", "father_or_husband_name": "Ramaiah",
		"date_of_birth": "1980-08-15", "aadhaar": goodAadhaar, "village": "Tenali", "pin_code": "522201",
		"annual_income": "120000", "purpose": "education",
	}
	if len(params) != len(want) {
		t.Fatalf("params = %v, want %v", params, want)
	}
	for k, v := range want {
		if params[k] != v {
			t.Errorf("params[%s] = %v, want %v", k, params[k], v)
		}
	}
}

func TestRespondConfirmRechecksTheDraft(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	// A draft that lost an answer (or never had it) cannot finish.
	draft := map[string]string{ConsentKey: "yes", "applicant_name": "Lakshmi"}
	resp, _ := step(t, w, draft, ScreenSummary, map[string]any{"action": "confirm"})
	if resp.Screen != ScreenSummary || resp.Data["has_notice"] != true || resp.Data["notice"] != say(catalog.English, "summary_incomplete") {
		t.Fatalf("confirm on an incomplete draft = %+v", resp)
	}
}

func TestRespondPhotoScreen(t *testing.T) {
	t.Parallel()
	w := walker(t, "power-supply-complaint", catalog.Telugu)
	draft := consented(t, w)
	resp, draft := step(t, w, draft, "STEP_A", map[string]any{"description": "మా వీధిలో మూడు రోజులుగా కరెంటు లేదు"})
	if resp.Screen != "STEP_B" {
		t.Fatalf("got %s", resp.Screen)
	}
	photos := []any{map[string]any{"media_id": "m1", "cdn_url": "https://cdn.example/x", "file_name": "a.jpg",
		"encryption_metadata": map[string]any{"encryption_key": "k", "hmac_key": "h", "iv": "i", "plaintext_hash": "p", "encrypted_hash": "e"}}}
	resp, draft = step(t, w, draft, "STEP_B", map[string]any{"photo": photos})
	if resp.Screen != "STEP_C" || !strings.Contains(draft["photo"], `"media_id":"m1"`) {
		t.Fatalf("photo: %+v, draft %q", resp, draft["photo"])
	}
	// A malformed picker value is reported on the screen notice.
	resp, _ = step(t, w, draft, "STEP_B", map[string]any{"photo": []any{"not media"}})
	if resp.Screen != "STEP_B" || resp.Data["has_notice"] != true || !strings.Contains(resp.Data["notice"].(string), "సమస్య ఫోటో") {
		t.Fatalf("bad photo: %+v", resp)
	}
	resp, draft = step(t, w, draft, "STEP_C", map[string]any{"location": "రామాలయం దగ్గర", "village": "తెనాలి"})
	if resp.Screen != ScreenSummary || draft["location"] != "రామాలయం దగ్గర" {
		t.Fatalf("location: %+v %v", resp, draft)
	}
	if s := resp.Data["summary"].(string); !strings.Contains(s, "జత చేశారు (1)") {
		t.Fatalf("summary = %q", s)
	}
}

func TestRespondRefusesUnknownScreensAndActions(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	for _, req := range []Request{
		{Action: ActionDataExchange, Screen: "STEP_Z"},
		{Action: ActionDataExchange},
		{Action: "navigate", Screen: "STEP_A"},
	} {
		if _, _, err := w.Respond(req, nil, today); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%+v: %v, want ErrBadRequest", req, err)
		}
	}
}

func TestRespondDoesNotChangeTheCallersDraft(t *testing.T) {
	t.Parallel()
	w := walker(t, "income-certificate", catalog.English)
	draft := map[string]string{ConsentKey: "yes"}
	step(t, w, draft, "STEP_A", stepA)
	if len(draft) != 1 {
		t.Fatalf("draft changed: %v", draft)
	}
}
