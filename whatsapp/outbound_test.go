package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBuildersEnforceLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ఆదాయ ధ్రువీకరణ పత్రం ", 400) // ~8,400 runes
	msgs, err := TextMessages("919000000001", long)
	if err != nil || len(msgs) < 3 {
		t.Fatalf("TextMessages: %v, %d parts", err, len(msgs))
	}
	for _, m := range msgs {
		if n := utf8.RuneCountInString(m.Text.Body); n > maxTextBody {
			t.Errorf("text part of %d runes", n)
		}
	}
	rows := []Row{{ID: "svc:income-certificate", Title: "ఆదాయ ధ్రువీకరణ పత్రం కోసం దరఖాస్తు చేయండి", Description: strings.Repeat("వివరణ ", 30)}}
	l, err := List("919000000001", "Choose", "సేవల జాబితా చూడండి ఇక్కడ", rows)
	if err != nil {
		t.Fatal(err)
	}
	row := l.Interactive.Action.Sections[0].Rows[0]
	if utf8.RuneCountInString(row.Title) > maxRowTitle || utf8.RuneCountInString(row.Description) > maxRowDescription ||
		utf8.RuneCountInString(l.Interactive.Action.Button) > maxListButton || !strings.HasSuffix(row.Title, "…") {
		t.Errorf("list not held to limits: %+v button %q", row, l.Interactive.Action.Button)
	}
	eleven := make([]Row, 11)
	for i := range eleven {
		eleven[i] = Row{ID: string(rune('a' + i)), Title: "x"}
	}
	if _, err := List("9", "b", "Menu", eleven); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("11 rows: %v", err)
	}
	if _, err := List("9", "b", "Menu", []Row{{ID: "a", Title: "x"}, {ID: "a", Title: "y"}}); err == nil {
		t.Error("repeated row id accepted")
	}
	if _, err := Buttons("9", "b", []Row{{ID: "a", Title: "Yes"}, {ID: "b", Title: "Yes"}}); err == nil {
		t.Error("repeated button title accepted")
	}
	if _, err := Buttons("9", "b", make([]Row, 4)); err == nil {
		t.Error("4 buttons accepted")
	}
	if _, err := TextMessages("9", "   "); err == nil {
		t.Error("empty text accepted")
	}
}

func newTestClient(t *testing.T) (*Client, *FakeGraph) {
	t.Helper()
	fake := &FakeGraph{Token: "tok"}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := NewClient(ClientConfig{BaseURL: srv.URL + "/v24.0", PhoneNumberID: "106540352242922", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func TestClientSendsWireFormat(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t)
	ctx := context.Background()
	b, _ := Buttons("919000000001", "Which of these?", []Row{{ID: "svc:a", Title: "A"}, {ID: "none", Title: "None of these"}})
	id, err := c.Send(ctx, b)
	if err != nil || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("Send: %q, %v", id, err)
	}
	if err := c.MarkRead(ctx, "wamid.IN", true); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent()
	if len(sent) != 1 || fake.Reads()[0] != "wamid.IN" {
		t.Fatalf("fake saw %+v / %v", sent, fake.Reads())
	}
	var got map[string]any
	json.Unmarshal(sent[0].Payload, &got)
	inter := got["interactive"].(map[string]any)
	buttons := inter["action"].(map[string]any)["buttons"].([]any)
	first := buttons[0].(map[string]any)
	if got["messaging_product"] != "whatsapp" || got["to"] != "919000000001" || inter["type"] != "button" ||
		first["type"] != "reply" || first["reply"].(map[string]any)["id"] != "svc:a" {
		t.Errorf("payload = %s", sent[0].Payload)
	}
}

func TestClientClassifiesErrors(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t)
	msg, _ := TextMessages("919000000001", "hello")
	tests := []struct {
		fail      FakeFailure
		retryable bool
	}{
		{FakeFailure{429, 130429, "Rate limit hit"}, true},
		{FakeFailure{400, 131056, "pair rate limit hit"}, true},
		{FakeFailure{500, 131000, "Something went wrong"}, true},
		{FakeFailure{503, 0, "unavailable"}, true},
		{FakeFailure{400, 131026, "Message Undeliverable"}, false},
		{FakeFailure{400, 131047, "Re-engagement message"}, false},
		{FakeFailure{400, 100, "Invalid parameter"}, false},
		{FakeFailure{401, 190, "token expired"}, false},
	}
	for _, tt := range tests {
		fake.FailNext(tt.fail)
		_, err := c.Send(context.Background(), msg[0])
		var se *SendError
		if !errors.As(err, &se) || se.Code != tt.fail.Code || se.Retryable() != tt.retryable {
			t.Errorf("%+v: error %v (retryable %v), want code %d retryable %v", tt.fail, err, se != nil && se.Retryable(), tt.fail.Code, tt.retryable)
		}
		if outside := errors.Is(err, ErrOutsideWindow); outside != (tt.fail.Code == 131047) {
			t.Errorf("%+v: errors.Is(err, ErrOutsideWindow) = %v", tt.fail, outside)
		}
	}
	if _, err := c.Send(context.Background(), msg[0]); err != nil {
		t.Errorf("after the scripted failures a send must succeed: %v", err)
	}
	bad, _ := NewClient(ClientConfig{BaseURL: "http://127.0.0.1:1", PhoneNumberID: "1", Token: "t"})
	_, err := bad.Send(context.Background(), msg[0])
	var se *SendError
	if !errors.As(err, &se) || !se.Retryable() {
		t.Errorf("connection refused must be retryable: %v", err)
	}
}

