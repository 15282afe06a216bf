package billing

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
	"github.com/munimhq/munim/ledger"
)

// Handler serves munim.billing.v1.BillingService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the billing service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return billingv1connect.NewBillingServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ billingv1connect.BillingServiceHandler = (*Handler)(nil)

func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return ledger.ToConnect(ctx, h.log, procedure, err)
}

func headOut(t TaxHead) *billingv1.TaxHead {
	return &billingv1.TaxHead{Service: t.Service, Code: t.Code, Name: t.Name, Category: string(t.Category), Priority: int32(t.Priority),
		IncomeAccount: t.IncomeAccount, ReceivableAccount: t.ReceivableAccount, FundCode: t.FundCode,
		FunctionCode: t.FunctionCode, RoundToRupee: t.RoundToRupee}
}

func demandOut(d Demand) *billingv1.Demand {
	out := &billingv1.Demand{Id: d.ID, Service: d.Service, ConsumerCode: d.ConsumerCode, Ward: d.Ward,
		PeriodFrom: d.PeriodFrom.Format(time.DateOnly), PeriodTo: d.PeriodTo.Format(time.DateOnly), FiscalYear: int32(d.FiscalYear),
		Date: d.Date.Format(time.DateOnly), DueDate: d.DueDate.Format(time.DateOnly), Total: d.Total.StringFixed(2),
		Source: string(d.Source), IdempotencyKey: d.IdempotencyKey, VoucherId: d.VoucherID}
	balance := decimal.Zero
	for _, l := range d.Lines {
		balance = balance.Add(l.Balance())
		line := &billingv1.DemandLine{Head: l.Head, Amount: l.Amount.StringFixed(2), Adjusted: l.Adjusted.StringFixed(2),
			Collected: l.Collected.StringFixed(2), Balance: l.Balance().StringFixed(2)}
		if l.charge() {
			line.ChargedThrough = l.ChargedThrough.Format(time.DateOnly)
		}
		out.Lines = append(out.Lines, line)
	}
	out.Balance = balance.StringFixed(2)
	return out
}

// demandsIn decodes the request's demands, naming each malformed field.
func demandsIn(in []*billingv1.DemandInput, today time.Time) ([]DemandInput, error) {
	var bad ledger.ValidationError
	date := func(field, s string) time.Time {
		if s == "" {
			return today
		}
		t, err := ledger.ParseDate(field, s)
		if ve, ok := err.(*ledger.ValidationError); ok {
			bad.Violations = append(bad.Violations, ve.Violations...)
		}
		return t
	}
	out := make([]DemandInput, len(in))
	for i, d := range in {
		p := fmt.Sprintf("demands[%d]", i)
		out[i] = DemandInput{Service: d.GetService(), ConsumerCode: d.GetConsumerCode(), Ward: d.GetWard(),
			PeriodFrom: date(p+".period_from", d.GetPeriodFrom()), PeriodTo: date(p+".period_to", d.GetPeriodTo()),
			Date: date(p+".date", d.GetDate()), DueDate: date(p+".due_date", d.GetDueDate()), IdempotencyKey: d.GetIdempotencyKey()}
		for j, l := range d.GetLines() {
			a, err := ledger.ParseAmount(fmt.Sprintf("%s.lines[%d].amount", p, j), l.GetAmount())
			if ve, ok := err.(*ledger.ValidationError); ok {
				bad.Violations = append(bad.Violations, ve.Violations...)
			}
			out[i].Lines = append(out[i].Lines, DemandLineInput{Head: l.GetHead(), Amount: a})
		}
	}
	if len(bad.Violations) > 0 {
		return nil, &bad
	}
	return out, nil
}

