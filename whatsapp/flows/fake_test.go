package flows

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
)

func TestFakeClientWalksTheIncomeCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, e := serve(t, "income-certificate", catalog.Telugu)
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := c.Init(ctx, "draft-42")
	if err != nil || s.ID != ScreenConsent {
		t.Fatalf("Init = %+v, %v", s, err)
	}
	// The client will not submit CONSENT without the box ticked.
	if _, err := c.Submit(ctx, ScreenConsent, nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("unticked consent: %v", err)
	}
	if s, err = c.Submit(ctx, ScreenConsent, map[string]any{"consent": true}); err != nil || s.ID != "STEP_A" {
		t.Fatalf("consent: %+v, %v", s, err)
	}
	a := map[string]any{"applicant_name": "లక్ష్మి దేవి", "father_or_husband_name": "రామయ్య", "date_of_birth": "1980-08-15", "aadhaar": badAadhaar}
	if s, err = c.Submit(ctx, "STEP_A", a); err != nil || s.ID != "STEP_A" {
		t.Fatalf("bad Aadhaar: %+v, %v", s, err)
	}
	if got, want := s.Data["error_aadhaar"], ProblemText(catalog.Telugu, catalog.ProblemAadhaar); got != want {
		t.Fatalf("error_aadhaar = %v, want %q", got, want)
	}
	a["aadhaar"] = goodAadhaar
	if s, err = c.Submit(ctx, "STEP_A", a); err != nil || s.ID != "STEP_B" {
		t.Fatalf("STEP_A: %+v, %v", s, err)
	}
	b := map[string]any{"village": "మంగళగిరి", "pin_code": "522503", "annual_income": "96000", "purpose": "other"}
	if s, err = c.Submit(ctx, "STEP_B", b); err != nil || s.ID != "STEP_C" {
		t.Fatalf("STEP_B other: %+v, %v", s, err)
	}
	// Back to STEP_B (a BACK request: STEP_C refreshes on back), change
	// the purpose, and STEP_C is skipped.
	if s, err = c.Back(ctx, "STEP_C"); err != nil || s.ID != "STEP_B" {
		t.Fatalf("Back: %+v, %v", s, err)
	}
	b["purpose"] = "job"
	if s, err = c.Submit(ctx, "STEP_B", b); err != nil || s.ID != ScreenSummary {
		t.Fatalf("STEP_B job: %+v, %v", s, err)
	}
	s, err = c.Submit(ctx, ScreenSummary, nil)
	if err != nil || s.ID != ScreenSuccess {
		t.Fatalf("confirm: %+v, %v", s, err)
	}
	if _, ok := c.Current(); ok {
		t.Fatal("the flow is still open after SUCCESS")
	}
	// What WhatsApp puts in the nfm_reply is the params object.
	params := s.Data["extension_message_response"].(map[string]any)["params"]
	responseJSON, _ := json.Marshal(params)
	token, answers, err := ParseCompletion(string(responseJSON))
	if err != nil || token != "draft-42" {
		t.Fatalf("completion: %q, %v", token, err)
	}
	if answers["aadhaar"] != goodAadhaar || answers["purpose"] != "job" || answers["applicant_name"] != "లక్ష్మి దేవి" {
		t.Fatalf("answers = %v", answers)
	}
	if _, ok := answers["purpose_other"]; ok {
		t.Fatalf("answers keep the hidden purpose_other: %v", answers)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.drafts["draft-42"]; d["pin_code"] != "522503" || d[ConsentKey] != "yes" {
		t.Fatalf("stored draft = %v", d)
	}
}

func TestFakeClientFaultsGet421(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := serve(t, "old-age-pension", catalog.English)
	for _, f := range []Fault{FaultWrongKey, FaultTamperTag} {
		c.Break(f)
		var se *StatusError
		if err := c.Ping(ctx); !errors.As(err, &se) || se.Code != http.StatusMisdirectedRequest {
			t.Errorf("fault %d: %v, want 421", f, err)
		}
		// The fault is for one request only.
		if err := c.Ping(ctx); err != nil {
			t.Errorf("after fault %d: %v", f, err)
		}
	}
}

func TestFakeClientSignsTheBody(t *testing.T) {
	t.Parallel()
	c, e := serve(t, "old-age-pension", catalog.English)
	c.secret = e.secret + "-other"
	var se *StatusError
	if err := c.Ping(context.Background()); !errors.As(err, &se) || se.Code != 432 {
		t.Fatalf("wrong app secret: %v, want 432", err)
	}
}

func TestFakeClientRefusesTransitionsTheRoutingModelForbids(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, e := serve(t, "income-certificate", catalog.English)
	if _, err := c.Init(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	// A broken endpoint that jumps from CONSENT straight to SUMMARY.
	e.setOverride(func(req Request) (Response, bool) {
		return Response{Screen: ScreenSummary, Data: map[string]any{"summary": "-", "notice": "", "has_notice": false}}, req.Screen == ScreenConsent
	})
	if _, err := c.Submit(ctx, ScreenConsent, map[string]any{"consent": true}); !errors.Is(err, ErrRefused) {
		t.Fatalf("CONSENT → SUMMARY: %v, want refused", err)
	}
	// One that sends data the screen does not declare.
	e.setOverride(func(req Request) (Response, bool) {
		return Response{Screen: "STEP_A", Data: map[string]any{"surprise": "x"}}, true
	})
	if _, err := c.Submit(ctx, ScreenConsent, map[string]any{"consent": true}); !errors.Is(err, ErrRefused) {
		t.Fatalf("undeclared data: %v, want refused", err)
	}
	// And one whose INIT does not open on the entry screen.
	e.setOverride(func(req Request) (Response, bool) {
		return Response{Screen: "STEP_B", Data: map[string]any{}}, req.Action == ActionInit
	})
	if _, err := c.Init(ctx, "tok"); !errors.Is(err, ErrRefused) {
		t.Fatalf("INIT on STEP_B: %v, want refused", err)
	}
	// The fake itself will not submit a screen that is not shown.
	e.setOverride(nil)
	if _, err := c.Init(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, "STEP_B", nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("submit of a screen not shown: %v", err)
	}
}

func TestFakeClientErrorNotification(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, "old-age-pension", catalog.English)
	resp, err := c.Exchange(context.Background(), Request{Version: "3.0", Action: ActionDataExchange, Screen: "STEP_A",
		FlowToken: "tok", Data: map[string]any{"error": "INVALID_SCREEN_DATA", "error_message": "bad"}})
	if err != nil || resp.Data["acknowledged"] != true {
		t.Fatalf("error notification: %+v, %v", resp, err)
	}
}
