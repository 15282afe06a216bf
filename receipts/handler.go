package receipts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	receiptsv1 "github.com/munimhq/munim/gen/pb/munim/receipts/v1"
	"github.com/munimhq/munim/gen/pb/munim/receipts/v1/receiptsv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receiptdoc"
)

// Handler serves munim.receipts.v1.ReceiptService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the receipt service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return receiptsv1connect.NewReceiptServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ receiptsv1connect.ReceiptServiceHandler = (*Handler)(nil)

func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return toConnect(ctx, h.log, procedure, err)
}

// CollectPayment implements ReceiptService.CollectPayment.
func (h *Handler) CollectPayment(ctx context.Context, req *connect.Request[receiptsv1.CollectPaymentRequest]) (*connect.Response[receiptsv1.CollectPaymentResponse], error) {
	in, err := paymentIn(req.Msg)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	r, err := h.svc.CollectPayment(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.CollectPaymentResponse{Receipt: receiptOut(r)}), nil
}

// GetReceipt implements ReceiptService.GetReceipt.
func (h *Handler) GetReceipt(ctx context.Context, req *connect.Request[receiptsv1.GetReceiptRequest]) (*connect.Response[receiptsv1.GetReceiptResponse], error) {
	var (
		r   Receipt
		err error
	)
	if n := req.Msg.GetNumber(); n != "" {
		r, err = h.svc.GetByNumber(ctx, req.Msg.GetTenantId(), n)
	} else {
		r, err = h.svc.Get(ctx, req.Msg.GetTenantId(), req.Msg.GetId())
	}
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.GetReceiptResponse{Receipt: receiptOut(r)}), nil
}

// ListReceipts implements ReceiptService.ListReceipts.
func (h *Handler) ListReceipts(ctx context.Context, req *connect.Request[receiptsv1.ListReceiptsRequest]) (*connect.Response[receiptsv1.ListReceiptsResponse], error) {
	m := req.Msg
	var dates dateParser
	f := Filter{From: dates.optional("from", m.GetFrom()), To: dates.optional("to", m.GetTo()), CollectedBy: m.GetCollectedBy(),
		Status: Status(m.GetStatus()), ConsumerCode: m.GetConsumerCode(), PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()}
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	rs, next, err := h.svc.List(ctx, m.GetTenantId(), f)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &receiptsv1.ListReceiptsResponse{NextPageToken: next}
	for _, r := range rs {
		out.Receipts = append(out.Receipts, receiptOut(r))
	}
	return connect.NewResponse(out), nil
}

// CancelReceipt implements ReceiptService.CancelReceipt. An approver (or
// Munim itself) may cancel a receipt of an earlier day.
func (h *Handler) CancelReceipt(ctx context.Context, req *connect.Request[receiptsv1.CancelReceiptRequest]) (*connect.Response[receiptsv1.CancelReceiptResponse], error) {
	p := auth.FromContext(ctx)
	approver := p.Has(auth.RoleApprover) || (p != nil && p.Kind == auth.KindSystem)
	r, err := h.svc.Cancel(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), CancelInput{ReceiptID: req.Msg.GetReceiptId(),
		Reason: req.Msg.GetReason(), Approver: approver})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.CancelReceiptResponse{Receipt: receiptOut(r)}), nil
}

// RecordChequeDeposit implements ReceiptService.RecordChequeDeposit.
func (h *Handler) RecordChequeDeposit(ctx context.Context, req *connect.Request[receiptsv1.RecordChequeDepositRequest]) (*connect.Response[receiptsv1.RecordChequeDepositResponse], error) {
	m := req.Msg
	var dates dateParser
	in := DepositInput{IdempotencyKey: m.GetIdempotencyKey(), ReceiptIDs: m.GetReceiptIds(), Date: dates.optional("date", m.GetDate()),
		BankAccount: m.GetBankAccount(), SlipNo: m.GetSlipNo()}
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	d, err := h.svc.RecordDeposit(ctx, m.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.RecordChequeDepositResponse{Deposit: &receiptsv1.Deposit{Id: d.ID,
		Date: day(d.Date), BankAccount: d.BankAccount, SlipNo: d.SlipNo, Amount: d.Amount.StringFixed(2), VoucherId: d.VoucherID}}), nil
}

