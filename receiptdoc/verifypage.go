package receiptdoc

import (
	"html/template"
	"io"
	"time"

	"github.com/shopspring/decimal"
)

// VerifyPage is what the public verification page shows about one receipt:
// its standing and the figures printed on it, and nothing about the person
// who paid (no name, address, consumer number or cashier), because anyone
// holding the URL can open it.
type VerifyPage struct {
	// Genuine is true when the URL's signature matched and the receipt was
	// found with the signed amount and date. When false the page says the
	// receipt could not be verified and shows nothing else but ReceiptNo.
	Genuine bool
	// ULBName is the ULB that issued the receipt.
	ULBName string
	// ReceiptNo, Date and Amount are as printed on the receipt.
	ReceiptNo string
	Date      time.Time
	Amount    decimal.Decimal
	// Status is the receipt's standing today, decided by the receipts
	// domain; StatusDate is when it was cancelled or dishonoured.
	Status     Status
	StatusDate time.Time
}

// VerifyPage is the verification page for d: its public figures and status.
func (d Document) VerifyPage() VerifyPage {
	return VerifyPage{
		Genuine:    true,
		ULBName:    d.ULBName,
		ReceiptNo:  d.ReceiptNo,
		Date:       d.Date,
		Amount:     d.Total,
		Status:     d.Status,
		StatusDate: d.StatusDate,
	}
}

// WriteVerifyPage writes p to w as a complete HTML page, escaped by
// html/template. A genuine page must carry a known status, and a date when
// it is cancelled or dishonoured; otherwise it is an *InputError and
// nothing is written.
func WriteVerifyPage(w io.Writer, p VerifyPage) error {
	if p.Genuine {
		switch p.Status {
		case StatusValid:
		case StatusCancelled, StatusDishonoured:
			if p.StatusDate.IsZero() {
				return invalid("status_date", "is required for a %s receipt", p.Status)
			}
		default:
			return invalid("status", "must be valid, cancelled or dishonoured, got %q", p.Status)
		}
	}
	return verifyTemplate.Execute(w, verifyView{
		VerifyPage: p,
		Mark:       markText(p.Status),
		StatusLine: statusLine[p.Status],
		Date:       p.Date.Format(dateLayout),
		StatusDate: p.StatusDate.Format(dateLayout),
		Amount:     "Rs. " + FormatAmount(p.Amount),
	})
}

var statusLine = map[Status]string{
	StatusCancelled:   "This receipt was cancelled",
	StatusDishonoured: "The payment for this receipt was dishonoured",
}

// verifyView is the page with its values formatted as the receipt prints
// them.
type verifyView struct {
	VerifyPage
	Mark, StatusLine, Date, StatusDate, Amount string
}

var verifyTemplate = template.Must(template.New("verify").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Receipt verification</title>
<style>
body { font-family: sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
.status { font-size: 1.6rem; font-weight: bold; padding: .6rem 1rem; border: 3px solid; }
.valid { color: #0a6b2d; }
.void { color: #b00000; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
dt { color: #555; }
dd { margin: 0; }
</style>
</head>
<body>
{{- if not .Genuine}}
<p class="status void" id="status">NOT VERIFIED</p>
<p>This receipt{{with .ReceiptNo}} ({{.}}){{end}} could not be verified: it does not match the records of the issuing
municipality. It may have been altered or forged. Please contact the municipality's office before relying on it.</p>
{{- else}}
{{- if .Mark}}
<p class="status void" id="status">{{.Mark}}</p>
<p>{{.StatusLine}} on {{.StatusDate}}. It is not valid as proof of payment.</p>
{{- else}}
<p class="status valid" id="status">VALID</p>
<p>This receipt matches the records of the issuing municipality.</p>
{{- end}}
<dl>
<dt>Issued by</dt><dd>{{.ULBName}}</dd>
<dt>Receipt No.</dt><dd>{{.ReceiptNo}}</dd>
<dt>Date</dt><dd>{{.Date}}</dd>
<dt>Amount</dt><dd>{{.Amount}}</dd>
</dl>
{{- end}}
</body>
</html>
`))
