package certs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ErrRendererClosed: the Chromium was closed; it renders no more.
var ErrRendererClosed = errors.New("certs: renderer closed")

// DefaultTabs is how many certificates a Chromium renders at once unless
// told otherwise: on two cores, four keep both busy while pages load
// and print, without the citizens' messages waiting on them.
const DefaultTabs = 4

// Chromium renders certificates to PDF in headless Chromium: it shapes
// Telugu and Devanagari correctly (conjuncts, vowel signs) with Debian's
// Noto fonts, which PDF libraries that lay out glyphs themselves do not.
//
// One browser process serves every rendering, each in a tab of its own
// that is kept for the next, so that a certificate costs a page and a
// print rather than a browser start. The browser starts with the first
// Render (a server that issues nothing never runs it) and again after it
// died. Close ends it. Use a Chromium by pointer.
type Chromium struct {
	// Path is the browser's executable (default chromium, on PATH).
	Path string
	// Tabs bounds the renderings at once (default DefaultTabs); further
	// callers wait for a tab. Each tab holds a renderer process.
	Tabs int
	// Timeout bounds one rendering, a browser start included (default
	// 30 s).
	Timeout time.Duration
	// Log is told when the browser died (nil: nowhere); the DevTools
	// protocol's chatter goes to it at debug level.
	Log *slog.Logger

	slotsOnce sync.Once
	slots     chan struct{} // a rendering holds one, for at most Tabs at once

	mu      sync.Mutex
	browser *browser // nil before the first Render, after the browser died, and after Close
	idle    []*tab   // the browser's tabs that no rendering holds
	closed  bool
}

// browser is one Chromium process.
type browser struct {
	ctx context.Context // done once the process is gone, however it went
	// started is closed when the start ended, err saying how.
	started chan struct{}
	err     error
	// close ends the process and waits for it; it may be called again.
	close func()
}

// tab is a page of a browser, reused from rendering to rendering.
type tab struct {
	browser *browser
	// ctx is done when the tab is closed, when its renderer process
	// crashed, and when the browser died.
	ctx   context.Context
	close func()
	frame cdp.FrameID
}

// Render makes the certificate PDF.
func (c *Chromium) Render(ctx context.Context, d Document) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	html, err := d.html()
	if err != nil {
		return nil, err
	}
	c.slotsOnce.Do(func() { c.slots = make(chan struct{}, positiveOr(c.Tabs, DefaultTabs)) })
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.slots }()
	timeout := positiveOr(c.Timeout, 30*time.Second)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A browser that died, or a tab whose renderer crashed, since the last
	// rendering fails the first try through no fault of this one; the
	// second goes to a new tab, of a new browser if need be. The first try
	// has a third of the time: a renderer killed without Chromium telling
	// of its crash answers nothing, and the second try must not wait for
	// it for the whole timeout.
	for try := 1; ; try++ {
		t, err := c.take(ctx)
		if err != nil {
			return nil, err
		}
		tryCtx, cancelTry := ctx, context.CancelFunc(func() {})
		if try == 1 {
			tryCtx, cancelTry = context.WithTimeout(ctx, timeout/3)
		}
		pdf, err := t.print(tryCtx, html)
		hung := tryCtx.Err() != nil && ctx.Err() == nil
		cancelTry()
		if err == nil {
			c.give(t)
			return pdf, nil
		}
		// The tab is not reused: it may be half way through the page.
		lost := t.ctx.Err() != nil || hung
		if t.browser.ctx.Err() != nil || hung {
			// Its tabs went with it; or the tab answers nothing and no
			// crash was reported, and a new tab of the same browser may
			// land on the same dead renderer: a new browser, then.
			c.retire(t.browser)
		} else {
			t.close()
		}
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("chromium print to pdf: %w", ctx.Err())
		case lost && try < 2:
			continue
		}
		return nil, fmt.Errorf("chromium print to pdf: %w", err)
	}
}

