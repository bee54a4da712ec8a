package dialog

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
)

// HeldData is what mitra holds of one citizen, read for their summary
// ("my data", DPDP Act section 11).
type HeldData struct {
	WAID     string
	Name     string
	District string
	OptedOut *time.Time
	// Messages counts the inbound messages whose words are kept, the
	// oldest received at OldestKept.
	Messages     int64
	OldestKept   *time.Time
	Consents     []HeldConsent
	Records      []application.Record
	Certificates []string
	Alerts       []HeldAlert
}

// HeldAlert is one opt-in to alerts.
type HeldAlert struct {
	Topic, District, Channel string
}

// HeldConsent is one answer in the consent ledger.
type HeldConsent struct {
	Service, Version, Channel string
	Agreed                    bool
	At                        time.Time
}

// HeldSummary writes what is held as a plain-text document in the
// citizen's language: a file they can keep, read aloud by a phone's
// screen reader, and show to the grievance officer.
func (b *Bot) HeldSummary(lang catalog.Lang, d HeldData) string {
	day := func(at time.Time) string { return at.Format("02-01-2006") }
	var w strings.Builder
	line := func(s string) { w.WriteString(s + "\n") }
	line(t(lang, msgHeldTitle, day(b.now())))
	line("")
	line(t(lang, msgHeldNumber, d.WAID))
	name := d.Name
	if name == "" {
		name = t(lang, msgHeldNotKept)
	}
	line(t(lang, msgHeldName, name))
	if d.District != "" {
		line(t(lang, msgHeldDistrict, d.District))
	}
	if d.Messages > 0 && d.OldestKept != nil {
		line(t(lang, msgHeldMessages, d.Messages, day(*d.OldestKept), b.privacy.BodyDays))
	}
	if d.OptedOut != nil {
		line(t(lang, msgHeldAlertsOff, day(*d.OptedOut)))
	} else {
		line(t(lang, msgHeldAlertsOn))
	}
	section := func(title string, items []string) {
		line("")
		line(title + ":")
		if len(items) == 0 {
			items = []string{t(lang, msgHeldNone)}
		}
		line(strings.TrimRight(bullets(items), "\n"))
	}
	var consents []string
	for _, c := range d.Consents {
		answer := t(lang, msgHeldAgreed)
		if !c.Agreed {
			answer = t(lang, msgHeldRefused)
		}
		consents = append(consents, fmt.Sprintf("%s — %s: %s", day(c.At), b.purpose(lang, c.Service), answer))
	}
	section(t(lang, msgHeldConsents), consents)
	var records []string
	for _, r := range d.Records {
		records = append(records, b.heldRecord(lang, r))
	}
	section(t(lang, msgHeldRecords), records)
	section(t(lang, msgHeldCertificates), d.Certificates)
	var alerts []string
	for _, a := range d.Alerts {
		name := a.Topic
		if tp, ok := b.cat.Topic(a.Topic); ok {
			name = tp.Name.In(lang)
		}
		where := t(lang, msgAlertWholeState)
		if a.District != "" {
			where = DistrictName(lang, a.District)
		}
		alerts = append(alerts, fmt.Sprintf("%s (%s) — %s", name, where, a.Channel))
	}
	section(t(lang, msgHeldAlerts), alerts)
	line("")
	line(t(lang, msgHeldRights, b.privacy.Contact))
	return w.String()
}

// purpose names what a consent was for.
func (b *Bot) purpose(lang catalog.Lang, service string) string {
	switch service {
	case application.ProcessingConsent:
		return t(lang, msgHeldPurposeNotice)
	case application.ProactiveConsent:
		return t(lang, msgHeldPurposeAlerts)
	}
	return b.serviceName(service, lang)
}

// heldRecord is one record with the answers given, labelled as the form
// asked them.
func (b *Bot) heldRecord(lang catalog.Lang, r application.Record) string {
	head := fmt.Sprintf("%s — %s — %s (%s)", r.Ref, b.serviceName(r.Service, lang), StatusName(lang, r.Status), r.CreatedAt.Format("02-01-2006"))
	labels := map[string]string{}
	if b.cat != nil {
		if _, fields, ok := b.cat.FormFor(r.Service); ok {
			for _, f := range fields {
				labels[f.ID] = f.Label.In(lang)
			}
		}
	}
	keys := make([]string, 0, len(r.Answers))
	for k := range r.Answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		label := labels[k]
		if label == "" {
			label = k
		}
		lines = append(lines, "    "+label+": "+r.Answers[k])
	}
	if len(lines) == 0 {
		return head
	}
	return head + "\n" + strings.Join(lines, "\n")
}

func (b *Bot) serviceName(id string, lang catalog.Lang) string {
	if b.cat != nil {
		if s, ok := b.cat.Service(id); ok {
			return s.Name.In(lang)
		}
	}
	return id
}
