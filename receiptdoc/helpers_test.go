package receiptdoc_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// date parses a calendar day, e.g. "2025-06-30".
func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// requireInputError checks err is an *InputError on field.
func requireInputError(t *testing.T, err error, field string) {
	t.Helper()
	var ie *receiptdoc.InputError
	require.True(t, errors.As(err, &ie), "want *receiptdoc.InputError on %s, got %v", field, err)
	require.Equal(t, field, ie.Field, "rule: %s", ie.Rule)
	require.NotEmpty(t, ie.Rule)
}

// testDocument is a valid receipt paid by cheque for two heads over two
// periods; edits change it before it is signed with a fixed test key.
func testDocument(t testing.TB, edits ...func(*receiptdoc.Document)) receiptdoc.Document {
	t.Helper()
	d := receiptdoc.Document{
		ULBName:    "Dehradun Municipal Corporation",
		ULBAddress: "Nagar Nigam Bhawan, Dehradun 248001",
		TenantID:   "uk.dehradun",
		ReceiptNo:  "PT/2025-26/000123",
		Date:       date("2025-07-14"),
		PayerName:  "Asha Rawat",
		Consumers:  []receiptdoc.Consumer{{Service: "Property Tax", Code: "DDN-W12-0456"}},
		Lines: []receiptdoc.Line{
			{Period: "2024-25", Head: "General Tax", Amount: dec("6000.00")},
			{Period: "2024-25", Head: "Interest on Arrears", Amount: dec("345.50")},
			{Period: "2025-26", Head: "General Tax", Amount: dec("6000.00")},
		},
		Total:      dec("12345.50"),
		Mode:       "Cheque",
		Instrument: &receiptdoc.Instrument{Number: "004512", Date: date("2025-07-12"), Bank: "State Bank of India", Branch: "Rajpur Road"},
		Cashier:    "Counter 2 / R. Negi",
		Status:     receiptdoc.StatusValid,
	}
	for _, e := range edits {
		e(&d)
	}
	s, err := receiptdoc.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	if d.VerifyURL == "" {
		d.VerifyURL = s.VerifyURL("https://munim.example.in/verify/receipt", d.Fields())
	}
	return d
}

func cancelled(d *receiptdoc.Document) {
	d.Status = receiptdoc.StatusCancelled
	d.StatusDate = date("2025-07-20")
	d.StatusReason = "entered against the wrong assessment"
}

func dishonoured(d *receiptdoc.Document) {
	d.Status = receiptdoc.StatusDishonoured
	d.StatusDate = date("2025-07-18")
	d.StatusReason = "cheque returned, funds insufficient"
}