// take returns a free tab of a live browser, starting the browser or
// opening a tab when there is none.
func (c *Chromium) take(ctx context.Context) (*tab, error) {
	c.mu.Lock()
	if b := c.browser; b != nil && b.ctx.Err() != nil {
		// It died while no rendering was using it.
		c.mu.Unlock()
		c.retire(b)
		c.mu.Lock()
	}
	if c.closed {
		c.mu.Unlock()
		return nil, ErrRendererClosed
	}
	if n := len(c.idle); n > 0 {
		t := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return t, nil
	}
	if c.browser == nil {
		c.browser = c.launch()
	}
	b := c.browser
	c.mu.Unlock()
	select {
	case <-b.started:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if b.err != nil {
		c.retire(b)
		return nil, fmt.Errorf("start chromium: %w", b.err)
	}
	return b.openTab(ctx)
}

// give puts a tab back for the next rendering, unless its browser is no
// longer the one in use.
func (c *Chromium) give(t *tab) {
	c.mu.Lock()
	if !c.closed && c.browser == t.browser {
		c.idle = append(c.idle, t)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	t.close()
}

// retire forgets a browser that died or did not start, with its tabs, so
// that the next rendering starts another, and ends it.
func (c *Chromium) retire(b *browser) {
	c.mu.Lock()
	current := c.browser == b
	if current {
		c.browser, c.idle = nil, nil
	}
	c.mu.Unlock()
	if current {
		select {
		case <-b.started:
			if b.err == nil {
				c.logger().Warn("chromium died; the next certificate starts it again")
			}
		default:
		}
	}
	b.close()
}

// Close ends the browser and waits for it to exit; a Render after it
// fails with ErrRendererClosed. Closing twice is harmless.
func (c *Chromium) Close() {
	c.mu.Lock()
	b := c.browser
	c.browser, c.idle, c.closed = nil, nil, true
	c.mu.Unlock()
	if b != nil {
		b.close()
	}
}

// launch starts a browser, in the background: renderings wait for
// started, each as long as its context allows.
func (c *Chromium) launch() *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(cmp.Or(c.Path, "chromium")),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	chatter := func(format string, args ...any) {
		c.logger().Debug(fmt.Sprintf(format, args...), "component", "chromedp")
	}
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithBrowserOption(chromedp.WithBrowserLogf(chatter), chromedp.WithBrowserErrorf(chatter)))
	b := &browser{ctx: ctx, started: make(chan struct{})}
	b.close = sync.OnceFunc(func() {
		select {
		case <-b.started:
			if b.err == nil && ctx.Err() == nil {
				// Asked, Chromium ends its renderer processes before
				// itself; killed, it leaves them to notice.
				asked, cancelAsked := context.WithTimeout(ctx, 2*time.Second)
				chromedp.Cancel(asked)
				cancelAsked()
			}
		default:
		}
		cancel() // kills what is left, and waits for the process
		<-b.started
		cancelAlloc()
	})
	go func() {
		defer close(b.started)
		// The first Run starts the process, which lives as long as ctx.
		b.err = chromedp.Run(ctx)
	}()
	return b
}

// openTab opens a tab, waiting for it as long as ctx allows.
func (b *browser) openTab(ctx context.Context) (*tab, error) {
	// A background tab, as chromedp opens it: in a window of its own the
	// page would be painted for the screen as well as printed (in the
	// bench, 77 rather than 47 ms of CPU a certificate), and Chromium
	// runs a background tab's renderer at a lower priority (nice 5), so
	// that certificates yield the CPU to the citizens' messages.
	tctx, closeTarget := chromedp.NewContext(b.ctx)
	// A crashed renderer answers nothing more: without this, the
	// rendering would wait for its timeout.
	alive, crashed := context.WithCancel(tctx)
	chromedp.ListenTarget(tctx, func(ev any) {
		if _, ok := ev.(*inspector.EventTargetCrashed); ok {
			crashed()
		}
	})
	closeTab := func() { crashed(); closeTarget() }
	// The tab lives as long as the context of its first Run, so that is
	// tctx; ctx bounds only the opening.
	stop := context.AfterFunc(ctx, closeTab)
	var tree *page.FrameTree
	// chromedp enables the domains its queries need; a certificate needs
	// none of their events, and on each page DOM's would have chromedp
	// fetch the whole document back. Inspector stays, for the crash.
	quiet := chromedp.Tasks{network.Disable(), dom.Disable(), css.Disable(), log.Disable(), page.SetLifecycleEventsEnabled(false),
		page.Disable(), runtime.Disable()}
	err := chromedp.Run(tctx, quiet, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		tree, err = page.GetFrameTree().Do(ctx)
		return err
	}))
	if !stop() {
		closeTab()
		return nil, ctx.Err()
	}
	if err != nil {
		closeTab()
		return nil, fmt.Errorf("open a chromium tab: %w", err)
	}
	return &tab{browser: b, ctx: alive, close: closeTab, frame: tree.Frame.ID}, nil
}

// pageReady resolves once the page can be printed: the QR is a data URL
// that loads after the document is set, and a page printed before would
// lack it; an image that did not load rejects. (img.decode() would wait
// for a frame, which a tab in the background never draws.)
const pageReady = `Promise.all(Array.from(document.images, img => img.complete || new Promise(done => { img.onload = img.onerror = done })))
	.then(() => document.fonts.ready)
	.then(() => Array.from(document.images).every(img => img.naturalWidth > 0) || Promise.reject(new Error("an image did not load")))`

// print sets the tab's page to html and prints it as --print-to-pdf did:
// as the page's CSS says (A4, its own margins), with backgrounds, no
// header or footer, tagged for screen readers.
func (t *tab) print(ctx context.Context, html string) ([]byte, error) {
	run, cancel := context.WithCancel(t.ctx)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	var pdf []byte
	err := chromedp.Run(run, chromedp.ActionFunc(func(ctx context.Context) error {
		if err := page.SetDocumentContent(t.frame, html).Do(ctx); err != nil {
			return fmt.Errorf("set the page: %w", err)
		}
		_, exc, err := runtime.Evaluate(pageReady).WithAwaitPromise(true).WithReturnByValue(true).Do(ctx)
		if err != nil {
			return fmt.Errorf("wait for the page: %w", err)
		}
		if exc != nil {
			return fmt.Errorf("page not ready: %w", exc)
		}
		pdf, _, err = page.PrintToPDF().WithPaperWidth(a4Width).WithPaperHeight(a4Height).
			WithPreferCSSPageSize(true).WithPrintBackground(true).WithDisplayHeaderFooter(false).WithGenerateTaggedPDF(true).Do(ctx)
		return err
	}))
	return pdf, err
}

// A4 in inches, as PrintToPDF takes it; the page's @page says A4 too.
const a4Width, a4Height = 8.27, 11.69

func (c *Chromium) logger() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func positiveOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