// SaveTaxHead implements BillingService.SaveTaxHead.
func (h *Handler) SaveTaxHead(ctx context.Context, req *connect.Request[billingv1.SaveTaxHeadRequest]) (*connect.Response[billingv1.SaveTaxHeadResponse], error) {
	t := req.Msg.GetTaxHead()
	saved, err := h.svc.SaveTaxHead(ctx, req.Msg.GetTenantId(), TaxHead{Service: t.GetService(), Code: t.GetCode(), Name: t.GetName(),
		Category: Category(t.GetCategory()), Priority: int(t.GetPriority()), IncomeAccount: t.GetIncomeAccount(),
		ReceivableAccount: t.GetReceivableAccount(), FundCode: t.GetFundCode(), FunctionCode: t.GetFunctionCode(),
		RoundToRupee: t.GetRoundToRupee()}, auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.SaveTaxHeadResponse{TaxHead: headOut(saved)}), nil
}

// ListTaxHeads implements BillingService.ListTaxHeads.
func (h *Handler) ListTaxHeads(ctx context.Context, req *connect.Request[billingv1.ListTaxHeadsRequest]) (*connect.Response[billingv1.ListTaxHeadsResponse], error) {
	heads, err := h.svc.TaxHeads(ctx, req.Msg.GetTenantId(), req.Msg.GetService())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.ListTaxHeadsResponse{}
	for _, t := range heads {
		out.TaxHeads = append(out.TaxHeads, headOut(t))
	}
	return connect.NewResponse(out), nil
}

