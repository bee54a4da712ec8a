// Package password hashes staff passwords with argon2id (RFC 9106) in the
// PHC string format ("$argon2id$v=19$m=65536,t=3,p=2$salt$hash"), so that
// the parameters travel with each hash and can be raised later without
// locking anyone out.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The cost: RFC 9106's second recommended setting (64 MiB, 3 passes),
// with the parallelism of a small server.
const (
	memoryKiB = 64 * 1024
	passes    = 3
	lanes     = 2
	saltLen   = 16
	keyLen    = 32
)

// MinLength is the shortest password accepted: NIST SP 800-63B's floor
// for a memorised secret chosen by its owner is 8; staff who act on
// citizens' records get 12.
const MinLength = 12

// ErrMismatch is a wrong password.
var ErrMismatch = errors.New("password: mismatch")

// Hash returns the PHC string of a new salted argon2id hash.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify checks pw against a PHC string made by Hash (or with other
// argon2id parameters), in constant time.
func Verify(phc, pw string) error {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("password: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("password: unknown argon2 version")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 256*1024 || t > 16 {
		return errors.New("password: bad argon2 parameters")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return errors.New("password: bad salt")
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return errors.New("password: bad hash")
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}
