package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium; scripts/test installs it. Without it
// the test skips on a laptop and fails in CI.
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not installed: CI must run the simulator test (scripts/test installs it)")
	}
	t.Skip("chromium not installed")
	return ""
}

// A person in a browser: types "Hi", taps Telugu, opens the department
// list, taps Revenue, opens the service list, taps the income certificate,
// reads its card; then types a request in Telugu and gets that card.
func TestSimulatorInChromium(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	s := newStackWith(t, stackOptions{simulator: true})
	// Chromium may still write to its profile as it exits, so the folder
	// is removed best-effort rather than by t.TempDir's strict cleanup.
	profile, err := os.MkdirTemp("", "mitra-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	last := func(sel string) string { return "(" + sel + ")[last()]" }
	tap := func(xpath string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.WaitVisible(last(xpath), chromedp.BySearch), chromedp.Click(last(xpath), chromedp.BySearch)}
	}
	typeAndSend := func(text string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.SendKeys("#input", text, chromedp.ByID), chromedp.Click("#send", chromedp.ByID)}
	}
	var chat string
	steps := []struct {
		name string
		do   chromedp.Action
	}{
		{"open the simulator", chromedp.Tasks{chromedp.Navigate(s.url + "/simulator?from=919000000031"), chromedp.WaitVisible("#input", chromedp.ByID)}},
		{"type Hi", typeAndSend("Hi")},
		{"tap Telugu", tap(`//button[@data-id="lang:te"]`)},
		{"see the department prompt", chromedp.WaitVisible(`//*[contains(text(), "శాఖను ఎంచుకోండి")]`, chromedp.BySearch)},
		{"open the department list", tap(`//button[@class="listbtn"]`)},
		{"tap Revenue", tap(`//button[@data-id="dept:revenue"]`)},
		{"see the service prompt", chromedp.WaitVisible(`//*[contains(text(), "సేవను ఎంచుకోండి")]`, chromedp.BySearch)},
		{"open the service list", tap(`//button[@class="listbtn"]`)},
		{"tap income certificate", tap(`//button[@data-id="svc:income-certificate"]`)},
		{"read the card", chromedp.WaitVisible(`//*[contains(text(), "కావాల్సిన పత్రాలు")]`, chromedp.BySearch)},
		{"type a Telugu request", typeAndSend("నాకు కుల ధ్రువీకరణ పత్రం కావాలి")},
		{"read the caste card", chromedp.WaitVisible(`//strong[contains(text(), "కుల ధ్రువీకరణ పత్రం")]`, chromedp.BySearch)},
	}
	// The first Run starts the browser under ctx; later runs may use
	// shorter-lived contexts for their deadlines.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	for _, step := range steps {
		stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Run(stepCtx, step.do)
		cancel()
		if err != nil {
			chromedp.Run(ctx, chromedp.Text("#chat", &chat, chromedp.ByID))
			t.Fatalf("%s: %v\nchat so far:\n%s", step.name, err, chat)
		}
	}
	if err := chromedp.Run(ctx, chromedp.Text("#chat", &chat, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if strings.Count(chat, "కావాల్సిన పత్రాలు") < 2 || !strings.Contains(chat, "ఆదాయ ధ్రువీకరణ పత్రం") {
		t.Errorf("chat:\n%s", chat)
	}
}
