package application

import (
	"errors"
	"slices"
	"time"
)

// Kind is what a citizen asked for: an application (a certificate, a
// pension, a connection) or a grievance (a complaint to resolve).
type Kind string

const (
	KindApplication Kind = "application"
	KindGrievance   Kind = "grievance"
)

// Status is where a record stands.
type Status string

const (
	Submitted        Status = "submitted"
	Accepted         Status = "accepted"
	NeedsInformation Status = "needs_information"
	Approved         Status = "approved"
	Rejected         Status = "rejected"
	Issued           Status = "issued"
	Closed           Status = "closed"
	Escalated        Status = "escalated"
	Resolved         Status = "resolved"
	Reopened         Status = "reopened"
)

// Actor is who moves a record: its department, the citizen (answering a
// question, reopening) or mitra itself (escalation, closing).
type Actor string

const (
	ByDepartment Actor = "department"
	ByCitizen    Actor = "citizen"
	BySystem     Actor = "system"
)

// ReopenWindow is how long after resolution a citizen may reopen a
// grievance.
const ReopenWindow = 7 * 24 * time.Hour

// ErrTransition is a move the record's status does not allow (HTTP 409).
var ErrTransition = errors.New("application: that status change is not allowed from the current status")

type move struct {
	to Status
	by Actor
}

// moves are the allowed transitions per kind. A department works a record
// forward; the citizen's answer to "needs information" puts it back in the
// department's hands; only mitra escalates an overdue grievance.
var moves = map[Kind]map[Status][]move{
	KindApplication: {
		Submitted:        {{Accepted, ByDepartment}, {NeedsInformation, ByDepartment}, {Rejected, ByDepartment}, {Approved, ByDepartment}},
		Accepted:         {{NeedsInformation, ByDepartment}, {Approved, ByDepartment}, {Rejected, ByDepartment}},
		NeedsInformation: {{Accepted, ByCitizen}, {Rejected, ByDepartment}, {Accepted, ByDepartment}},
		Approved:         {{Issued, ByDepartment}, {Closed, ByDepartment}},
		Issued:           {{Closed, ByDepartment}},
		Rejected:         {{Closed, ByDepartment}},
	},
	KindGrievance: {
		Submitted:        {{Accepted, ByDepartment}, {NeedsInformation, ByDepartment}, {Resolved, ByDepartment}, {Rejected, ByDepartment}, {Escalated, BySystem}},
		Accepted:         {{NeedsInformation, ByDepartment}, {Resolved, ByDepartment}, {Rejected, ByDepartment}, {Escalated, BySystem}},
		NeedsInformation: {{Accepted, ByCitizen}, {Accepted, ByDepartment}, {Resolved, ByDepartment}, {Rejected, ByDepartment}},
		Escalated:        {{Accepted, ByDepartment}, {NeedsInformation, ByDepartment}, {Resolved, ByDepartment}, {Rejected, ByDepartment}},
		Resolved:         {{Reopened, ByCitizen}, {Closed, ByCitizen}, {Closed, BySystem}},
		Reopened:         {{Accepted, ByDepartment}, {NeedsInformation, ByDepartment}, {Resolved, ByDepartment}, {Escalated, BySystem}},
		Rejected:         {{Closed, ByDepartment}},
	},
}

// CanMove reports whether actor may move a record of kind from one status
// to another.
func CanMove(kind Kind, from, to Status, by Actor) bool {
	return slices.Contains(moves[kind][from], move{to, by})
}

// KindOf maps a catalogue service kind to the record it makes.
func KindOf(serviceKind string) Kind {
	if serviceKind == "grievance" {
		return KindGrievance
	}
	return KindApplication
}

// Statuses lists every status a department may filter on.
var Statuses = []Status{Submitted, Accepted, NeedsInformation, Approved, Rejected, Issued, Closed, Escalated, Resolved, Reopened}

// Open reports whether a record still waits on its department (it counts
// against the SLA).
func (s Status) Open() bool {
	switch s {
	case Submitted, Accepted, NeedsInformation, Escalated, Reopened:
		return true
	}
	return false
}

// Record is one application or grievance as mitra keeps it.
type Record struct {
	ID         int64             `json:"-"`
	Ref        Ref               `json:"reference"`
	Kind       Kind              `json:"kind"`
	Department string            `json:"department"`
	Service    string            `json:"service"`
	Citizen    string            `json:"-"`
	Lang       string            `json:"language"`
	Channel    string            `json:"channel"`
	Status     Status            `json:"status"`
	Answers    map[string]string `json:"answers"`
	DueAt      *time.Time        `json:"due_at,omitempty"`
	Rating     int               `json:"rating,omitempty"`
	Question   string            `json:"question,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	ResolvedAt *time.Time        `json:"resolved_at,omitempty"`
	// District is the district of the record's PIN code (India Post's
	// sorting district), or "".
	District string `json:"district,omitempty"`
	// Certificate is the id of the certificate issued for it, if any.
	Certificate string       `json:"certificate,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	History     []Event      `json:"history,omitempty"`
}

// Attachment is a photo, a document or a location a citizen sent with a
// record; its bytes are fetched separately.
type Attachment struct {
	ID    int64  `json:"id"`
	Field string `json:"field"`
	MIME  string `json:"mime"`
	Size  int    `json:"size"`
	Name  string `json:"name,omitempty"`
}

// Event is one step of a record's history.
type Event struct {
	ID     int64     `json:"-"`
	Status Status    `json:"status"`
	Actor  string    `json:"actor"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// Submission is a completed form, ready to become a record.
type Submission struct {
	Ref     Ref
	Service string
	// Key makes submitting idempotent: the inbound message that confirmed
	// it, or the Flow's token.
	Key     string
	Channel string
	Lang    string
	Answers map[string]string
	// Media are the attachments' inbound message ids, by field.
	Media map[string][]string
}

// The consent ledger's purposes that are not one service's application:
// the notice on first contact (mitra's own processing), and STOP and
// START (proactive messages: alerts, reminders, template notices).
const (
	ProcessingConsent = "processing"
	ProactiveConsent  = "proactive"
)

// Consent is a citizen's answer to a purpose-specific notice (DPDP Act
// 2023, section 6).
type Consent struct {
	Service       string
	NoticeVersion string
	Channel       string
	Agreed        bool
}
