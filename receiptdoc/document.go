package receiptdoc

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Status is what the receipts domain has decided about a receipt. This
// package prints it and never decides it.
type Status string

// The statuses a receipt can have.
const (
	// StatusValid is a receipt standing as proof of payment.
	StatusValid Status = "valid"
	// StatusCancelled is a receipt cancelled after issue; it keeps its
	// number and is reissued marked CANCELLED.
	StatusCancelled Status = "cancelled"
	// StatusDishonoured is a receipt whose cheque or draft was returned
	// unpaid; it is reissued marked DISHONOURED.
	StatusDishonoured Status = "dishonoured"
)

// Document is everything a receipt prints, gathered by the receipts domain.
// It carries no behaviour beyond Validate and Fields: the layout decides
// where each value goes.
type Document struct {
	// ULBName and ULBAddress head the receipt, e.g. "Dehradun Municipal
	// Corporation". ULBAddress may be empty.
	ULBName    string
	ULBAddress string
	// TenantID is the ULB's tenant, e.g. "uk.dehradun"; it is signed.
	TenantID string
	// ReceiptNo is the gapless receipt number, e.g. "PT/2025-26/000123".
	ReceiptNo string
	// Date is the receipt's calendar day, read in the time's own location
	// (the caller passes Asia/Kolkata or a bare date).
	Date time.Time
	// PayerName is who paid, as they asked it to be written.
	PayerName string
	// Consumers are the connections or assessments paid for; at least one.
	Consumers []Consumer
	// Lines are the amounts received, one per period and head; at least one.
	Lines []Line
	// Total is the amount received; it must equal the sum of Lines.
	Total decimal.Decimal
	// Mode is how it was paid, e.g. "Cash", "Cheque", "Demand Draft", "UPI".
	Mode string
	// Instrument is the cheque, draft or transaction paid with; nil for cash.
	Instrument *Instrument
	// Cashier is who received the payment: a name, or a counter and user id.
	Cashier string
	// Status is the receipt's standing; the zero value is refused, so a
	// caller always says which.
	Status Status
	// StatusDate and StatusReason say when and why a receipt was cancelled
	// or dishonoured; both are required then, and ignored for a valid one.
	StatusDate   time.Time
	StatusReason string
	// VerifyURL is the signed public URL the QR code carries, from
	// Signer.VerifyURL(base, d.Fields()).
	VerifyURL string
}

// Consumer is one connection or assessment a receipt pays for.
type Consumer struct {
	// Service is what is paid for, e.g. "Property Tax", "Water Charges".
	Service string
	// Code is the consumer, assessment or licence number.
	Code string
}

// Line is one amount received, for one period and head.
type Line struct {
	// Period is the label of the demand period, e.g. "2025-26 H1"; it may be
	// empty for a payment not tied to a period (a fee).
	Period string
	// Head is the name of the tax or fee head, e.g. "General Tax".
	Head string
	// Amount is received against this head and period, to the paisa.
	Amount decimal.Decimal
}

// Instrument is the cheque, draft or electronic transaction a payment came by.
type Instrument struct {
	// Number is the cheque, draft or transaction number.
	Number string
	// Date is the instrument's date; zero when not applicable.
	Date time.Time
	// Bank and Branch are the drawee bank; either may be empty (UPI).
	Bank   string
	Branch string
}

// Fields are the document's values that its signature covers.
func (d Document) Fields() Fields {
	return Fields{TenantID: d.TenantID, ReceiptNo: d.ReceiptNo, Amount: d.Total, Date: d.Date}
}

// Validate checks that the document can be printed as a receipt: every
// field a receipt must show is present, amounts are to the paisa and not
// negative, the lines add up to the total, and a cancelled or dishonoured
// receipt says when and why. The first fault is returned as *InputError.
func (d Document) Validate() error {
	for _, req := range []struct{ field, value string }{
		{"ulb_name", d.ULBName},
		{"tenant_id", d.TenantID},
		{"receipt_no", d.ReceiptNo},
		{"payer_name", d.PayerName},
		{"mode", d.Mode},
		{"cashier", d.Cashier},
		{"verify_url", d.VerifyURL},
	} {
		if req.value == "" {
			return invalid(req.field, "is required")
		}
	}
	if d.Date.IsZero() {
		return invalid("date", "is required")
	}
	if len(d.Consumers) == 0 {
		return invalid("consumers", "must name at least one consumer")
	}
	for i, c := range d.Consumers {
		if c.Service == "" || c.Code == "" {
			return invalid(indexed("consumers", i), "needs both service and code")
		}
	}
	if len(d.Lines) == 0 {
		return invalid("lines", "must have at least one line")
	}
	sum := decimal.Zero
	for i, l := range d.Lines {
		if l.Head == "" {
			return invalid(indexed("lines", i)+".head", "is required")
		}
		if err := checkAmount(indexed("lines", i)+".amount", l.Amount); err != nil {
			return err
		}
		sum = sum.Add(l.Amount)
	}
	if err := checkAmount("total", d.Total); err != nil {
		return err
	}
	if !sum.Equal(d.Total) {
		return invalid("total", "is %s but the lines add up to %s", d.Total.StringFixed(2), sum.StringFixed(2))
	}
	if d.Instrument != nil && d.Instrument.Number == "" {
		return invalid("instrument.number", "is required when an instrument is given")
	}
	switch d.Status {
	case StatusValid:
	case StatusCancelled, StatusDishonoured:
		if d.StatusDate.IsZero() {
			return invalid("status_date", "is required for a %s receipt", d.Status)
		}
		if d.StatusReason == "" {
			return invalid("status_reason", "is required for a %s receipt", d.Status)
		}
	default:
		return invalid("status", "must be valid, cancelled or dishonoured, got %q", d.Status)
	}
	return nil
}

func indexed(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}
