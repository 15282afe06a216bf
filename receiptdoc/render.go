package receiptdoc

import "io"

// Renderer draws a Layout into a file format. A renderer decides only how
// each Style looks and how a QR code is drawn; what is printed and where
// comes from the Layout, so a second renderer (for Indian scripts, say)
// prints the same receipt.
type Renderer interface {
	// Render writes the layout to w as one complete file.
	Render(w io.Writer, l Layout) error
}

// Render lays d out and writes it to w with r: the one call the receipts
// domain needs to print or reissue a receipt. A document NewLayout refuses
// is returned as its *InputError and nothing is written.
func Render(w io.Writer, r Renderer, d Document) error {
	l, err := NewLayout(d)
	if err != nil {
		return err
	}
	return r.Render(w, l)
}
