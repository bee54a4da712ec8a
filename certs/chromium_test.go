package certs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/testenv"
)

// current is the pool's browser, nil if it has none.
func current(c *Chromium) *browser {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.browser
}

// browserPID is the process id of the pool's browser, 0 if none runs.
func browserPID(c *Chromium) int {
	b := current(c)
	if b == nil {
		return 0
	}
	select {
	case <-b.started:
	default:
		return 0
	}
	if b.err != nil {
		return 0
	}
	return chromedp.FromContext(b.ctx).Browser.Process().Pid
}

func processGone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

// Renderings at once, more than the tabs, each get their own page: every
// PDF carries its own certificate's QR, in Telugu, Hindi and English, and
// no more tabs were opened than the pool holds.
func TestChromiumConcurrentRenders(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium", "pdftoppm")
	c := &Chromium{Tabs: 2}
	t.Cleanup(c.Close)
	langs := []catalog.Lang{catalog.Telugu, catalog.Hindi, catalog.English}
	docs := make([]Document, 7)
	for i := range docs {
		docs[i] = testDocument(t, langs[i%len(langs)], fmt.Sprintf("AP-INC-2026-%06d", i), fmt.Sprintf("లక్ష్మి %d", i))
	}
	pdfs := make([][]byte, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	for i, d := range docs {
		wg.Go(func() { pdfs[i], errs[i] = c.Render(context.Background(), d) })
	}
	wg.Wait()
	for i, d := range docs {
		if errs[i] != nil {
			t.Fatalf("%s: %v", d.CertID, errs[i])
		}
		checkPDF(t, pdfs[i], d.QRText)
	}
	c.mu.Lock()
	tabs := len(c.idle)
	c.mu.Unlock()
	if tabs < 1 || tabs > 2 {
		t.Errorf("%d tabs kept, want 1 or 2", tabs)
	}
}

// The browser killed, the next rendering starts another and succeeds.
func TestChromiumRestartsAfterKill(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium", "pdftoppm")
	c := &Chromium{Tabs: 2}
	t.Cleanup(c.Close)
	ctx := context.Background()
	doc := testDocument(t, catalog.Telugu, "AP-INC-2026-000101", "శ్రీనివాస్ రెడ్డి")
	if _, err := c.Render(ctx, doc); err != nil {
		t.Fatal(err)
	}
	for kill := range 2 {
		pid := browserPID(c)
		if pid == 0 {
			t.Fatal("no browser after a rendering")
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if kill == 1 {
			// This time the pool sees it dead before the rendering.
			deadline := time.Now().Add(10 * time.Second)
			for current(c).ctx.Err() == nil && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		}
		pdf, err := c.Render(ctx, doc)
		if err != nil {
			t.Fatalf("after kill %d: %v", kill+1, err)
		}
		checkPDF(t, pdf, doc.QRText)
		if again := browserPID(c); again == 0 || again == pid {
			t.Errorf("after kill %d: browser %d, was %d", kill+1, again, pid)
		}
		if !processGone(pid) {
			t.Errorf("killed browser %d not reaped", pid)
		}
	}
}

// A tab whose renderer process crashed is replaced: a crash fails at most
// the render in flight, and the pool goes on rendering.
func TestChromiumReplacesCrashedTab(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium", "pdftoppm")
	c := &Chromium{Tabs: 1, Timeout: 15 * time.Second}
	t.Cleanup(c.Close)
	ctx := context.Background()
	doc := testDocument(t, catalog.English, "AP-INC-2026-000102", "Lakshmi Devi")
	if _, err := c.Render(ctx, doc); err != nil {
		t.Fatal(err)
	}
	pid := browserPID(c)
	renderers := rendererPIDs(t, pid)
	if len(renderers) == 0 {
		t.Fatalf("no renderer processes under browser %d", pid)
	}
	for _, r := range renderers {
		syscall.Kill(r, syscall.SIGKILL)
	}
	// Usually Chromium reports the crash and the render is redone in a new
	// tab at once. Under load it may not: the render in flight may then
	// fail, but never the next one.
	pdf, err := c.Render(ctx, doc)
	if err != nil {
		t.Logf("the render in flight when the renderer crashed failed: %v", err)
		if pdf, err = c.Render(ctx, doc); err != nil {
			t.Fatalf("the render after the crash failed too: %v", err)
		}
	}
	checkPDF(t, pdf, doc.QRText)
}

// rendererPIDs are the renderer processes descending from a browser
// process: only the test's own, on a machine that may run other browsers.
func rendererPIDs(t *testing.T, browser int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to find renderer processes in")
	}
	parent := map[int]int{}
	renderer := map[int]bool{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, not ")".
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 {
			parent[pid], _ = strconv.Atoi(fields[1])
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		renderer[pid] = bytes.Contains(cmdline, []byte("--type=renderer"))
	}
	var pids []int
	for pid, is := range renderer {
		for p := parent[pid]; is && p > 1; p = parent[p] {
			if p == browser {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// A rendering honours its context: one cancelled before starts no
// browser, one waiting for a tab gives up at its deadline, one cancelled
// half way returns promptly and leaves the pool able to render; Timeout
// bounds one rendering.
func TestChromiumHonoursContext(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium", "pdftoppm")
	doc := testDocument(t, catalog.Hindi, "AP-INC-2026-000202", "अनिल कुमार")

	c := &Chromium{Tabs: 1}
	t.Cleanup(c.Close)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Render(cancelled, doc); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if current(c) != nil {
		t.Error("a cancelled rendering started the browser")
	}

	c.slotsOnce.Do(func() { c.slots = make(chan struct{}, 1) })
	c.slots <- struct{}{} // the one tab is taken
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := c.Render(short, doc)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a tab: %v", err)
	}
	<-c.slots

	for _, after := range []time.Duration{20 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond} {
		half, cancel := context.WithCancel(context.Background())
		time.AfterFunc(after, cancel)
		start := time.Now()
		_, err := c.Render(half, doc)
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %s: %v", after, err)
		}
		if took := time.Since(start); took > after+2*time.Second {
			t.Errorf("cancelled after %s, returned after %s", after, took)
		}
		pdf, err := c.Render(context.Background(), doc)
		if err != nil {
			t.Fatalf("after a rendering cancelled at %s: %v", after, err)
		}
		checkPDF(t, pdf, doc.QRText)
	}

	hasty := &Chromium{Timeout: time.Millisecond}
	t.Cleanup(hasty.Close)
	if _, err := hasty.Render(context.Background(), doc); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past Timeout: %v", err)
	}
}

// Close ends the browser and every goroutine of the pool; closing twice is
// harmless, a rendering after it fails and starts nothing, and a pool
// never used starts nothing to close. Not parallel: it counts goroutines.
func TestChromiumClose(t *testing.T) {
	testenv.NeedTools(t, "chromium")
	before := runtime.NumGoroutine()
	idle := &Chromium{}
	idle.Close()

	c := &Chromium{Tabs: 3}
	doc := testDocument(t, catalog.English, "AP-INC-2026-000303", "Lakshmi Devi")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := c.Render(context.Background(), doc); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	pid := browserPID(c)
	if pid == 0 {
		t.Fatal("no browser after renderings")
	}
	c.Close()
	c.Close()
	if !processGone(pid) {
		t.Errorf("browser %d still running after Close", pid)
	}
	if _, err := c.Render(context.Background(), doc); !errors.Is(err, ErrRendererClosed) {
		t.Errorf("after Close: %v", err)
	}
	if current(c) != nil {
		t.Error("a rendering after Close started a browser")
	}
	// chromedp detaches each closed tab in a goroutine of its own, for up
	// to a second.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// A page whose image did not load is not printed: a certificate without
// its QR would verify nothing.
func TestChromiumRefusesBrokenImage(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium")
	c := &Chromium{Tabs: 1}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tab, err := c.take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.close()
	if _, err := tab.print(ctx, `<!doctype html><p>QR:</p><img src="data:image/png;base64,bm90IGEgcG5n">`); err == nil || !strings.Contains(err.Error(), "did not load") {
		t.Errorf("a page with a broken image: %v", err)
	}
	if pdf, err := tab.print(ctx, `<!doctype html><p>No image at all</p>`); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("a page without images: %.8q, %v", pdf, err)
	}
}

// BenchmarkChromiumRender renders a Telugu certificate in pools of a few
// sizes, as many at once as the pool has tabs.
func BenchmarkChromiumRender(b *testing.B) {
	if _, err := exec.LookPath("chromium"); err != nil {
		b.Skip("chromium not installed")
	}
	p := Payload{ID: "AP-INC-2026-000404", Service: "income-certificate", Holder: "శ్రీనివాస్ రెడ్డి", Issued: "2026-11-25"}
	qr, _ := testSigner().Sign(p, "https://mitra.example")
	doc := Document{Lang: catalog.Telugu, Title: catalog.Localized{EN: "Income Certificate", TE: "ఆదాయ ధ్రువీకరణ పత్రం"},
		Department: catalog.Localized{EN: "Revenue Department", TE: "రెవెన్యూ శాఖ"}, CertID: p.ID, Holder: p.Holder,
		IssuedOn: p.Issued, Office: "Tahsildar, Guntur", QRText: qr}
	for _, tabs := range []int{1, 2, DefaultTabs, 8} {
		b.Run(fmt.Sprintf("tabs=%d", tabs), func(b *testing.B) {
			c := &Chromium{Tabs: tabs}
			b.Cleanup(c.Close)
			if _, err := c.Render(context.Background(), doc); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			todo := make(chan struct{}, b.N)
			for range b.N {
				todo <- struct{}{}
			}
			close(todo)
			var wg sync.WaitGroup
			for range tabs {
				wg.Go(func() {
					for range todo {
						if _, err := c.Render(context.Background(), doc); err != nil {
							b.Error(err)
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
		})
	}
}