func TestMediaDownloadAndUpload(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t)
	ctx := context.Background()
	note := []byte("OggS fake voice note bytes")
	fake.AddMedia("1908647269898587", note, "audio/ogg; codecs=opus")
	info, err := c.Media(ctx, "1908647269898587")
	if err != nil || info.MIMEType != "audio/ogg; codecs=opus" || info.Size != int64(len(note)) {
		t.Fatalf("media info %+v, %v", info, err)
	}
	data, err := c.Download(ctx, info.URL, MaxAudioBytes)
	if err != nil || string(data) != string(note) {
		t.Fatalf("download %q, %v", data, err)
	}
	if _, err := c.Download(ctx, info.URL, 5); !errors.Is(err, ErrMediaTooLarge) {
		t.Errorf("size cap: %v", err)
	}
	if _, err := c.Media(ctx, "nope"); err == nil {
		t.Error("unknown media resolved")
	}
	id, err := c.UploadMedia(ctx, note, "audio/ogg", "reply.ogg")
	if err != nil {
		t.Fatal(err)
	}
	if got, mime, ok := fake.Media(id); !ok || string(got) != string(note) || mime != "audio/ogg" {
		t.Errorf("uploaded %q %q %v", got, mime, ok)
	}
	m, _ := VoiceNote("919000000001", id)
	if _, err := c.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
}

// The fake keeps the newest captures and media only, so a soak through the
// simulator does not grow without bound; counting and paging still see
// every capture.
func TestFakeGraphIsBounded(t *testing.T) {
	t.Parallel()
	fake := &FakeGraph{Token: "tok"}
	msg, _ := TextMessages("919000000001", "hello")
	body, _ := json.Marshal(msg[0])
	for range 2*fakeKeepSent + 5 {
		req := httptest.NewRequest("POST", "/v24.0/1065/messages", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/json")
		fake.ServeHTTP(httptest.NewRecorder(), req)
	}
	if n, kept := fake.SentCount(), len(fake.Sent()); n != 2*fakeKeepSent+5 || kept > 2*fakeKeepSent || kept < fakeKeepSent {
		t.Errorf("count %d, kept %d", n, kept)
	}
	if since, next := fake.SentSince(2*fakeKeepSent + 3); len(since) != 2 || next != 2*fakeKeepSent+5 {
		t.Errorf("since: %d, next %d", len(since), next)
	}
	for i := range fakeKeepMedia + 3 {
		fake.AddMedia(fmt.Sprint("m", i), []byte("x"), "audio/ogg")
	}
	if _, _, ok := fake.Media("m0"); ok {
		t.Error("the oldest media was kept")
	}
	if _, _, ok := fake.Media(fmt.Sprint("m", fakeKeepMedia+2)); !ok {
		t.Error("the newest media was dropped")
	}
}