// RecordChequeRealisation implements ReceiptService.RecordChequeRealisation.
func (h *Handler) RecordChequeRealisation(ctx context.Context, req *connect.Request[receiptsv1.RecordChequeRealisationRequest]) (*connect.Response[receiptsv1.RecordChequeRealisationResponse], error) {
	var dates dateParser
	on := dates.optional("date", req.Msg.GetDate())
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	rs, err := h.svc.RecordRealisation(ctx, req.Msg.GetTenantId(), req.Msg.GetReceiptIds(), on)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &receiptsv1.RecordChequeRealisationResponse{}
	for _, r := range rs {
		out.Receipts = append(out.Receipts, receiptOut(r))
	}
	return connect.NewResponse(out), nil
}

// RecordChequeDishonour implements ReceiptService.RecordChequeDishonour.
func (h *Handler) RecordChequeDishonour(ctx context.Context, req *connect.Request[receiptsv1.RecordChequeDishonourRequest]) (*connect.Response[receiptsv1.RecordChequeDishonourResponse], error) {
	var dates dateParser
	on := dates.optional("date", req.Msg.GetDate())
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	r, err := h.svc.RecordDishonour(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), DishonourInput{ReceiptID: req.Msg.GetReceiptId(),
		Date: on, Reason: req.Msg.GetReason()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.RecordChequeDishonourResponse{Receipt: receiptOut(r)}), nil
}

// RemitCash implements ReceiptService.RemitCash.
func (h *Handler) RemitCash(ctx context.Context, req *connect.Request[receiptsv1.RemitCashRequest]) (*connect.Response[receiptsv1.RemitCashResponse], error) {
	m := req.Msg
	var dates dateParser
	in := RemitInput{IdempotencyKey: m.GetIdempotencyKey(), Cashier: m.GetCashier(), CollectedOn: dates.optional("collected_on", m.GetCollectedOn()),
		Date: dates.optional("date", m.GetDate()), BankAccount: m.GetBankAccount(), SlipNo: m.GetSlipNo(), Amount: dates.amount("amount", m.GetAmount())}
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	r, err := h.svc.RemitCash(ctx, m.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.RemitCashResponse{Remittance: &receiptsv1.Remittance{Id: r.ID, Date: day(r.Date),
		Cashier: r.Cashier, CollectedOn: day(r.CollectedOn), BankAccount: r.BankAccount, SlipNo: r.SlipNo,
		Amount: r.Amount.StringFixed(2), VoucherId: r.VoucherID}}), nil
}

