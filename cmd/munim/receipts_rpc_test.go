package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/munimhq/munim/auth"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	receiptsv1 "github.com/munimhq/munim/gen/pb/munim/receipts/v1"
	"github.com/munimhq/munim/gen/pb/munim/receipts/v1/receiptsv1connect"
)

func (w world) receipts(cred string) receiptsv1connect.ReceiptServiceClient {
	return receiptsv1connect.NewReceiptServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

func cashPayment(key, consumer, amount string) *receiptsv1.CollectPaymentRequest {
	return &receiptsv1.CollectPaymentRequest{TenantId: "uk.dehradun", IdempotencyKey: key, Mode: receiptsv1.Mode_MODE_CASH,
		Amount: amount, PayerName: "Meera Rawat",
		Items: []*receiptsv1.PaymentItem{{Service: "property_tax", ConsumerCode: consumer, Amount: amount}}}
}

// A cashier takes a payment over RPC: the receipt comes back numbered, the
// dues drop, a retry returns the same receipt, another body under the key is
// AlreadyExists; the cashier may not cancel it, the accountant (the
// counter's supervisor) may; the register ties throughout.
func TestCounterCollectionOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	propertyTaxDemand(t, w, "PT-1")
	cashier := w.receipts(token(t, "sunil", []auth.Role{auth.RoleCashier}, "uk.dehradun"))
	res, err := cashier.CollectPayment(w.ctx, connect.NewRequest(cashPayment("counter-1", "PT-1", "1000.00")))
	require.NoError(t, err)
	r := res.Msg.Receipt
	assert.Regexp(t, `^PT/\d{4}-\d{2}/000001$`, r.Number)
	assert.Equal(t, "valid", r.Status)
	assert.Equal(t, "user:sunil", r.CollectedBy)
	assert.Equal(t, "4501001", r.DebitAccount)
	require.Len(t, r.Allocations, 1)
	assert.Equal(t, "1000.00", r.Allocations[0].Amount)

	again, err := cashier.CollectPayment(w.ctx, connect.NewRequest(cashPayment("counter-1", "PT-1", "1000.00")))
	require.NoError(t, err)
	assert.Equal(t, r.Id, again.Msg.Receipt.Id)
	_, err = cashier.CollectPayment(w.ctx, connect.NewRequest(cashPayment("counter-1", "PT-1", "900.00")))
	assert.Equal(t, connect.CodeAlreadyExists, connect.CodeOf(err))

	// A cheque needs its number: the violation names the field.
	bad := cashPayment("counter-2", "PT-1", "10.00")
	bad.Mode = receiptsv1.Mode_MODE_CHEQUE
	bad.Instrument = &receiptsv1.Instrument{Date: r.Date, Bank: "SBI"}
	_, err = cashier.CollectPayment(w.ctx, connect.NewRequest(bad))
	require.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))
	var fields []string
	var ce *connect.Error
	require.ErrorAs(t, err, &ce)
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if br, ok := v.(*errdetails.BadRequest); ok {
				for _, f := range br.FieldViolations {
					fields = append(fields, f.Field)
				}
			}
		}
	}
	assert.Contains(t, fields, "instrument.number")

	bills := w.billing(token(t, "sunil", []auth.Role{auth.RoleCashier}, "uk.dehradun"))
	dues, err := bills.GetDues(w.ctx, connect.NewRequest(&billingv1.GetDuesRequest{TenantId: "uk.dehradun", ConsumerCode: "PT-1"}))
	require.NoError(t, err)
	assert.Equal(t, "2600.00", dues.Msg.Total)

	got, err := cashier.GetReceipt(w.ctx, connect.NewRequest(&receiptsv1.GetReceiptRequest{TenantId: "uk.dehradun",
		Receipt: &receiptsv1.GetReceiptRequest_Number{Number: r.Number}}))
	require.NoError(t, err)
	assert.Equal(t, r.Id, got.Msg.Receipt.Id)

	_, err = cashier.CancelReceipt(w.ctx, connect.NewRequest(&receiptsv1.CancelReceiptRequest{TenantId: "uk.dehradun", ReceiptId: r.Id, Reason: "wrong consumer"}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "a cashier holds no cancel permission")
	supervisor := w.receipts(token(t, "ravi", []auth.Role{auth.RoleAccountant, auth.RoleCashier}, "uk.dehradun"))
	cancelled, err := supervisor.CancelReceipt(w.ctx, connect.NewRequest(&receiptsv1.CancelReceiptRequest{TenantId: "uk.dehradun", ReceiptId: r.Id, Reason: "wrong consumer"}))
	require.NoError(t, err)
	assert.Equal(t, "cancelled", cancelled.Msg.Receipt.Status)
	assert.Equal(t, r.Number, cancelled.Msg.Receipt.Number)

	// Ravi, accountant and cashier both, may not cancel a receipt he took himself.
	own, err := supervisor.CollectPayment(w.ctx, connect.NewRequest(cashPayment("counter-3", "PT-1", "10.00")))
	require.NoError(t, err)
	_, err = supervisor.CancelReceipt(w.ctx, connect.NewRequest(&receiptsv1.CancelReceiptRequest{TenantId: "uk.dehradun", ReceiptId: own.Msg.Receipt.Id, Reason: "mine"}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))

	sum, err := cashier.GetCollectionSummary(w.ctx, connect.NewRequest(&receiptsv1.GetCollectionSummaryRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	assert.Equal(t, "10.00", sum.Msg.CashInHand)
	rem, err := cashier.RemitCash(w.ctx, connect.NewRequest(&receiptsv1.RemitCashRequest{TenantId: "uk.dehradun", IdempotencyKey: "remit-1",
		Cashier: "user:ravi", CollectedOn: r.Date, Amount: "10.00", SlipNo: "CH-1"}))
	require.NoError(t, err)
	assert.Equal(t, "10.00", rem.Msg.Remittance.Amount)

	tie, err := bills.CheckDcbAgainstLedger(w.ctx, connect.NewRequest(&billingv1.CheckDcbAgainstLedgerRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	assert.True(t, tie.Msg.Tied, "%v", tie.Msg.Ties)
}

// The receipt's PDF is read with a token; its verification is public: the
// RPC and the page answer without credentials and show no payer's details.
func TestReceiptPdfAndPublicVerification(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	propertyTaxDemand(t, w, "PT-1")
	cashier := w.receipts(token(t, "sunil", []auth.Role{auth.RoleCashier}, "uk.dehradun"))
	res, err := cashier.CollectPayment(w.ctx, connect.NewRequest(cashPayment("counter-1", "PT-1", "1000.00")))
	require.NoError(t, err)
	r := res.Msg.Receipt
	pdf, err := cashier.GetReceiptPdf(w.ctx, connect.NewRequest(&receiptsv1.GetReceiptPdfRequest{TenantId: "uk.dehradun", ReceiptId: r.Id}))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(pdf.Msg.Pdf), "%PDF-"))
	assert.Equal(t, strings.ReplaceAll(r.Number, "/", "-")+".pdf", pdf.Msg.FileName)

	d, err := w.app.receipts.Document(w.ctx, "uk.dehradun", r.Id)
	require.NoError(t, err)
	u, err := url.Parse(d.VerifyURL)
	require.NoError(t, err)
	q := u.Query()
	public := receiptsv1connect.NewReceiptServiceClient(w.http, w.url)
	v, err := public.VerifyReceipt(w.ctx, connect.NewRequest(&receiptsv1.VerifyReceiptRequest{Tenant: q.Get("tenant"),
		Receipt: q.Get("receipt"), Amount: q.Get("amount"), Date: q.Get("date"), Sig: q.Get("sig")}))
	require.NoError(t, err)
	assert.True(t, v.Msg.Genuine)
	assert.Equal(t, "valid", v.Msg.Status)
	assert.Equal(t, "1000.00", v.Msg.Amount)
	v, err = public.VerifyReceipt(w.ctx, connect.NewRequest(&receiptsv1.VerifyReceiptRequest{Tenant: q.Get("tenant"),
		Receipt: q.Get("receipt"), Amount: "9000.00", Date: q.Get("date"), Sig: q.Get("sig")}))
	require.NoError(t, err)
	assert.False(t, v.Msg.Genuine)
	assert.Empty(t, v.Msg.Amount)

	page, err := w.http.Get(w.url + u.Path + "?" + u.RawQuery)
	require.NoError(t, err)
	defer page.Body.Close()
	body, err := io.ReadAll(page.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, page.StatusCode)
	assert.Contains(t, string(body), r.Number)
	assert.NotContains(t, string(body), "Meera Rawat", "no personal data on the public page")
	assert.NotContains(t, string(body), "PT-1")
}
