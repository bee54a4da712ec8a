package application

import (
	"errors"
	"testing"
	"time"
)

func TestRefRoundTrip(t *testing.T) {
	t.Parallel()
	for range 200 {
		r, err := NewRef(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(r) != refDigits || r[:2] != "26" {
			t.Fatalf("ref %q", r)
		}
		for _, typed := range []string{string(r), r.String(), "  " + r.String()[:4] + "-" + r.String()[5:] + " "} {
			got, err := ParseRef(typed)
			if err != nil || got != r {
				t.Fatalf("ParseRef(%q) = %q, %v; want %q", typed, got, err, r)
			}
		}
	}
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	r := Ref("26123456780")
	if c, err := ParseRef("2612345678"); err == nil {
		t.Fatalf("no check digit accepted: %v", c)
	}
	good, _ := NewRef(time.Now())
	tests := []struct {
		in   string
		want error
	}{
		{good.String(), nil},
		{string(good[:3]) + string(good[4]) + string(good[3]) + string(good[5:]), ErrCheckSum}, // two neighbours swapped (if they differ)
		{"hello", ErrNotRef},
		{"261234567", ErrNotRef},
		{"2612345678901", ErrNotRef},
		{"", ErrNotRef},
		{string(r) + "x", ErrNotRef},
	}
	for _, tt := range tests {
		if tt.want == ErrCheckSum && good[3] == good[4] {
			continue
		}
		if _, err := ParseRef(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("ParseRef(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
	// One wrong digit is caught.
	wrong := []byte(good)
	wrong[6] = '0' + (wrong[6]-'0'+1)%10
	if _, err := ParseRef(string(wrong)); !errors.Is(err, ErrCheckSum) {
		t.Errorf("one wrong digit: %v", err)
	}
}

// Citizens type numbers in their own script.
func TestParseRefNativeDigits(t *testing.T) {
	t.Parallel()
	r, _ := NewRef(time.Now())
	telugu, devanagari := []rune{}, []rune{}
	for _, d := range string(r) {
		telugu = append(telugu, '౦'+(d-'0'))
		devanagari = append(devanagari, '०'+(d-'0'))
	}
	for _, typed := range []string{string(telugu), string(devanagari)} {
		if got, err := ParseRef(typed); err != nil || got != r {
			t.Errorf("ParseRef(%q) = %q, %v", typed, got, err)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"2612 3456 780", "26-1234-5678-0", "౨౬౧౨౩౪౫౬౭౮౦", "abc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		if len(r) != refDigits {
			t.Fatalf("ParseRef(%q) = %q", s, r)
		}
		if again, err := ParseRef(r.String()); err != nil || again != r {
			t.Fatalf("%q does not read back: %q %v", r, again, err)
		}
	})
}
