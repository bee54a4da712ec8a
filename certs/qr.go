package certs

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
)

// QRPNG encodes text as a QR code image, with medium error correction so
// a crease or a cheap phone camera still reads it.
func QRPNG(text string, size int) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	// The library's own PNG is compressed hardest, which took most of the
	// Go time of a certificate; the image only goes into a page, which
	// Chromium decodes to the same pixels.
	err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, q.Image(size))
	return b.Bytes(), err
}

// DecodeQR finds and reads a QR code in an image (PNG or JPEG bytes).
func DecodeQR(img []byte) (string, error) {
	im, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return "", fmt.Errorf("certs: read image: %w", err)
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	src := gozxing.NewLuminanceSourceFromImage(im)
	// The hybrid binarizer suits photos with uneven light; a flat render
	// of a PDF page sometimes reads only with the global one.
	var firstErr error
	for _, bin := range []gozxing.Binarizer{gozxing.NewHybridBinarizer(src), gozxing.NewGlobalHistgramBinarizer(src)} {
		bmp, err := gozxing.NewBinaryBitmap(bin)
		if err != nil {
			return "", err
		}
		res, err := gzqr.NewQRCodeReader().Decode(bmp, hints)
		if err == nil {
			return res.GetText(), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", fmt.Errorf("certs: no QR code found: %w", firstErr)
}
