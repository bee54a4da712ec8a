package certs

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// Document is what a certificate page shows.
type Document struct {
	Lang       catalog.Lang
	Title      catalog.Localized // the service's name
	CertID     string
	Holder     string
	Fields     []Field
	IssuedOn   string
	Office     string
	Validity   string
	QRText     string
	Department catalog.Localized
}

// Field is one labelled line of the certificate.
type Field struct{ Label, Value string }

// labels of the page, in each language; English always appears too.
var labels = map[catalog.Lang]map[string]string{
	catalog.Telugu:  {"state": "ఆంధ్రప్రదేశ్ ప్రభుత్వం", "no": "సర్టిఫికెట్ సంఖ్య", "holder": "ఎవరికి", "issued": "జారీ తేదీ", "office": "జారీ చేసిన కార్యాలయం", "valid": "చెల్లుబాటు", "scan": "ధృవీకరించడానికి QR కోడ్‌ను స్కాన్ చేయండి"},
	catalog.Hindi:   {"state": "आंध्र प्रदेश सरकार", "no": "प्रमाण पत्र संख्या", "holder": "किसके नाम", "issued": "जारी करने की तिथि", "office": "जारी करने वाला कार्यालय", "valid": "वैधता", "scan": "सत्यापन के लिए QR कोड स्कैन करें"},
	catalog.English: {"state": "Government of Andhra Pradesh", "no": "Certificate No.", "holder": "Issued to", "issued": "Date of issue", "office": "Issuing office", "valid": "Validity", "scan": "Scan the QR code to verify"},
}

var certPage = template.Must(template.New("cert").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}} {{.D.CertID}}</title><style>
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans", "Noto Sans Telugu", "Noto Sans Devanagari", sans-serif; color: #111; }
.head { text-align: center; border-bottom: 3px double #1a3d6d; padding-bottom: 8px; }
.state { font-size: 20px; font-weight: 700; color: #1a3d6d; }
.dept { font-size: 15px; margin-top: 2px; }
h1 { font-size: 24px; margin: 18px 0 2px; text-align: center; }
h2 { font-size: 16px; margin: 0 0 16px; text-align: center; font-weight: 400; color: #333; }
table { width: 100%; border-collapse: collapse; margin-top: 10px; font-size: 14px; }
td { padding: 7px 6px; border-bottom: 1px solid #ccd; vertical-align: top; }
td.l { width: 42%; color: #333; }
.qr { margin-top: 22px; display: flex; gap: 16px; align-items: center; }
.qr img { width: 150px; height: 150px; }
.small { font-size: 11px; color: #444; word-break: break-all; }
</style></head><body>
<div class="head"><div class="state">{{.L.state}}{{if ne .Lang "en"}} · {{.E.state}}{{end}}</div>
<div class="dept">{{.Dept}}{{if ne .Lang "en"}} · {{.DeptEN}}{{end}}</div></div>
<h1>{{.Title}}</h1>{{if ne .Lang "en"}}<h2>{{.TitleEN}}</h2>{{end}}
<table>
<tr><td class="l">{{.L.no}}{{if ne .Lang "en"}} / {{.E.no}}{{end}}</td><td><b>{{.D.CertID}}</b></td></tr>
<tr><td class="l">{{.L.holder}}{{if ne .Lang "en"}} / {{.E.holder}}{{end}}</td><td><b>{{.D.Holder}}</b></td></tr>
{{range .D.Fields}}<tr><td class="l">{{.Label}}</td><td>{{.Value}}</td></tr>{{end}}
<tr><td class="l">{{.L.issued}}{{if ne .Lang "en"}} / {{.E.issued}}{{end}}</td><td>{{.D.IssuedOn}}</td></tr>
<tr><td class="l">{{.L.office}}{{if ne .Lang "en"}} / {{.E.office}}{{end}}</td><td>{{.D.Office}}</td></tr>
<tr><td class="l">{{.L.valid}}{{if ne .Lang "en"}} / {{.E.valid}}{{end}}</td><td>{{.D.Validity}}</td></tr>
</table>
<div class="qr"><img src="data:image/png;base64,{{.QR}}" alt="QR"><div>{{.L.scan}}{{if ne .Lang "en"}}<br>{{.E.scan}}{{end}}
<div class="small">{{.D.QRText}}</div></div></div>
</body></html>`))

// html is the certificate page: the QR is a data URL, so the page needs
// nothing from outside.
func (d Document) html() (string, error) {
	qr, err := QRPNG(d.QRText, 512)
	if err != nil {
		return "", err
	}
	lang := d.Lang
	if labels[lang] == nil {
		lang = catalog.English
	}
	var html strings.Builder
	err = certPage.Execute(&html, map[string]any{
		"Lang": string(lang), "L": labels[lang], "E": labels[catalog.English], "D": d,
		"Title": d.Title.In(lang), "TitleEN": d.Title.EN, "Dept": d.Department.In(lang), "DeptEN": d.Department.EN,
		"QR": base64.StdEncoding.EncodeToString(qr),
	})
	return html.String(), err
}

// RenderPNG rasterises the first page of a PDF (pdftoppm, from Debian's
// poppler-utils): to look at it, and to read its QR back.
func RenderPNG(ctx context.Context, pdf []byte, dpi int) ([]byte, error) {
	dir, err := os.MkdirTemp("", "mitra-page-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, root := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "page")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "pdftoppm", "-png", "-r", fmt.Sprint(dpi), "-f", "1", "-l", "1", "-singlefile", in, root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %w: %.200s", err, stderr.String())
	}
	return os.ReadFile(root + ".png")
}
