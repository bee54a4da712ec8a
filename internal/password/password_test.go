package password

import (
	"errors"
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q", h)
	}
	if err := Verify(h, "correct horse battery"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := Verify(h, "correct horse batterY"); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: %v", err)
	}
	h2, _ := Hash("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=0,t=1,p=1$AA$AA",
		"$argon2id$v=19$m=300000,t=1,p=1$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if err := Verify(bad, "x"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("%q: %v, want a malformed-hash error", bad, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	h, _ := Hash("seed password!")
	f.Add(h, "seed password!")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x")
	f.Fuzz(func(t *testing.T, phc, pw string) {
		if len(phc) > 200 {
			return
		}
		_ = Verify(phc, pw) // must not panic or run away
	})
}
