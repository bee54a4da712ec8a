package main

import (
	"context"
	"encoding/json"
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

// browser starts headless Chromium for one test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
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
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// The first Run starts the browser under ctx; later runs may use
	// shorter-lived contexts for their deadlines.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

type browserStep struct {
	name string
	do   chromedp.Action
}

// runSteps takes the steps in order, each within 20 seconds; a failure shows
// the chat so far.
func runSteps(t *testing.T, ctx context.Context, steps []browserStep) {
	t.Helper()
	for _, step := range steps {
		stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Run(stepCtx, step.do)
		cancel()
		if err != nil {
			var chat string
			chromedp.Run(ctx, chromedp.Text("#chat", &chat, chromedp.ByID))
			t.Fatalf("%s: %v\nchat so far:\n%s", step.name, err, chat)
		}
	}
}

func last(sel string) string { return "(" + sel + ")[last()]" }

func tapIn(xpath string) chromedp.Tasks {
	return chromedp.Tasks{chromedp.WaitVisible(last(xpath), chromedp.BySearch), chromedp.Click(last(xpath), chromedp.BySearch)}
}

func typeAndSend(text string) chromedp.Tasks {
	return chromedp.Tasks{chromedp.SendKeys("#input", text, chromedp.ByID), chromedp.Click("#send", chromedp.ByID)}
}

// see waits for a chat bubble that holds text, across its bold and plain
// parts.
func see(text string) chromedp.Action {
	return chromedp.WaitVisible(last(`//*[contains(@class, "bubble") and contains(., "`+text+`")]`), chromedp.BySearch)
}

// A person in a browser: types "Hi", taps Telugu, opens the department
// list, taps Revenue, opens the service list, taps the income certificate,
// reads its card; then types a request in Telugu and gets that card.
func TestSimulatorInChromium(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{simulator: true})
	ctx := browser(t)
	runSteps(t, ctx, []browserStep{
		{"open the simulator", chromedp.Tasks{chromedp.Navigate(s.url + "/simulator?from=919000000031"), chromedp.WaitVisible("#input", chromedp.ByID)}},
		{"type Hi", typeAndSend("Hi")},
		{"tap Telugu", tapIn(`//button[@data-id="lang:te"]`)},
		{"see the department prompt", see("శాఖను ఎంచుకోండి")},
		{"open the department list", tapIn(`//button[@class="listbtn"]`)},
		{"tap Revenue", tapIn(`//button[@data-id="dept:revenue"]`)},
		{"see the service prompt", see("సేవను ఎంచుకోండి")},
		{"open the service list", tapIn(`//button[@class="listbtn"]`)},
		{"tap income certificate", tapIn(`//button[@data-id="svc:income-certificate"]`)},
		{"read the card", see("కావాల్సిన పత్రాలు")},
		{"type a Telugu request", typeAndSend("నాకు కుల ధ్రువీకరణ పత్రం కావాలి")},
		{"read the caste card", chromedp.WaitVisible(`//strong[contains(text(), "కుల ధ్రువీకరణ పత్రం")]`, chromedp.BySearch)},
	})
	var chat string
	if err := chromedp.Run(ctx, chromedp.Text("#chat", &chat, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if strings.Count(chat, "కావాల్సిన పత్రాలు") < 2 || !strings.Contains(chat, "ఆదాయ ధ్రువీకరణ పత్రం") {
		t.Errorf("chat:\n%s", chat)
	}
}

// fillFlowScreen sets every input on the Flow sheet from answers (by
// name; a checkbox is ticked) and taps the screen's button.
func fillFlowScreen(answers map[string]string) chromedp.Action {
	js, _ := json.Marshal(answers)
	return chromedp.Evaluate(`(() => {
		const a = `+string(js)+`;
		for (const el of document.querySelectorAll("#sheet [name]")) {
			if (el.type === "checkbox") el.checked = true;
			else if (a[el.name] !== undefined) el.value = a[el.name];
		}
		document.querySelector("#sheet .footer").click();
	})()`, nil)
}

// A citizen applies twice in the simulator, in a browser: once through
// the WhatsApp Flow it draws (an invalid Aadhaar shown under its field),
// once answering in the chat one question at a time; each ends with a
// reference number.
func TestSimulatorApplicationsInChromium(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{simulator: true, chatty: true})
	ctx := browser(t)
	answers := map[string]string{"applicant_name": "Lakshmi Devi", "father_or_husband_name": "Ramaiah", "date_of_birth": "1980-08-15",
		"aadhaar": "234567890123", "village": "Guntur", "pin_code": "522001", "annual_income": "96000", "purpose": "education"}
	good := aadhaarNumber("23456789012")
	flowSteps := []browserStep{
		{"open the simulator", chromedp.Tasks{chromedp.Navigate(s.url + "/simulator?from=919000000032"), chromedp.WaitVisible("#input", chromedp.ByID)}},
		{"type a request", typeAndSend("I need an income certificate")},
		{"tap Apply now", tapIn(`//button[@data-id="apply:income-certificate"]`)},
		{"open the Flow", tapIn(`//button[contains(@class, "flowbtn")]`)},
		{"see the consent screen", chromedp.WaitVisible(`//*[@id="sheet"]//*[contains(text(), "I agree")]`, chromedp.BySearch)},
		{"agree", fillFlowScreen(nil)},
		{"see the first questions", chromedp.WaitVisible(`//*[@id="sheet"]//input[@name="aadhaar"]`, chromedp.BySearch)},
		{"answer with a bad Aadhaar", fillFlowScreen(answers)},
		{"see the Aadhaar error", chromedp.WaitVisible(`//*[@id="sheet"]//*[@class="err" and contains(text(), "Aadhaar")]`, chromedp.BySearch)},
	}
	runSteps(t, ctx, flowSteps)
	answers["aadhaar"] = good
	for i := 0; ; i++ {
		var screen string
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("flow").hidden ? "" : document.getElementById("sheet").dataset.screen`, &screen)); err != nil {
			t.Fatal(err)
		}
		if screen == "" || i > 10 {
			break
		}
		runSteps(t, ctx, []browserStep{{"fill " + screen, fillFlowScreen(answers)}, {"wait", chromedp.Sleep(300 * time.Millisecond)}})
	}
	runSteps(t, ctx, []browserStep{
		{"see the Flow's confirmation", see("Reference number")},
		// The same application again, answering in the chat.
		{"type the request again", typeAndSend("income certificate")},
		{"see the card again", chromedp.WaitVisible(`(//*[contains(@class, "bubble") and contains(., "Documents needed")])[2]`, chromedp.BySearch)},
		{"tap Apply now", tapIn(`//button[@data-id="apply:income-certificate"]`)},
		{"see the Flow again", chromedp.WaitVisible(`(//button[contains(@class, "flowbtn")])[2]`, chromedp.BySearch)},
		{"choose the chat", tapIn(`//button[@data-id="applychat:income-certificate"]`)},
		{"agree", tapIn(`//button[@data-id="consent:yes"]`)},
		{"name", chromedp.Tasks{see("Applicant's full name"), typeAndSend("Lakshmi Devi")}},
		{"father's name", chromedp.Tasks{see("Father's or husband's name"), typeAndSend("Ramaiah")}},
		{"date of birth", chromedp.Tasks{see("Date of birth"), typeAndSend("15-08-1980")}},
		{"a bad Aadhaar", chromedp.Tasks{see("Aadhaar number"), typeAndSend("2345 6789 0123")}},
		{"asked again", see("That Aadhaar number is not valid")},
		{"the right Aadhaar", typeAndSend(good)},
		{"village", chromedp.Tasks{see("Village or ward"), typeAndSend("Guntur")}},
		{"skip the PIN code", tapIn(`//button[@data-id="skip"]`)},
		{"income", chromedp.Tasks{see("annual income"), typeAndSend("96000")}},
		{"open the purposes", chromedp.Tasks{see("What is it for?"), tapIn(`//button[@class="listbtn"]`)}},
		{"purpose", tapIn(`//button[@data-id="ans:education"]`)},
		{"submit", tapIn(`//button[@data-id="submit"]`)},
		{"see the chat's confirmation", chromedp.WaitVisible(`(//*[contains(@class, "bubble") and contains(., "Reference number")])[2]`, chromedp.BySearch)},
	})
	var n int
	s.db.QueryRow(context.Background(), "SELECT count(*) FROM applications WHERE wa_id = '919000000032'").Scan(&n)
	if n != 2 {
		t.Errorf("%d applications stored, want 2 (one by Flow, one in the chat)", n)
	}
}
