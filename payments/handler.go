package payments

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/gateway"
	paymentsv1 "github.com/munimhq/munim/gen/pb/munim/payments/v1"
	"github.com/munimhq/munim/gen/pb/munim/payments/v1/paymentsv1connect"
)

// Handler serves munim.payments.v1.PaymentService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the payment service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return paymentsv1connect.NewPaymentServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ paymentsv1connect.PaymentServiceHandler = (*Handler)(nil)

// CreatePaymentOrder implements PaymentService.CreatePaymentOrder.
func (h *Handler) CreatePaymentOrder(ctx context.Context, req *connect.Request[paymentsv1.CreatePaymentOrderRequest]) (*connect.Response[paymentsv1.CreatePaymentOrderResponse], error) {
	m := req.Msg
	in := OrderInput{IdempotencyKey: m.GetIdempotencyKey(), PayerName: m.GetPayerName()}
	for _, it := range m.GetItems() {
		a, err := decimal.NewFromString(it.GetAmount())
		if err != nil {
			return nil, ToConnect(ctx, h.log, req.Spec().Procedure, invalid("items.amount", "is not a decimal amount"))
		}
		in.Items = append(in.Items, Item{Service: it.GetService(), ConsumerCode: it.GetConsumerCode(), Amount: a})
	}
	t, err := h.svc.CreatePaymentOrder(ctx, m.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.CreatePaymentOrderResponse{Transaction: transactionOut(t)}), nil
}

// ConfirmCheckout implements PaymentService.ConfirmCheckout.
func (h *Handler) ConfirmCheckout(ctx context.Context, req *connect.Request[paymentsv1.ConfirmCheckoutRequest]) (*connect.Response[paymentsv1.ConfirmCheckoutResponse], error) {
	m := req.Msg
	t, err := h.svc.ConfirmCheckout(ctx, m.GetTenantId(), auth.Actor(ctx), CheckoutResult{OrderID: m.GetRazorpayOrderId(),
		PaymentID: m.GetRazorpayPaymentId(), Signature: m.GetRazorpaySignature()})
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.ConfirmCheckoutResponse{Transaction: transactionOut(t)}), nil
}

// GetPaymentTransaction implements PaymentService.GetPaymentTransaction.
func (h *Handler) GetPaymentTransaction(ctx context.Context, req *connect.Request[paymentsv1.GetPaymentTransactionRequest]) (*connect.Response[paymentsv1.GetPaymentTransactionResponse], error) {
	t, err := h.svc.Get(ctx, req.Msg.GetTenantId(), req.Msg.GetId())
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.GetPaymentTransactionResponse{Transaction: transactionOut(t)}), nil
}

// ListPaymentTransactions implements PaymentService.ListPaymentTransactions.
func (h *Handler) ListPaymentTransactions(ctx context.Context, req *connect.Request[paymentsv1.ListPaymentTransactionsRequest]) (*connect.Response[paymentsv1.ListPaymentTransactionsResponse], error) {
	m := req.Msg
	ts, err := h.svc.List(ctx, m.GetTenantId(), ListFilter{Status: statusIn[m.GetStatus()], BeforeID: m.GetBeforeId(),
		PageSize: int(m.GetPageSize())})
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	out := &paymentsv1.ListPaymentTransactionsResponse{}
	for _, t := range ts {
		out.Transactions = append(out.Transactions, transactionOut(t))
	}
	return connect.NewResponse(out), nil
}

var statusIn = map[paymentsv1.Status]Status{paymentsv1.Status_STATUS_CREATED: Created, paymentsv1.Status_STATUS_PENDING: Pending,
	paymentsv1.Status_STATUS_SUCCESS: Success, paymentsv1.Status_STATUS_FAILED: Failed, paymentsv1.Status_STATUS_REFUNDED: Refunded}

