package certs

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // decode rendered pages

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
)

// QRPNG encodes text as a QR code image, with medium error correction so
// a crease or a cheap phone camera still reads it.
func QRPNG(text string, size int) ([]byte, error) {
	return qrcode.Encode(text, qrcode.Medium, size)
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
