package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// DeliverArgs asks for a certificate to be sent to its holder on WhatsApp.
type DeliverArgs struct {
	CertID string `json:"cert_id"`
}

func (DeliverArgs) Kind() string { return "deliver_certificate" }

func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 12}
}

// TemplateCertificateReady is the pre-approved template sent when a
// certificate is ready outside the 24-hour window; its one parameter is
// the service's name. Replying to it opens the window, and delivery
// follows.
const TemplateCertificateReady = "certificate_ready"

// templateLang maps mitra's languages to WhatsApp template language codes.
var templateLang = map[catalog.Lang]string{catalog.Telugu: "te", catalog.Hindi: "hi", catalog.English: "en_US"}

var captions = map[catalog.Lang]string{
	catalog.Telugu:  "మీ %s సిద్ధంగా ఉంది. సర్టిఫికెట్ సంఖ్య: %s. QR కోడ్‌ను స్కాన్ చేసి ఎవరైనా ధృవీకరించవచ్చు.",
	catalog.Hindi:   "आपका %s तैयार है। प्रमाण पत्र संख्या: %s। QR कोड स्कैन करके कोई भी इसकी जाँच कर सकता है।",
	catalog.English: "Your %s is ready. Certificate no. %s. Anyone can verify it by scanning the QR code.",
}

// DeliverWorker sends certificate PDFs.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	deps Deps
}

func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	c, err := w.deps.Store.Certificate(ctx, job.Args.CertID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.DeliveredAt != nil || c.RevokedAt != nil {
		return nil
	}
	if w.deps.Media == nil {
		return errors.New("worker: no media client to upload certificates")
	}
	lang, _ := catalog.ParseLang(c.Lang)
	name := c.ServiceID
	if s, ok := w.deps.Catalog.Service(c.ServiceID); ok {
		name = s.Name.In(lang)
	}
	id, err := w.deps.Media.UploadMedia(ctx, c.PDF, "application/pdf", c.ID+".pdf")
	if err != nil {
		return err
	}
	doc, err := whatsapp.DocumentMessage(c.WAID, id, c.ID+".pdf", fmt.Sprintf(captions[lang], name, c.ID))
	if err != nil {
		return err
	}
	_, err = w.deps.Sender.Send(ctx, doc)
	var se *whatsapp.SendError
	switch {
	case err == nil:
		return w.deps.Store.MarkDelivered(ctx, c.ID, false)
	case errors.As(err, &se) && se.Code == 131047:
		// Outside the 24-hour window: only a template may go out. The
		// citizen's reply reopens the window and delivery follows.
		t, terr := whatsapp.TemplateMessage(c.WAID, TemplateCertificateReady, templateLang[lang], name)
		if terr != nil {
			return terr
		}
		if _, terr = w.deps.Sender.Send(ctx, t); terr != nil {
			return terr
		}
		return w.deps.Store.MarkDelivered(ctx, c.ID, true)
	}
	return err
}