var statusOut = map[Status]paymentsv1.Status{Created: paymentsv1.Status_STATUS_CREATED, Pending: paymentsv1.Status_STATUS_PENDING,
	Success: paymentsv1.Status_STATUS_SUCCESS, Failed: paymentsv1.Status_STATUS_FAILED, Refunded: paymentsv1.Status_STATUS_REFUNDED}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func transactionOut(t Transaction) *paymentsv1.Transaction {
	out := &paymentsv1.Transaction{Id: t.ID, Reference: t.Reference, OrderId: t.OrderID, Amount: t.Amount.StringFixed(2),
		Status: statusOut[t.Status], PayerName: t.PayerName, CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt),
		PollAttempts: int32(t.PollAttempts), NextPollAt: ts(t.NextPollAt), LastError: t.LastError}
	for _, it := range t.Items {
		out.Items = append(out.Items, &paymentsv1.Item{Service: it.Service, ConsumerCode: it.ConsumerCode, Amount: it.Amount.StringFixed(2)})
	}
	for _, p := range t.Payments {
		out.Payments = append(out.Payments, &paymentsv1.Payment{PaymentId: p.PaymentID, Status: p.Status, Method: p.Method,
			Amount: p.Amount.StringFixed(2), Fee: p.Fee.StringFixed(2), Tax: p.Tax.StringFixed(2),
			AmountRefunded: p.AmountRefunded.StringFixed(2), ErrorCode: p.ErrorCode, ErrorDescription: p.ErrorText,
			SeenVia: p.SeenVia, ReceiptId: p.ReceiptID, CapturedAt: ts(p.CapturedAt)})
	}
	if c := t.Checkout; c != nil {
		out.Checkout = &paymentsv1.Checkout{KeyId: c.KeyID, OrderId: c.OrderID, AmountPaise: c.Amount, Currency: c.Currency, Url: c.URL}
	}
	return out
}

// RunReconciliation implements PaymentService.RunReconciliation.
func (h *Handler) RunReconciliation(ctx context.Context, req *connect.Request[paymentsv1.RunReconciliationRequest]) (*connect.Response[paymentsv1.RunReconciliationResponse], error) {
	day, err := time.ParseInLocation(time.DateOnly, req.Msg.GetDay(), gateway.IST)
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, invalid("day", "is not a date YYYY-MM-DD"))
	}
	r, err := h.svc.RunReconciliation(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), day)
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	out := &paymentsv1.RunReconciliationResponse{}
	for _, s := range r.Settlements {
		out.Settlements = append(out.Settlements, &paymentsv1.Settlement{SettlementId: s.ID, Utr: s.UTR,
			SettledOn: s.SettledOn.Format(time.DateOnly), Gross: s.Gross.StringFixed(2), Fee: s.Fee.StringFixed(2),
			Tax: s.Tax.StringFixed(2), Refunds: s.Refunds.StringFixed(2), Net: s.Net.StringFixed(2),
			Unknown: s.Unknown.StringFixed(2), VoucherId: s.VoucherID})
	}
	for _, e := range r.Open {
		out.Open = append(out.Open, exceptionOut(e))
	}
	return connect.NewResponse(out), nil
}

// ListExceptions implements PaymentService.ListExceptions.
func (h *Handler) ListExceptions(ctx context.Context, req *connect.Request[paymentsv1.ListExceptionsRequest]) (*connect.Response[paymentsv1.ListExceptionsResponse], error) {
	es, err := h.svc.ListExceptions(ctx, req.Msg.GetTenantId(), ExceptionFilter{All: req.Msg.GetAll(), Kind: Kind(req.Msg.GetKind())})
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	out := &paymentsv1.ListExceptionsResponse{}
	for _, e := range es {
		out.Exceptions = append(out.Exceptions, exceptionOut(e))
	}
	return connect.NewResponse(out), nil
}

// ResolveException implements PaymentService.ResolveException.
func (h *Handler) ResolveException(ctx context.Context, req *connect.Request[paymentsv1.ResolveExceptionRequest]) (*connect.Response[paymentsv1.ResolveExceptionResponse], error) {
	e, err := h.svc.ResolveException(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetId(), req.Msg.GetResolution())
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.ResolveExceptionResponse{Exception: exceptionOut(e)}), nil
}

func exceptionOut(e Exception) *paymentsv1.PaymentException {
	return &paymentsv1.PaymentException{Id: e.ID, Kind: string(e.Kind), Reference: e.Reference, TransactionId: e.TransactionID,
		Amount: e.Amount.StringFixed(2), Detail: e.Detail, RaisedAt: ts(e.RaisedAt), ResolvedAt: ts(e.ResolvedAt),
		ResolvedBy: e.ResolvedBy, Resolution: e.Resolution, AgeSeconds: int64(e.Age / time.Second)}
}

