package receiptdoc

import (
	"net/url"
	"strings"
	"time"
)

// Layout is a receipt arranged for printing and independent of any file
// format: rows from the top of an A4 page down, each split into cells on a
// grid of GridColumns. What a receipt says and where lives here; a Renderer
// only decides how a style looks in its format.
type Layout struct {
	// Title names the file, e.g. "Receipt PT/2025-26/000123".
	Title string
	// Rows are printed top to bottom.
	Rows []Row
}

// GridColumns is the width of a row in grid columns; a row's spans add up
// to it.
const GridColumns = 12

// Row is one band of the page.
type Row struct {
	// Cells are laid left to right.
	Cells []Cell
	// Rule, when set, draws a horizontal line across the page instead.
	Rule bool
	// Height is the row's height in millimetres; 0 fits the content.
	Height float64
}

// Cell is one piece of text, or a QR code, in a row.
type Cell struct {
	// Span is the cell's width in grid columns.
	Span int
	// Text is printed in Style, aligned by Align, wrapped at spaces.
	Text  string
	Style Style
	Align Align
	// QR, when set, makes the cell a QR code carrying this text instead.
	QR string
}

// Style says what a piece of text is, so each renderer can give it a look.
type Style int

// The styles of text on a receipt.
const (
	// StyleBody is a field's value.
	StyleBody Style = iota
	// StyleLabel is a field's name.
	StyleLabel
	// StyleStrong is the total and the amount in words.
	StyleStrong
	// StyleTitle is the ULB's name.
	StyleTitle
	// StyleHeading is the document's heading and the columns' headings.
	StyleHeading
	// StyleSmall is notes, the address and the verification line.
	StyleSmall
	// StyleMark is CANCELLED or DISHONOURED: it must be impossible to miss.
	StyleMark
)

// Align is a cell's horizontal alignment.
type Align int

// The alignments.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// Labels printed on every receipt, in English and in one place. A receipt
// in Hindi would need a second set chosen here by NewLayout (and a renderer
// that shapes Devanagari); the renderers print whatever text they are given.
const (
	labelHeading    = "PAYMENT RECEIPT"
	labelReceiptNo  = "Receipt No."
	labelDate       = "Date"
	labelPayer      = "Received from"
	labelConsumer   = "Consumer"
	labelPeriod     = "Period"
	labelHead       = "Head"
	labelAmount     = "Amount (Rs.)"
	labelTotal      = "Total"
	labelWords      = "Amount in words"
	labelMode       = "Mode of payment"
	labelInstrument = "Instrument"
	labelCashier    = "Received by"
	noteRealisation = "Payment by cheque or draft is subject to its realisation."
	noteNotValid    = "This receipt is not valid as proof of payment."
)

// dateLayout prints days unambiguously: "14 Jul 2025".
const dateLayout = "02 Jan 2006"

// NewLayout arranges d as a receipt. It validates d first and returns its
// fault as *InputError; a layout it returns is complete.
func NewLayout(d Document) (Layout, error) {
	if err := d.Validate(); err != nil {
		return Layout{}, err
	}
	words, err := AmountInWords(d.Total)
	if err != nil {
		return Layout{}, err
	}

	var rows []Row
	add := func(cells ...Cell) { rows = append(rows, Row{Cells: cells}) }
	rule := func() { rows = append(rows, Row{Rule: true}) }
	mark := markText(d.Status)

	if mark != "" {
		add(Cell{Span: 12, Text: mark, Style: StyleMark, Align: AlignCenter})
		add(Cell{Span: 12, Text: statusNote(d), Style: StyleStrong, Align: AlignCenter})
	}
	add(Cell{Span: 12, Text: d.ULBName, Style: StyleTitle, Align: AlignCenter})
	if d.ULBAddress != "" {
		add(Cell{Span: 12, Text: d.ULBAddress, Style: StyleSmall, Align: AlignCenter})
	}
	add(Cell{Span: 12, Text: labelHeading, Style: StyleHeading, Align: AlignCenter})
	rule()

	add(label(3, labelReceiptNo), body(4, d.ReceiptNo), label(2, labelDate), body(3, d.Date.Format(dateLayout)))
	add(label(3, labelPayer), body(9, d.PayerName))
	for i, c := range d.Consumers {
		name := ""
		if i == 0 {
			name = labelConsumer
		}
		add(label(3, name), body(9, c.Service+": "+c.Code))
	}
	rule()

	add(Cell{Span: 3, Text: labelPeriod, Style: StyleHeading},
		Cell{Span: 6, Text: labelHead, Style: StyleHeading},
		Cell{Span: 3, Text: labelAmount, Style: StyleHeading, Align: AlignRight})
	for _, l := range d.Lines {
		add(body(3, l.Period), body(6, l.Head), Cell{Span: 3, Text: FormatAmount(l.Amount), Align: AlignRight})
	}
	rule()
	add(Cell{Span: 9, Text: labelTotal, Style: StyleStrong, Align: AlignRight},
		Cell{Span: 3, Text: "Rs. " + FormatAmount(d.Total), Style: StyleStrong, Align: AlignRight})
	add(label(3, labelWords), Cell{Span: 9, Text: words, Style: StyleStrong})
	add(label(3, labelMode), body(9, d.Mode))
	if in := d.Instrument; in != nil {
		add(label(3, labelInstrument), body(9, instrumentText(*in)))
	}
	add(label(3, labelCashier), body(9, d.Cashier))
	if in := d.Instrument; in != nil && in.Bank != "" {
		add(Cell{Span: 12, Text: noteRealisation, Style: StyleSmall})
	}
	rule()

	rows = append(rows, Row{Height: 40, Cells: []Cell{
		{Span: 3, QR: d.VerifyURL},
		{Span: 9, Text: verifyNote(d), Style: StyleSmall},
	}})
	if mark != "" {
		add(Cell{Span: 12, Text: mark, Style: StyleMark, Align: AlignCenter})
	}
	return Layout{Title: "Receipt " + d.ReceiptNo, Rows: rows}, nil
}

func label(span int, text string) Cell { return Cell{Span: span, Text: text, Style: StyleLabel} }
func body(span int, text string) Cell  { return Cell{Span: span, Text: text} }

func markText(s Status) string {
	switch s {
	case StatusCancelled:
		return "CANCELLED"
	case StatusDishonoured:
		return "DISHONOURED"
	}
	return ""
}

func statusNote(d Document) string {
	what := "Cancelled"
	if d.Status == StatusDishonoured {
		what = "Payment dishonoured"
	}
	return what + " on " + d.StatusDate.Format(dateLayout) + ": " + d.StatusReason + ". " + noteNotValid
}

func instrumentText(in Instrument) string {
	parts := []string{"No. " + in.Number}
	if !in.Date.IsZero() {
		parts[0] += " dated " + in.Date.Format(dateLayout)
	}
	for _, p := range []string{in.Bank, in.Branch} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// verifyNote tells a reader where the QR code leads. The signed query is
// left out: it is for the machine, and too long to type.
func verifyNote(d Document) string {
	where := ""
	if u, err := url.Parse(d.VerifyURL); err == nil && u.Host != "" {
		where = " at " + u.Host + u.Path
	}
	return "Scan the QR code to check this receipt with " + d.ULBName + where +
		". Receipt " + d.ReceiptNo + " of " + d.Date.Format(time.DateOnly) + ", ULB " + d.TenantID + "."
}
