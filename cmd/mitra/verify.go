package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/certs"
)

// runVerify checks a certificate from its PDF, a picture of its QR, or the
// QR text: the signature offline with the published key, then (unless
// -offline) revocation and inclusion in the signed transparency log,
// recomputing the log leaf from the QR itself.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("verify", stderr)
	server := fl.String("server", "", "verification server (default: the one the QR names)")
	keyHex := fl.String("key", "", "published Ed25519 public key, hex (default: fetched from the server's /log/keys)")
	offline := fl.Bool("offline", false, "check the signature only, with -key; no network")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fl.NArg() != 1 {
		return usagef("verify FILE.pdf|FILE.png|QR-TEXT")
	}
	qr, err := readQR(ctx, fl.Arg(0))
	if err != nil {
		return err
	}
	base := *server
	if base == "" {
		base = certs.ServerOf(qr)
	}
	v := certs.Verifier{Base: base}
	keys := map[string]ed25519.PublicKey{}
	if *keyHex != "" {
		k, err := hex.DecodeString(*keyHex)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return usagef("-key must be a hex Ed25519 public key")
		}
		keys[certs.KeyID(k)] = k
	} else if *offline {
		return usagef("-offline needs -key")
	} else if keys, err = v.Keys(ctx); err != nil {
		return err
	}
	p, err := certs.ParseQR(qr, keys)
	if err != nil {
		fmt.Fprintf(stdout, "INVALID: %v\n", err)
		return errors.New("certificate not verified")
	}
	fmt.Fprintf(stdout, "signature valid: %s, %s, issued %s to %q (key %s)\n", p.ID, p.Service, p.Issued, p.Holder, p.KeyID)
	if *offline {
		return nil
	}
	st, err := v.Check(ctx, p, keys)
	switch {
	case errors.Is(err, certs.ErrPending):
		fmt.Fprintln(stdout, "not yet in a signed tree head; try again in a minute")
		return errors.New("certificate not yet logged")
	case errors.Is(err, certs.ErrHeadForged), errors.Is(err, certs.ErrNotInLog):
		fmt.Fprintf(stdout, "INVALID: %v\n", err)
		return errors.New("certificate not verified")
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "in the transparency log at index %d of %d (tree head signed %s)\n", st.LeafIndex, st.Head.Size, time.Unix(st.Head.Timestamp, 0).UTC().Format(time.RFC3339))
	switch st.State {
	case "valid":
		fmt.Fprintln(stdout, "VALID")
		return nil
	case "revoked":
		fmt.Fprintf(stdout, "REVOKED: %s\n", st.Reason)
	default:
		fmt.Fprintf(stdout, "%s\n", strings.ToUpper(st.State))
	}
	return errors.New("certificate not valid")
}

func readQR(ctx context.Context, arg string) (string, error) {
	data, err := os.ReadFile(arg)
	if err != nil {
		if strings.Contains(arg, "#") {
			return arg, nil // QR text given directly
		}
		return "", usagef("%q is neither a file nor QR text", arg)
	}
	if !strings.HasPrefix(string(data), "%PDF") {
		return certs.DecodeQR(data)
	}
	// A page rendered at one resolution can put a module edge where the
	// finder patterns read ambiguously; a second resolution reads it.
	for _, dpi := range []int{150, 300} {
		png, err := certs.RenderPNG(ctx, data, dpi)
		if err != nil {
			return "", err
		}
		text, err := certs.DecodeQR(png)
		if err == nil || dpi == 300 {
			return text, err
		}
	}
	return "", errors.New("unreachable")
}
