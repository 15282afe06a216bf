package receiptdoc_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/receiptdoc"
)

func ExampleAmountInWords() {
	words, err := receiptdoc.AmountInWords(decimal.RequireFromString("12345678.50"))
	if err != nil {
		panic(err)
	}
	fmt.Println(receiptdoc.FormatAmount(decimal.RequireFromString("12345678.50")))
	fmt.Println(words)
	// Output:
	// 1,23,45,678.50
	// Rupees One Crore Twenty-Three Lakh Forty-Five Thousand Six Hundred Seventy-Eight and Fifty Paise Only
}

// Issuing a receipt, then checking it as the public endpoint does: the
// signed URL goes into the document's QR code; a query read back from it
// verifies, and the same query with the amount altered does not.
func Example() {
	signer, err := receiptdoc.NewSigner([]byte("a server key of at least 32 bytes, from config"))
	if err != nil {
		panic(err)
	}
	d := receiptdoc.Document{
		ULBName: "Dehradun Municipal Corporation", TenantID: "uk.dehradun",
		ReceiptNo: "PT/2025-26/000123", Date: time.Date(2025, 7, 14, 0, 0, 0, 0, time.UTC),
		PayerName: "Asha Rawat",
		Consumers: []receiptdoc.Consumer{{Service: "Property Tax", Code: "DDN-W12-0456"}},
		Lines:     []receiptdoc.Line{{Period: "2025-26", Head: "General Tax", Amount: decimal.RequireFromString("6000")}},
		Total:     decimal.RequireFromString("6000"),
		Mode:      "Cash", Cashier: "Counter 2", Status: receiptdoc.StatusValid,
	}
	d.VerifyURL = signer.VerifyURL("https://munim.example.in/verify/receipt", d.Fields())

	var pdf bytes.Buffer
	if err := receiptdoc.Render(&pdf, receiptdoc.NewPDFRenderer(), d); err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(pdf.String(), "%PDF-"))

	u, _ := url.Parse(d.VerifyURL)
	fields, sig, err := receiptdoc.ParseVerifyQuery(u.Query())
	if err != nil {
		panic(err)
	}
	fmt.Println(signer.Verify(fields, sig))

	q := u.Query()
	q.Set("amount", "9000.00")
	fields, sig, _ = receiptdoc.ParseVerifyQuery(q)
	fmt.Println(signer.Verify(fields, sig))
	// Output:
	// true
	// true
	// false
}