// GetCollectionSummary implements ReceiptService.GetCollectionSummary.
func (h *Handler) GetCollectionSummary(ctx context.Context, req *connect.Request[receiptsv1.GetCollectionSummaryRequest]) (*connect.Response[receiptsv1.GetCollectionSummaryResponse], error) {
	var dates dateParser
	from, to := dates.optional("from", req.Msg.GetFrom()), dates.optional("to", req.Msg.GetTo())
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	s, err := h.svc.CollectionSummary(ctx, req.Msg.GetTenantId(), from, to, req.Msg.GetCashier())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &receiptsv1.GetCollectionSummaryResponse{From: day(s.From), To: day(s.To), CashInHand: s.CashInHand.StringFixed(2)}
	for _, m := range s.ByMode {
		out.ByMode = append(out.ByMode, &receiptsv1.ModeTotal{Cashier: m.Cashier, Mode: modeOut[m.Mode], Status: string(m.Status),
			Receipts: int32(m.Receipts), Amount: m.Amount.StringFixed(2)})
	}
	for _, a := range s.Unremitted {
		out.Unremitted = append(out.Unremitted, &receiptsv1.CashAge{Cashier: a.Cashier, Day: day(a.Day), AgeDays: int32(a.AgeDays),
			Receipts: int32(a.Receipts), Amount: a.Amount.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// SaveCollectionSettings implements ReceiptService.SaveCollectionSettings.
func (h *Handler) SaveCollectionSettings(ctx context.Context, req *connect.Request[receiptsv1.SaveCollectionSettingsRequest]) (*connect.Response[receiptsv1.SaveCollectionSettingsResponse], error) {
	m := req.Msg.GetSettings()
	var dates dateParser
	in := Settings{Service: m.GetService(), PartialAllowed: m.GetPartialAllowed(), AdvanceAllowed: m.GetAdvanceAllowed(),
		AdvanceAccount: m.GetAdvanceAccount(), Series: m.GetSeries(), DishonourCharge: dates.amount("settings.dishonour_charge", m.GetDishonourCharge()),
		DishonourHead: m.GetDishonourHead()}
	if err := dates.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	s, err := h.svc.SaveSettings(ctx, req.Msg.GetTenantId(), in, auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.SaveCollectionSettingsResponse{Settings: &receiptsv1.CollectionSettings{Service: s.Service,
		PartialAllowed: s.PartialAllowed, AdvanceAllowed: s.AdvanceAllowed, AdvanceAccount: s.AdvanceAccount, Series: s.Series,
		DishonourCharge: s.DishonourCharge.StringFixed(2), DishonourHead: s.DishonourHead}}), nil
}

var modeIn = map[receiptsv1.Mode]Mode{receiptsv1.Mode_MODE_CASH: Cash, receiptsv1.Mode_MODE_CHEQUE: Cheque,
	receiptsv1.Mode_MODE_DEMAND_DRAFT: DD, receiptsv1.Mode_MODE_CARD: Card, receiptsv1.Mode_MODE_NEFT: NEFT}

var modeOut = map[Mode]receiptsv1.Mode{Cash: receiptsv1.Mode_MODE_CASH, Cheque: receiptsv1.Mode_MODE_CHEQUE,
	DD: receiptsv1.Mode_MODE_DEMAND_DRAFT, Card: receiptsv1.Mode_MODE_CARD, NEFT: receiptsv1.Mode_MODE_NEFT,
	Online: receiptsv1.Mode_MODE_ONLINE}

// dateParser collects the malformed dates and amounts of a request.
type dateParser struct{ bad ledger.ValidationError }

func (p *dateParser) note(err error) {
	if ve, ok := err.(*ledger.ValidationError); ok {
		p.bad.Violations = append(p.bad.Violations, ve.Violations...)
	}
}

func (p *dateParser) optional(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := ledger.ParseDate(field, s)
	p.note(err)
	return t
}

func (p *dateParser) amount(field, s string) decimal.Decimal {
	a, err := ledger.ParseAmount(field, s)
	p.note(err)
	return a
}

func (p *dateParser) err() error {
	if len(p.bad.Violations) > 0 {
		return &p.bad
	}
	return nil
}

func paymentIn(m *receiptsv1.CollectPaymentRequest) (PaymentInput, error) {
	var p dateParser
	in := PaymentInput{IdempotencyKey: m.GetIdempotencyKey(), Series: m.GetSeries(), Mode: modeIn[m.GetMode()],
		Amount: p.amount("amount", m.GetAmount()), PayerName: m.GetPayerName(), BankAccount: m.GetBankAccount(),
		Instrument: Instrument{Number: m.GetInstrument().GetNumber(), Date: p.optional("instrument.date", m.GetInstrument().GetDate()),
			Bank: m.GetInstrument().GetBank(), Branch: m.GetInstrument().GetBranch()}}
	for i, it := range m.GetItems() {
		in.Items = append(in.Items, ItemInput{Service: it.GetService(), ConsumerCode: it.GetConsumerCode(),
			Amount: p.amount(fmt.Sprintf("items[%d].amount", i), it.GetAmount())})
	}
	return in, p.err()
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func receiptOut(r Receipt) *receiptsv1.Receipt {
	out := &receiptsv1.Receipt{Id: r.ID, Number: r.Number, Series: r.Series, FiscalYear: int32(r.FiscalYear), Date: day(r.Date),
		Mode: modeOut[r.Mode], Amount: r.Amount.StringFixed(2), PayerName: r.PayerName,
		Instrument: &receiptsv1.Instrument{Number: r.Instrument.Number, Date: day(r.Instrument.Date), Bank: r.Instrument.Bank,
			Branch: r.Instrument.Branch},
		DebitAccount: r.DebitAccount, VoucherId: r.VoucherID, RebateVoucherId: r.RebateVoucherID, CollectedBy: r.CollectedBy,
		CollectedAt: timestamppb.New(r.CollectedAt), Status: string(r.Status), UndoneOn: day(r.UndoneOn), UndoneBy: r.UndoneBy,
		UndoReason: r.UndoReason, UndoVoucherId: r.UndoVoucherID, ChequeStatus: r.ChequeStatus, DepositId: r.DepositID,
		RealisedOn: day(r.RealisedOn), DishonourDemandId: r.DishonourDemandID, RemittanceId: r.RemittanceID,
		IdempotencyKey: r.IdempotencyKey}
	for _, it := range r.Items {
		out.Items = append(out.Items, &receiptsv1.ReceiptItem{Service: it.Service, ConsumerCode: it.ConsumerCode,
			Amount: it.Amount.StringFixed(2), Rebate: it.Rebate.StringFixed(2), Advance: it.Advance.StringFixed(2)})
	}
	for _, a := range r.Allocations {
		out.Allocations = append(out.Allocations, &receiptsv1.Allocation{DemandId: a.DemandID, LineNo: int32(a.LineNo), Head: a.Head,
			Service: a.Service, ConsumerCode: a.ConsumerCode, PeriodFrom: day(a.PeriodFrom), PeriodTo: day(a.PeriodTo),
			Kind: a.Kind, Amount: a.Amount.StringFixed(2)})
	}
	return out
}

// GetReceiptPdf implements ReceiptService.GetReceiptPdf.
func (h *Handler) GetReceiptPdf(ctx context.Context, req *connect.Request[receiptsv1.GetReceiptPdfRequest]) (*connect.Response[receiptsv1.GetReceiptPdfResponse], error) {
	pdf, d, err := h.svc.PDF(ctx, req.Msg.GetTenantId(), req.Msg.GetReceiptId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&receiptsv1.GetReceiptPdfResponse{Pdf: pdf, ContentType: "application/pdf",
		FileName: strings.ReplaceAll(d.ReceiptNo, "/", "-") + ".pdf", ReceiptNumber: d.ReceiptNo, Status: string(d.Status)}), nil
}

// VerifyReceipt implements ReceiptService.VerifyReceipt, which is public.
func (h *Handler) VerifyReceipt(ctx context.Context, req *connect.Request[receiptsv1.VerifyReceiptRequest]) (*connect.Response[receiptsv1.VerifyReceiptResponse], error) {
	m := req.Msg
	fields, sig, err := receiptdoc.ParseVerifyQuery(url.Values{"tenant": {m.GetTenant()}, "receipt": {m.GetReceipt()},
		"amount": {m.GetAmount()}, "date": {m.GetDate()}, "sig": {m.GetSig()}})
	if err != nil {
		var ie *receiptdoc.InputError
		if errors.As(err, &ie) {
			err = invalid(ie.Field, "%s", ie.Rule)
		}
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	p, err := h.svc.Verify(ctx, fields, sig)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &receiptsv1.VerifyReceiptResponse{Genuine: p.Genuine, ReceiptNumber: p.ReceiptNo}
	if p.Genuine {
		out.UlbName, out.Date, out.Amount, out.Status, out.StatusDate = p.ULBName, day(p.Date), p.Amount.StringFixed(2), string(p.Status), day(p.StatusDate)
	}
	return connect.NewResponse(out), nil
}

// VerifyPagePath is where the public verification page is served: the
// path of the URL a receipt's QR code opens.
const VerifyPagePath = "/verify/receipt"

// NewVerifyPage returns the public verification page: GET with the query a
// receipt's QR code carries; it shows the receipt's standing and nothing
// about the payer. It needs no credentials.
func NewVerifyPage(svc *Service, log *slog.Logger) (string, http.Handler) {
	return VerifyPagePath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		page := receiptdoc.VerifyPage{ReceiptNo: r.URL.Query().Get("receipt")}
		if fields, sig, err := receiptdoc.ParseVerifyQuery(r.URL.Query()); err == nil {
			p, err := svc.Verify(r.Context(), fields, sig)
			if err != nil {
				log.ErrorContext(r.Context(), "verify receipt", "err", err)
				http.Error(w, "the receipt could not be checked now; try again later", http.StatusServiceUnavailable)
				return
			}
			page = p
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := receiptdoc.WriteVerifyPage(w, page); err != nil {
			log.ErrorContext(r.Context(), "write verification page", "err", err)
		}
	})
}
