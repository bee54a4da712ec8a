package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// An alert template is submitted with its quick reply, sent with the
// button's payload and the callback data, and a payload for a button the
// template lacks is refused as Meta refuses it. The status webhook the
// fake plays back parses with the callback and Meta's pricing.
func TestAlertTemplateQuickRepliesCallbackAndPricing(t *testing.T) {
	t.Parallel()
	fake := &FakeGraph{Token: "tok", AutoApprove: true}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := NewClient(ClientConfig{BaseURL: srv.URL + "/v24.0", PhoneNumberID: "1", BusinessAccountID: "102290129340398", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sub := TemplateSubmission{Name: "weather_warning", Language: "te", Category: "utility", Body: "వాతావరణ హెచ్చరిక ({{1}} జిల్లా): {{2}}.",
		Examples: []string{"కృష్ణా", "భారీ వర్షం"}, QuickReplies: []string{"హెచ్చరికలు ఆపండి"}}
	if _, err := c.CreateTemplate(ctx, sub); err != nil {
		t.Fatal(err)
	}
	bad := sub
	bad.Name, bad.QuickReplies = "too_long_button", []string{strings.Repeat("ఆ", 26)}
	if _, err := c.CreateTemplate(ctx, bad); err == nil {
		t.Error("a 26-character quick reply was taken")
	}
	m, err := TemplateMessage("919000000001", "weather_warning", "te", "కృష్ణా", "భారీ వర్షం")
	if err != nil {
		t.Fatal(err)
	}
	m = m.WithQuickReplies("rights:stop").WithCallback("campaign:7:919000000001")
	if _, err := c.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent()
	var got struct {
		Callback string `json:"biz_opaque_callback_data"`
		Template struct {
			Components []struct {
				Type, SubType, Index string
				Parameters           []struct{ Type, Payload string }
			} `json:"components"`
		} `json:"template"`
	}
	json.Unmarshal(sent[0].Payload, &got)
	comps := got.Template.Components
	if got.Callback != "campaign:7:919000000001" || len(comps) != 2 || comps[1].Type != "button" || comps[1].Index != "0" ||
		comps[1].Parameters[0].Type != "payload" || comps[1].Parameters[0].Payload != "rights:stop" {
		t.Errorf("wire format: %s", sent[0].Payload)
	}
	if _, err := c.Send(ctx, m.WithQuickReplies("extra")); err == nil {
		t.Error("a payload for a second button the template lacks was taken")
	} else if se := (*SendError)(nil); !errors.As(err, &se) || se.Code != 132000 {
		t.Errorf("refusal %v, want 132000", err)
	}
	body, err := fake.StatusWebhook("1", "delivered", sent[0])
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ParseWebhook(body)
	if err != nil || len(ev.Statuses) != 1 {
		t.Fatalf("%v %+v", err, ev)
	}
	st := ev.Statuses[0]
	if st.Callback != "campaign:7:919000000001" || !st.Billable || st.Category != "utility" || st.MessageID != sent[0].ID || st.Status != "delivered" {
		t.Errorf("status %+v", st)
	}
}
