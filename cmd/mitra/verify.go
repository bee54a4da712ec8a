package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
		if u, err := url.Parse(strings.SplitN(qr, "#", 2)[0]); err == nil && u.Host != "" {
			base = u.Scheme + "://" + u.Host
		}
	}
	keys := map[string]ed25519.PublicKey{}
	if *keyHex != "" {
		k, err := hex.DecodeString(*keyHex)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return usagef("-key must be a hex Ed25519 public key")
		}
		keys[certs.KeyID(k)] = k
	} else if *offline {
		return usagef("-offline needs -key")
	} else if err := getJSON(ctx, base+"/log/keys", &keysHex{keys}); err != nil {
		return fmt.Errorf("fetch published keys: %w", err)
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
	var st certs.Status
	if err := getJSON(ctx, base+"/v/"+url.PathEscape(p.ID)+"?format=json", &st); err != nil {
		return fmt.Errorf("fetch status: %w", err)
	}
	if st.State == "pending" {
		fmt.Fprintln(stdout, "not yet in a signed tree head; try again in a minute")
		return errors.New("certificate not yet logged")
	}
	if err := st.Head.Verify(keys); err != nil {
		fmt.Fprintf(stdout, "INVALID: the log's tree head: %v\n", err)
		return errors.New("certificate not verified")
	}
	var proof [][]byte
	for _, h := range st.Inclusion {
		b, err := hex.DecodeString(h)
		if err != nil {
			return fmt.Errorf("inclusion proof: %w", err)
		}
		proof = append(proof, b)
	}
	root, _ := st.Head.RootBytes()
	if err := certs.VerifyInclusion(uint64(st.LeafIndex), st.Head.Size, certs.PayloadLeaf(p).Hash(), proof, root); err != nil {
		fmt.Fprintf(stdout, "INVALID: this certificate is not in the log as signed (%v)\n", err)
		return errors.New("certificate not verified")
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

type keysHex struct{ keys map[string]ed25519.PublicKey }

func (k *keysHex) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for id, h := range m {
		pub, err := hex.DecodeString(h)
		if err == nil && len(pub) == ed25519.PublicKeySize && certs.KeyID(pub) == id {
			k.keys[id] = pub
		}
	}
	return nil
}

func readQR(ctx context.Context, arg string) (string, error) {
	data, err := os.ReadFile(arg)
	if err != nil {
		if strings.Contains(arg, "#") {
			return arg, nil // QR text given directly
		}
		return "", usagef("%q is neither a file nor QR text", arg)
	}
	if strings.HasPrefix(string(data), "%PDF") {
		if data, err = certs.RenderPNG(ctx, data, 150); err != nil {
			return "", err
		}
	}
	return certs.DecodeQR(data)
}

func getJSON(ctx context.Context, u string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: http %d", u, res.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(v)
}
