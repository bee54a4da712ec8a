package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/transparency-dev/merkle/compact"

	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/internal/testenv"
)

// legacyDatabase is a fresh database migrated only up to version upTo, as
// an older mitra left it, with a connection to write its rows; both go
// when the test ends.
func legacyDatabase(t *testing.T, upTo int) (string, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url, drop, err := CreateDatabase(ctx, testenv.DatabaseURL(t), fmt.Sprintf("mitra_legacy_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		drop()
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()); drop() })
	if err := migrateTo(ctx, conn, upTo); err != nil {
		t.Fatal(err)
	}
	return url, conn
}

// Rows written by mitra before 0003 (inbound messages under Go field
// names, spoken replies as "mitra_speak" inside a Cloud API payload) read
// back after the migration.
func TestMigrationKeepsOldRowsReadable(t *testing.T) {
	ctx := context.Background()
	url, conn := legacyDatabase(t, 2)
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
	limit := Limit{Rate: 1000, Burst: 1000}
	row, _, err := s.ClaimToSend(ctx, speechID, "migrate-test", limit)
	if err != nil || row.Item.Speech == nil || row.Item.Speech.Text != "ఆదాయ ధ్రువీకరణ పత్రం" || row.Item.Speech.Lang != "te" || row.Item.Message != nil {
		t.Errorf("old spoken reply claims as %+v (%v)", row.Item, err)
	}
	row, _, err = s.ClaimToSend(ctx, textID, "migrate-test", limit)
	if err != nil || row.Item.Message == nil || row.Item.Message.Text == nil || row.Item.Message.Text.Body != "hello" {
		t.Errorf("old text reply claims as %+v (%v)", row.Item, err)
	}
}

// A log written before 0006 (leaves only) gets its nodes from the
// migration, and they give the same root and proofs as appending leaf by
// leaf does.
func TestMigrationBuildsLogNodes(t *testing.T) {
	ctx := context.Background()
	url, conn := legacyDatabase(t, 5)
	const n = 37
	var leaves [][]byte
	for i := range n {
		h := certs.Leaf{Kind: "issue", CertID: fmt.Sprint("AP-2026-", i), Payload: []byte{byte(i)}}.Hash()
		leaves = append(leaves, h)
		if _, err := conn.Exec(ctx, "INSERT INTO log_leaves (idx, kind, cert_id, leaf_hash) VALUES ($1, 'issue', $2, $3)", i, fmt.Sprint("AP-2026-", i), h); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The same leaves appended one by one, in memory.
	want := map[compact.NodeID][]byte{}
	var size uint64
	for _, h := range leaves {
		border := make([][]byte, 0)
		for _, id := range certs.BorderIDs(size) {
			border = append(border, want[id])
		}
		nodes, err := certs.AppendNodes(size, border, h)
		if err != nil {
			t.Fatal(err)
		}
		for _, nd := range nodes {
			want[compact.NewNodeID(nd.Level, nd.Index)] = nd.Hash
		}
		size++
	}
	for id, h := range want {
		got, err := s.LogNodes(ctx, []compact.NodeID{id})
		if err != nil || !bytes.Equal(got[0], h) {
			t.Fatalf("node %+v: %x, want %x (%v)", id, got, h, err)
		}
	}
	if got := storetestInt(t, conn, "SELECT count(*) FROM log_nodes"); got != len(want) {
		t.Errorf("%d nodes stored, want %d", got, len(want))
	}
	if sz, err := s.LogSize(ctx); err != nil || sz != n {
		t.Errorf("log size %d, %v", sz, err)
	}
}

func storetestInt(t *testing.T, c *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
