package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Rows written by mitra before 0003 (inbound messages under Go field
// names, spoken replies as "mitra_speak" inside a Cloud API payload) read
// back after the migration.
func TestMigrationKeepsOldRowsReadable(t *testing.T) {
	admin := os.Getenv("MITRA_TEST_DATABASE_URL")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MITRA_TEST_DATABASE_URL is not set")
		}
		t.Skip("MITRA_TEST_DATABASE_URL not set")
	}
	ctx := context.Background()
	url, drop, err := CreateDatabase(ctx, admin, fmt.Sprintf("mitra_migrate_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6))
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := migrateTo(ctx, conn, 2); err != nil {
		t.Fatal(err)
	}
	old := `{"ID":"wamid.OLD1","From":"919000000301","Name":"Lakshmi","PhoneNumberID":"106540352242922","Time":"2025-04-11T04:08:16Z",
		"Type":"audio","Text":"","OptionID":"","Media":{"ID":"m-old","MIMEType":"audio/ogg; codecs=opus","SHA256":"x","Voice":true},"ReplyTo":""}`
	if _, err := conn.Exec(ctx, `INSERT INTO inbound_messages (wa_message_id, wa_from, type, message) VALUES ('wamid.OLD1', '919000000301', 'audio', $1)`, old); err != nil {
		t.Fatal(err)
	}
	oldText := `{"ID":"wamid.OLD2","From":"919000000301","Name":"","PhoneNumberID":"1","Time":"0001-01-01T00:00:00Z","Type":"text","Text":"hi","OptionID":"","Media":null,"ReplyTo":""}`
	if _, err := conn.Exec(ctx, `INSERT INTO inbound_messages (wa_message_id, wa_from, type, message) VALUES ('wamid.OLD2', '919000000301', 'text', $1)`, oldText); err != nil {
		t.Fatal(err)
	}
	var speechID, textID int64
	conn.QueryRow(ctx, `INSERT INTO outbox (inbound_id, seq, wa_to, payload) VALUES ('wamid.OLD1', 0, '919000000301',
		'{"messaging_product":"whatsapp","recipient_type":"individual","to":"919000000301","type":"audio","mitra_speak":{"text":"ఆదాయ ధ్రువీకరణ పత్రం","lang":"te"}}') RETURNING id`).Scan(&speechID)
	conn.QueryRow(ctx, `INSERT INTO outbox (inbound_id, seq, wa_to, payload) VALUES ('wamid.OLD1', 1, '919000000301',
		'{"messaging_product":"whatsapp","recipient_type":"individual","to":"919000000301","type":"text","text":{"preview_url":false,"body":"hello"}}') RETURNING id`).Scan(&textID)

	s, err := Open(ctx, url) // applies 0003 and the rest
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, _, err := s.Inbound(ctx, "wamid.OLD1")
	if err != nil || m.From != "919000000301" || m.Name != "Lakshmi" || m.Type != "audio" || m.Media == nil || m.Media.ID != "m-old" ||
		!m.Media.Voice || m.Time.IsZero() {
		t.Errorf("old voice note reads back as %+v (%v)", m, err)
	}
	if m, _, err := s.Inbound(ctx, "wamid.OLD2"); err != nil || m.Text != "hi" || m.Media != nil {
		t.Errorf("old text reads back as %+v (%v)", m, err)
	}
	row, err := s.ClaimOutbox(ctx, speechID)
	if err != nil || row.Item.Speech == nil || row.Item.Speech.Text != "ఆదాయ ధ్రువీకరణ పత్రం" || row.Item.Speech.Lang != "te" || row.Item.Message != nil {
		t.Errorf("old spoken reply claims as %+v (%v)", row.Item, err)
	}
	row, err = s.ClaimOutbox(ctx, textID)
	if err != nil || row.Item.Message == nil || row.Item.Message.Text == nil || row.Item.Message.Text.Body != "hello" {
		t.Errorf("old text reply claims as %+v (%v)", row.Item, err)
	}
}
