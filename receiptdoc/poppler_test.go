package receiptdoc_test

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

// requirePoppler returns the paths of pdftotext and pdftoppm (Debian's
// poppler-utils). Where they are missing the test is skipped, unless
// MUNIM_REQUIRE_POPPLER is set, as CI sets it, and then it fails.
func requirePoppler(t *testing.T) (pdftotext, pdftoppm string) {
	t.Helper()
	var missing []string
	for _, tool := range []struct {
		name string
		path *string
	}{{"pdftotext", &pdftotext}, {"pdftoppm", &pdftoppm}} {
		p, err := exec.LookPath(tool.name)
		if err != nil {
			missing = append(missing, tool.name)
		}
		*tool.path = p
	}
	if len(missing) > 0 {
		msg := strings.Join(missing, ", ") + " not found: apt-get install poppler-utils"
		if os.Getenv("MUNIM_REQUIRE_POPPLER") != "" {
			t.Fatal(msg + " (MUNIM_REQUIRE_POPPLER is set)")
		}
		t.Skip(msg + " (set MUNIM_REQUIRE_POPPLER to make this a failure)")
	}
	return pdftotext, pdftoppm
}

// TestPDFThroughPoppler checks the receipt as an independent PDF reader
// sees it: poppler extracts the same text, and page 1 rasterised shows ink
// where the heading, the mark and the QR code belong.
func TestPDFThroughPoppler(t *testing.T) {
	t.Parallel()
	pdftotext, pdftoppm := requirePoppler(t)

	for _, tc := range []struct {
		name string
		edit func(*receiptdoc.Document)
		mark string
	}{
		{"valid", func(*receiptdoc.Document) {}, ""},
		{"cancelled", cancelled, "CANCELLED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file := filepath.Join(dir, "receipt.pdf")
			require.NoError(t, os.WriteFile(file, renderPDF(t, testDocument(t, tc.edit)), 0o600))

			out, err := exec.Command(pdftotext, file, "-").CombinedOutput()
			require.NoError(t, err, "pdftotext: %s", out)
			text := strings.Join(strings.Fields(string(out)), " ")
			require.Contains(t, text, "PT/2025-26/000123")
			require.Contains(t, text, "Rs. 12,345.50")
			require.Contains(t, text, "Rupees Twelve Thousand Three Hundred Forty-Five and Fifty Paise Only")
			if tc.mark != "" {
				require.Contains(t, text, tc.mark)
			} else {
				require.NotContains(t, text, "CANCELLED")
			}

			prefix := filepath.Join(dir, "page")
			out, err = exec.Command(pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", file, prefix).CombinedOutput()
			require.NoError(t, err, "pdftoppm: %s", out)
			img := readPNG(t, prefix+".png")
			checkInk(t, img, tc.mark != "")
		})
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

// region is a part of the page in fractions of its width and height.
type region struct{ x0, y0, x1, y1 float64 }

// share counts the pixels in r for which keep holds, as a fraction of r.
func share(img image.Image, r region, keep func(red, green, blue uint32) bool) float64 {
	b := img.Bounds()
	x0, x1 := b.Min.X+int(r.x0*float64(b.Dx())), b.Min.X+int(r.x1*float64(b.Dx()))
	y0, y1 := b.Min.Y+int(r.y0*float64(b.Dy())), b.Min.Y+int(r.y1*float64(b.Dy()))
	n, total := 0, 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			red, green, blue, _ := img.At(x, y).RGBA()
			if keep(red>>8, green>>8, blue>>8) {
				n++
			}
			total++
		}
	}
	return float64(n) / float64(total)
}

func dark(r, g, b uint32) bool { return r < 100 && g < 100 && b < 100 }
func red(r, g, b uint32) bool  { return r > 150 && g < 90 && b < 90 }

// checkInk asserts the page is not blank and the parts of the receipt are
// where the layout puts them. The regions are generous: they catch a page
// that lost its heading, QR code or mark, not a millimetre's shift.
func checkInk(t *testing.T, img image.Image, marked bool) {
	t.Helper()
	b := img.Bounds()
	require.InDelta(t, 297.0/210.0, float64(b.Dy())/float64(b.Dx()), 0.02, "an A4 portrait page: %v", b)

	whole := region{0, 0, 1, 1}
	require.Greater(t, share(img, whole, dark), 0.01, "the page is blank")

	headerTop := 0.0
	if marked {
		// The mark is a red box across the top of the page.
		require.Greater(t, share(img, region{0.1, 0, 0.9, 0.12}, red), 0.02, "no red CANCELLED mark at the top")
		headerTop = 0.1
	} else {
		require.Zero(t, share(img, whole, red), "red ink on a valid receipt")
	}
	require.Greater(t, share(img, region{0.2, headerTop, 0.8, headerTop + 0.15}, dark), 0.01, "no heading")
	require.Greater(t, share(img, region{0.04, 0.3, 0.3, 0.7}, dark), 0.05, "no QR code")
	require.Zero(t, share(img, region{0, 0.9, 1, 1}, dark), "ink at the foot of a one-part receipt")
}

// TestPDFQRCodeScans reads the QR code back from page 1 at 150 dpi with
// zbarimg (Debian's zbar-tools), when it is installed: a phone must get the
// exact verification URL. Without zbarimg it is skipped; CI does not
// install it.
func TestPDFQRCodeScans(t *testing.T) {
	t.Parallel()
	_, pdftoppm := requirePoppler(t)
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not found: apt-get install zbar-tools to scan the QR code")
	}

	d := testDocument(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "receipt.pdf")
	require.NoError(t, os.WriteFile(file, renderPDF(t, d), 0o600))
	prefix := filepath.Join(dir, "page")
	out, err := exec.Command(pdftoppm, "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", file, prefix).CombinedOutput()
	require.NoError(t, err, "pdftoppm: %s", out)

	out, err = exec.Command(zbarimg, "--quiet", "--raw", prefix+".png").Output()
	require.NoError(t, err, "zbarimg found no QR code")
	require.Equal(t, d.VerifyURL, strings.TrimSpace(string(out)))
}
