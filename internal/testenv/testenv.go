// Package testenv holds what tests share about their environment: tools
// from Debian's packages that scripts/test installs.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// NeedTools skips the test on a laptop without the tools, and fails it in
// CI, where scripts/test installs them and skipping would hide a gap.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed: CI must run this test (scripts/test installs it)", name)
			}
			t.Skipf("%s not installed", name)
		}
	}
}