// InitiateRefund implements PaymentService.InitiateRefund.
func (h *Handler) InitiateRefund(ctx context.Context, req *connect.Request[paymentsv1.InitiateRefundRequest]) (*connect.Response[paymentsv1.InitiateRefundResponse], error) {
	m := req.Msg
	a, err := decimal.NewFromString(m.GetAmount())
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, invalid("amount", "is not a decimal amount"))
	}
	r, err := h.svc.InitiateRefund(ctx, m.GetTenantId(), auth.Actor(ctx), RefundInput{IdempotencyKey: m.GetIdempotencyKey(),
		PaymentID: m.GetPaymentId(), Amount: a, Reason: m.GetReason()})
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.InitiateRefundResponse{Refund: refundOut(r)}), nil
}

// ApproveRefund implements PaymentService.ApproveRefund.
func (h *Handler) ApproveRefund(ctx context.Context, req *connect.Request[paymentsv1.ApproveRefundRequest]) (*connect.Response[paymentsv1.ApproveRefundResponse], error) {
	r, err := h.svc.ApproveRefund(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetId())
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.ApproveRefundResponse{Refund: refundOut(r)}), nil
}

func refundOut(r Refund) *paymentsv1.Refund {
	return &paymentsv1.Refund{Id: r.ID, PaymentId: r.PaymentID, RefundId: r.RefundID, Amount: r.Amount.StringFixed(2),
		Reason: r.Reason, Service: r.Service, ConsumerCode: r.ConsumerCode, ReceiptId: r.ReceiptID, Status: r.Status,
		ProposedBy: r.ProposedBy, ApprovedBy: r.ApprovedBy, VoucherId: r.VoucherID, Failure: r.Failure}
}

// ImportBankStatement implements PaymentService.ImportBankStatement.
func (h *Handler) ImportBankStatement(ctx context.Context, req *connect.Request[paymentsv1.ImportBankStatementRequest]) (*connect.Response[paymentsv1.ImportBankStatementResponse], error) {
	m := req.Msg
	imp, err := h.svc.ImportBankStatement(ctx, m.GetTenantId(), auth.Actor(ctx), m.GetBankAccount(), bytes.NewReader(m.GetCsv()))
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&paymentsv1.ImportBankStatementResponse{ImportId: imp.ID, Lines: int32(imp.Lines),
		Duplicates: int32(imp.Duplicates), Matched: int32(imp.Matched)}), nil
}

// GetBankReconciliation implements PaymentService.GetBankReconciliation.
func (h *Handler) GetBankReconciliation(ctx context.Context, req *connect.Request[paymentsv1.GetBankReconciliationRequest]) (*connect.Response[paymentsv1.GetBankReconciliationResponse], error) {
	m := req.Msg
	asOf, err := time.Parse(time.DateOnly, m.GetAsOf())
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, invalid("as_of", "is not a date YYYY-MM-DD"))
	}
	r, err := h.svc.GetBankReconciliation(ctx, m.GetTenantId(), m.GetBankAccount(), asOf)
	if err != nil {
		return nil, ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	out := &paymentsv1.GetBankReconciliationResponse{BankAccount: r.BankAccount, AsOf: r.AsOf.Format(time.DateOnly),
		BookBalance: r.BookBalance.StringFixed(2), BankBalance: r.BankBalance.StringFixed(2), Difference: r.Difference.StringFixed(2)}
	for _, b := range r.BooksNotInBank {
		out.BooksNotInBank = append(out.BooksNotInBank, &paymentsv1.BookItem{VoucherId: b.VoucherID, VoucherNumber: b.VoucherNumber,
			Date: b.Date.Format(time.DateOnly), Narration: b.Narration, Debit: b.Debit.StringFixed(2), Credit: b.Credit.StringFixed(2)})
	}
	for _, l := range r.BankNotInBooks {
		out.BankNotInBooks = append(out.BankNotInBooks, &paymentsv1.BankLine{Id: l.ID, Date: l.Date.Format(time.DateOnly),
			Narration: l.Narration, Reference: l.Reference, Debit: l.Debit.StringFixed(2), Credit: l.Credit.StringFixed(2),
			Balance: l.Balance.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}
