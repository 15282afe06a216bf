package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser finds Chromium, or skips (CI sets MUNIM_REQUIRE_BROWSER and
// installs Debian's chromium, so there the test must run).
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MUNIM_REQUIRE_BROWSER") != "" {
		t.Fatal("MUNIM_REQUIRE_BROWSER is set but no Chromium was found")
	}
	t.Skip("no Chromium: the citizen page's browser test needs it (apt-get install chromium)")
	return ""
}

// A citizen, in a real headless Chromium, enters a consumer code on the
// payment page, sees the dues, pays at the (simulated) gateway's checkout,
// comes back to a receipt, downloads its PDF and opens its verification
// link.
func TestCitizenPaysInABrowser(t *testing.T) {
	t.Parallel()
	exe := browser(t)
	w, _ := setupPaymentsWorld(t)
	propertyTaxDemand(t, w, "PT-1")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", true), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(w.url+"/pay/uk.dehradun"),
		chromedp.WaitVisible("#consumer"),
		chromedp.SendKeys("#consumer", "PT-1"),
		chromedp.Click("#find"),
		chromedp.WaitVisible("#total"),
	))
	total, err := chromedp.Run(ctx, chromedp.Text("#total"))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click("#pay"), // to the gateway's checkout
		chromedp.WaitVisible("#order"),
		chromedp.Click("#pay"), // pay there; it posts back to us
		chromedp.WaitVisible("#status"),
	))
	status, err := chromedp.Run(ctx, chromedp.Text("#status"))
	require.NoError(t, err)
	receiptNo, err := chromedp.Run(ctx, chromedp.Text(".receipt-no"))
	require.NoError(t, err)
	pdf, err := chromedp.Run(ctx, chromedp.AttributeValue(".receipt-pdf", "href"))
	require.NoError(t, err)
	verify, err := chromedp.Run(ctx, chromedp.AttributeValue(".receipt-verify", "href"))
	require.NoError(t, err)
	pdfHref, verifyHref := pdf.Value, verify.Value
	assert.Equal(t, "3600.00", total)
	assert.Equal(t, "Payment success", status)
	assert.Regexp(t, `^PT/\d{4}-\d{2}/\d{6}$`, receiptNo)

	resp, err := w.http.Get(w.url + pdfHref)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(string(body), "%PDF"))
	// Without the checkout's signature, no receipt.
	resp, err = w.http.Get(w.url + strings.Replace(pdfHref, "sig=", "sig=00", 1))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	require.NotEmpty(t, verifyHref)
	u := verifyHref[strings.Index(verifyHref, "/verify/"):]
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(w.url+u)))
	verified, err := chromedp.Run(ctx, chromedp.Text("body"))
	require.NoError(t, err)
	assert.Contains(t, verified, receiptNo)
}
