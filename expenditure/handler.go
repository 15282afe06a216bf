package expenditure

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/budget"
	budgetv1 "github.com/munimhq/munim/gen/pb/munim/budget/v1"
	expenditurev1 "github.com/munimhq/munim/gen/pb/munim/expenditure/v1"
	"github.com/munimhq/munim/gen/pb/munim/expenditure/v1/expenditurev1connect"
	"github.com/munimhq/munim/ledger"
)

// Handler serves munim.expenditure.v1.ExpenditureService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the expenditure service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return expenditurev1connect.NewExpenditureServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ expenditurev1connect.ExpenditureServiceHandler = (*Handler)(nil)

// fail maps an error to its Connect code, once for the package (the
// package's errors are the ledger's kinds: ErrBillState and the budget's
// ErrOverBudget are preconditions, self-approval is PermissionDenied).
func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return ledger.ToConnect(ctx, h.log, procedure, err)
}

// today is the ULB's calendar day.
func (h *Handler) today() time.Time { return ledger.DayOf(h.svc.now()) }

func partyOut(p Party) *expenditurev1.Party {
	return &expenditurev1.Party{Code: p.Code, Name: p.Name, Kind: p.Kind, Pan: p.PAN, Gstin: p.GSTIN}
}

func paymentOut(p Payment) *expenditurev1.Payment {
	return &expenditurev1.Payment{Id: p.ID, BillId: p.BillID, Date: p.Date.Format(time.DateOnly), Amount: p.Amount.StringFixed(2),
		Mode: p.Mode, InstrumentRef: p.InstrumentRef, BankAccount: p.BankAccount, VoucherId: p.VoucherID, PaidBy: p.PaidBy}
}

func billOut(b Bill, payments []Payment) *expenditurev1.Bill {
	out := &expenditurev1.Bill{Id: b.ID, PartyCode: b.PartyCode, PartyBillNumber: b.PartyBillNumber, Date: b.Date.Format(time.DateOnly),
		CommitmentId: b.CommitmentID, Narration: b.Narration, FundCode: b.FundCode, CreditorAccount: b.CreditorAccount,
		Gross: b.Gross.StringFixed(2), Deductions: b.Deductions.StringFixed(2), Net: b.Net.StringFixed(2), Paid: b.Paid.StringFixed(2),
		Status: b.Status, IdempotencyKey: b.IdempotencyKey, CreatedBy: b.CreatedBy, DecidedBy: b.DecidedBy, DecisionNote: b.DecisionNote,
		VoucherId: b.VoucherID, CancelVoucherId: b.CancelVoucherID}
	if b.DecidedAt != nil {
		out.DecidedAt = timestamppb.New(*b.DecidedAt)
	}
	for _, l := range b.Lines {
		out.Lines = append(out.Lines, &expenditurev1.BillLine{AccountCode: l.AccountCode, FunctionCode: l.FunctionCode,
			Description: l.Description, Amount: l.Amount.StringFixed(2)})
	}
	for _, d := range b.DeductionLines {
		out.DeductionLines = append(out.DeductionLines, &expenditurev1.Deduction{Kind: string(d.Kind), AccountCode: d.AccountCode,
			Amount: d.Amount.StringFixed(2)})
	}
	for _, p := range payments {
		out.Payments = append(out.Payments, paymentOut(p))
	}
	return out
}

// billIn decodes a bill, naming each malformed field.
func billIn(m *expenditurev1.SubmitBillRequest) (BillInput, error) {
	var bad ledger.ValidationError
	collect := func(err error) {
		if ve, ok := err.(*ledger.ValidationError); ok {
			bad.Violations = append(bad.Violations, ve.Violations...)
		}
	}
	date, err := ledger.ParseDate("date", m.GetDate())
	collect(err)
	in := BillInput{PartyCode: m.GetPartyCode(), PartyBillNumber: m.GetPartyBillNumber(), Date: date, CommitmentID: m.GetCommitmentId(),
		Narration: m.GetNarration(), FundCode: m.GetFundCode(), IdempotencyKey: m.GetIdempotencyKey()}
	for i, l := range m.GetLines() {
		a, err := ledger.ParseAmount(fmt.Sprintf("lines[%d].amount", i), l.GetAmount())
		collect(err)
		in.Lines = append(in.Lines, BillLineInput{AccountCode: l.GetAccountCode(), FunctionCode: l.GetFunctionCode(), Description: l.GetDescription(), Amount: a})
	}
	for i, d := range m.GetDeductions() {
		a, err := ledger.ParseAmount(fmt.Sprintf("deductions[%d].amount", i), d.GetAmount())
		collect(err)
		in.Deductions = append(in.Deductions, DeductionInput{Kind: DeductionKind(d.GetKind()), AccountCode: d.GetAccountCode(), Amount: a})
	}
	if len(bad.Violations) > 0 {
		return BillInput{}, &bad
	}
	return in, nil
}

func flagsOut(fs []budget.Flag) []*budgetv1.BudgetFlag {
	out := make([]*budgetv1.BudgetFlag, len(fs))
	for i, f := range fs {
		out[i] = &budgetv1.BudgetFlag{LineId: f.LineID, Line: f.Line, Shortfall: f.Shortfall.StringFixed(2)}
	}
	return out
}

