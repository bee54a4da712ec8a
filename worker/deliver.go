package worker

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// TemplateCertificateReady is the pre-approved template sent when a
// certificate is ready outside the 24-hour window; its one parameter is
// the service's name. Replying to it opens the window, and delivery
// follows.
const TemplateCertificateReady = "certificate_ready"

// DeliverWorker sends certificate PDFs.
type DeliverWorker struct {
	river.WorkerDefaults[store.DeliverArgs]
	deps Deps
}

// Work uploads the PDF and sends it as a document with a caption in the
// citizen's language; outside the 24-hour window it sends the
// certificate_ready template instead (none to a citizen who sent STOP),
// and the citizen's next message brings the document (store.Tx.Answer
// queues it).
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[store.DeliverArgs]) error {
	c, err := w.deps.Store.Certificate(ctx, job.Args.CertID)
	if errors.Is(err, certs.ErrNotFound) {
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
	name := serviceName(w.deps.Catalog, c.ServiceID, lang)
	pdf, err := w.deps.Store.CertificatePDF(ctx, c.ID)
	if err != nil {
		return err
	}
	id, err := w.deps.Media.UploadMedia(ctx, pdf, "application/pdf", c.ID+".pdf")
	if err != nil {
		return err
	}
	doc, err := whatsapp.DocumentMessage(c.WAID, id, c.ID+".pdf", dialog.CertificateCaption(lang, name, c.ID))
	if err != nil {
		return err
	}
	_, err = w.deps.send(ctx, doc)
	switch {
	case err == nil:
		return w.deps.Store.MarkDelivered(ctx, c.ID, false)
	case errors.Is(err, whatsapp.ErrOutsideWindow):
		// Outside the 24-hour window: only a template may go out. The
		// citizen's reply reopens the window and delivery follows.
		t, terr := whatsapp.TemplateMessage(c.WAID, TemplateCertificateReady, catalog.TemplateLang[lang], name)
		if terr != nil {
			return terr
		}
		// A citizen who sent STOP gets no template: the certificate
		// waits for their next message all the same.
		if _, terr = w.deps.send(ctx, t); terr != nil && !errors.Is(terr, ErrOptedOut) {
			return terr
		}
		return w.deps.Store.MarkDelivered(ctx, c.ID, true)
	}
	return err
}