// PostDemands implements BillingService.PostDemands.
func (h *Handler) PostDemands(ctx context.Context, req *connect.Request[billingv1.PostDemandsRequest]) (*connect.Response[billingv1.PostDemandsResponse], error) {
	now := h.svc.now().In(ledger.IST)
	in, err := demandsIn(req.Msg.GetDemands(), ledger.Date(now.Year(), now.Month(), now.Day()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	src := FromManual
	if p := auth.FromContext(ctx); p != nil && p.Kind == auth.KindAPIKey {
		src = FromDepartment
	}
	ds, err := h.svc.PostDemands(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), src, in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.PostDemandsResponse{}
	for _, d := range ds {
		out.Demands = append(out.Demands, demandOut(d))
	}
	return connect.NewResponse(out), nil
}

// GetDues implements BillingService.GetDues.
func (h *Handler) GetDues(ctx context.Context, req *connect.Request[billingv1.GetDuesRequest]) (*connect.Response[billingv1.GetDuesResponse], error) {
	dues, err := h.svc.Dues(ctx, req.Msg.GetTenantId(), req.Msg.GetConsumerCode(), req.Msg.GetService())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.GetDuesResponse{ConsumerCode: dues.ConsumerCode, Total: dues.Total.StringFixed(2)}
	for _, d := range dues.Demands {
		out.Demands = append(out.Demands, demandOut(d))
	}
	return connect.NewResponse(out), nil
}

// FetchBill implements BillingService.FetchBill.
func (h *Handler) FetchBill(ctx context.Context, req *connect.Request[billingv1.FetchBillRequest]) (*connect.Response[billingv1.FetchBillResponse], error) {
	bill, err := h.svc.FetchBill(ctx, req.Msg.GetTenantId(), req.Msg.GetService(), req.Msg.GetConsumerCode(), auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.FetchBillResponse{Service: bill.Service, ConsumerCode: bill.ConsumerCode, Total: bill.Total.StringFixed(2),
		AsOf: timestamppb.New(bill.AsOf), ExpiresAt: timestamppb.New(bill.ExpiresAt), Payable: bill.Payable.StringFixed(2)}
	for _, d := range bill.Demands {
		out.Demands = append(out.Demands, demandOut(d))
	}
	for _, r := range bill.Rebates {
		out.Rebates = append(out.Rebates, &billingv1.Rebate{DemandId: r.DemandID, Head: r.Head,
			Amount: r.Amount.StringFixed(2), Basis: r.Basis})
	}
	if !bill.RebateIfPaidBy.IsZero() {
		out.RebateIfPaidBy = bill.RebateIfPaidBy.Format(time.DateOnly)
	}
	return connect.NewResponse(out), nil
}

// GetDcbRegister implements BillingService.GetDcbRegister.
func (h *Handler) GetDcbRegister(ctx context.Context, req *connect.Request[billingv1.GetDcbRegisterRequest]) (*connect.Response[billingv1.GetDcbRegisterResponse], error) {
	fy := int(req.Msg.GetFiscalYear())
	fy = cmp.Or(fy, ledger.FiscalYearOf(h.svc.now().In(ledger.IST)))
	rows, err := h.svc.DcbRegister(ctx, req.Msg.GetTenantId(), req.Msg.GetService(), fy)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.GetDcbRegisterResponse{}
	for _, r := range rows {
		out.Rows = append(out.Rows, &billingv1.DcbRow{Ward: r.Ward, Service: r.Service, Head: r.Head, FiscalYear: int32(r.FiscalYear),
			Arrears: r.Arrears, Demand: r.Demand.StringFixed(2), Adjustments: r.Adjustments.StringFixed(2),
			Collection: r.Collection.StringFixed(2), Balance: r.Balance.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// CheckDcbAgainstLedger implements BillingService.CheckDcbAgainstLedger.
func (h *Handler) CheckDcbAgainstLedger(ctx context.Context, req *connect.Request[billingv1.CheckDcbAgainstLedgerRequest]) (*connect.Response[billingv1.CheckDcbAgainstLedgerResponse], error) {
	ties, err := h.svc.CheckDcbAgainstLedger(ctx, req.Msg.GetTenantId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.CheckDcbAgainstLedgerResponse{Tied: ledger.Tied(ties)}
	for _, t := range ties {
		out.Ties = append(out.Ties, &billingv1.Tie{AccountCode: t.Account, Dcb: t.SubLedger.StringFixed(2), Ledger: t.Ledger.StringFixed(2),
			Difference: t.Difference.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// RunDemandGeneration implements BillingService.RunDemandGeneration.
func (h *Handler) RunDemandGeneration(ctx context.Context, req *connect.Request[billingv1.RunDemandGenerationRequest]) (*connect.Response[billingv1.RunDemandGenerationResponse], error) {
	var w decoder
	m := req.Msg
	r := RunRequest{Service: m.GetService(), FiscalYear: int(m.GetFiscalYear()),
		Period: Period{From: w.dateOpt("period_from", m.GetPeriodFrom()), To: w.dateOpt("period_to", m.GetPeriodTo())},
		AsOf:   w.dateOpt("as_of", m.GetAsOf()), Ward: m.GetWard()}
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	run, err := h.svc.StartRun(ctx, m.GetTenantId(), r, auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.RunDemandGenerationResponse{Job: jobOut(run)}), nil
}

// GetJob implements BillingService.GetJob.
func (h *Handler) GetJob(ctx context.Context, req *connect.Request[billingv1.GetJobRequest]) (*connect.Response[billingv1.GetJobResponse], error) {
	run, err := h.svc.GetRun(ctx, req.Msg.GetTenantId(), req.Msg.GetJobId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.GetJobResponse{Job: jobOut(run)}), nil
}

func jobOut(r Run) *billingv1.Job {
	out := &billingv1.Job{JobId: r.ID, RiverJobId: r.JobID, Service: r.Service, FiscalYear: int32(r.FiscalYear),
		PeriodFrom: isoDay(r.Period.From), PeriodTo: isoDay(r.Period.To), AsOf: isoDay(r.AsOf), Ward: r.Ward, Status: r.Status,
		Expected: int32(r.Expected), Entries: int32(r.Entries), PercentDone: int32(r.PercentDone()), Raised: int32(r.Raised),
		Existing: int32(r.Existing), Skipped: int32(r.Skipped), Total: r.Total.StringFixed(2), Error: r.Error,
		RequestedBy: r.RequestedBy, CreatedAt: timestamppb.New(r.CreatedAt)}
	for _, s := range r.Skips {
		out.Skips = append(out.Skips, &billingv1.JobSkip{ConsumerCode: s.ConsumerCode, Reason: s.Reason})
	}
	if r.StartedAt != nil {
		out.StartedAt = timestamppb.New(*r.StartedAt)
	}
	if r.FinishedAt != nil {
		out.FinishedAt = timestamppb.New(*r.FinishedAt)
	}
	return out
}