// SaveParty implements ExpenditureService.SaveParty.
func (h *Handler) SaveParty(ctx context.Context, req *connect.Request[expenditurev1.SavePartyRequest]) (*connect.Response[expenditurev1.SavePartyResponse], error) {
	p := req.Msg.GetParty()
	got, err := h.svc.SaveParty(ctx, req.Msg.GetTenantId(), Party{Code: p.GetCode(), Name: p.GetName(), Kind: p.GetKind(), PAN: p.GetPan(), GSTIN: p.GetGstin()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.SavePartyResponse{Party: partyOut(got)}), nil
}

// SubmitBill implements ExpenditureService.SubmitBill.
func (h *Handler) SubmitBill(ctx context.Context, req *connect.Request[expenditurev1.SubmitBillRequest]) (*connect.Response[expenditurev1.SubmitBillResponse], error) {
	in, err := billIn(req.Msg)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	b, err := h.svc.SubmitBill(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.SubmitBillResponse{Bill: billOut(b, nil)}), nil
}

// ApproveBill implements ExpenditureService.ApproveBill.
func (h *Handler) ApproveBill(ctx context.Context, req *connect.Request[expenditurev1.ApproveBillRequest]) (*connect.Response[expenditurev1.ApproveBillResponse], error) {
	b, flags, err := h.svc.ApproveBill(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetBillId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.ApproveBillResponse{Bill: billOut(b, nil), Flags: flagsOut(flags)}), nil
}

// RejectBill implements ExpenditureService.RejectBill.
func (h *Handler) RejectBill(ctx context.Context, req *connect.Request[expenditurev1.RejectBillRequest]) (*connect.Response[expenditurev1.RejectBillResponse], error) {
	b, err := h.svc.RejectBill(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetBillId(), req.Msg.GetNote())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.RejectBillResponse{Bill: billOut(b, nil)}), nil
}

// CancelBill implements ExpenditureService.CancelBill.
func (h *Handler) CancelBill(ctx context.Context, req *connect.Request[expenditurev1.CancelBillRequest]) (*connect.Response[expenditurev1.CancelBillResponse], error) {
	date := h.today()
	if req.Msg.GetDate() != "" {
		d, err := ledger.ParseDate("date", req.Msg.GetDate())
		if err != nil {
			return nil, h.fail(ctx, req.Spec().Procedure, err)
		}
		date = d
	}
	b, err := h.svc.CancelBill(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetBillId(), date, req.Msg.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.CancelBillResponse{Bill: billOut(b, nil)}), nil
}

// GetBill implements ExpenditureService.GetBill.
func (h *Handler) GetBill(ctx context.Context, req *connect.Request[expenditurev1.GetBillRequest]) (*connect.Response[expenditurev1.GetBillResponse], error) {
	b, err := h.svc.Bill(ctx, req.Msg.GetTenantId(), req.Msg.GetBillId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	ps, err := h.svc.Payments(ctx, req.Msg.GetTenantId(), b.ID)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.GetBillResponse{Bill: billOut(b, ps)}), nil
}

// ListBills implements ExpenditureService.ListBills.
func (h *Handler) ListBills(ctx context.Context, req *connect.Request[expenditurev1.ListBillsRequest]) (*connect.Response[expenditurev1.ListBillsResponse], error) {
	m := req.Msg
	bs, err := h.svc.Bills(ctx, m.GetTenantId(), BillFilter{PartyCode: m.GetPartyCode(), Status: m.GetStatus(), AfterID: m.GetAfterId(), PageSize: int(m.GetPageSize())})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &expenditurev1.ListBillsResponse{}
	for _, b := range bs {
		out.Bills = append(out.Bills, billOut(b, nil))
	}
	return connect.NewResponse(out), nil
}

// PayBill implements ExpenditureService.PayBill.
func (h *Handler) PayBill(ctx context.Context, req *connect.Request[expenditurev1.PayBillRequest]) (*connect.Response[expenditurev1.PayBillResponse], error) {
	m := req.Msg
	date, err := ledger.ParseDate("date", m.GetDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	amount, err := ledger.ParseAmount("amount", m.GetAmount())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	p, err := h.svc.PayBill(ctx, m.GetTenantId(), auth.Actor(ctx), PaymentInput{BillID: m.GetBillId(), Date: date, Amount: amount,
		Mode: m.GetMode(), InstrumentRef: m.GetInstrumentRef(), BankAccount: m.GetBankAccount(), IdempotencyKey: m.GetIdempotencyKey()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&expenditurev1.PayBillResponse{Payment: paymentOut(p)}), nil
}

// GetPartyBalances implements ExpenditureService.GetPartyBalances.
func (h *Handler) GetPartyBalances(ctx context.Context, req *connect.Request[expenditurev1.GetPartyBalancesRequest]) (*connect.Response[expenditurev1.GetPartyBalancesResponse], error) {
	asOf, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	bs, err := h.svc.PartyBalances(ctx, req.Msg.GetTenantId(), asOf)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &expenditurev1.GetPartyBalancesResponse{}
	for _, b := range bs {
		out.Balances = append(out.Balances, &expenditurev1.PartyBalance{Code: b.Code, Name: b.Name, Kind: b.Kind, Billed: b.Billed.StringFixed(2),
			Paid: b.Paid.StringFixed(2), Outstanding: b.Outstanding.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// GetCreditorAgeing implements ExpenditureService.GetCreditorAgeing.
func (h *Handler) GetCreditorAgeing(ctx context.Context, req *connect.Request[expenditurev1.GetCreditorAgeingRequest]) (*connect.Response[expenditurev1.GetCreditorAgeingResponse], error) {
	asOf, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	as, err := h.svc.CreditorAgeing(ctx, req.Msg.GetTenantId(), asOf)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &expenditurev1.GetCreditorAgeingResponse{}
	for _, a := range as {
		row := &expenditurev1.Ageing{PartyCode: a.PartyCode, Total: a.Total.StringFixed(2)}
		for _, b := range a.Buckets {
			row.Buckets = append(row.Buckets, b.StringFixed(2))
		}
		out.Parties = append(out.Parties, row)
	}
	return connect.NewResponse(out), nil
}
