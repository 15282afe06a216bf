package budget

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	budgetv1 "github.com/munimhq/munim/gen/pb/munim/budget/v1"
	"github.com/munimhq/munim/gen/pb/munim/budget/v1/budgetv1connect"
	"github.com/munimhq/munim/ledger"
)

// Handler serves munim.budget.v1.BudgetService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the budget service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return budgetv1connect.NewBudgetServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ budgetv1connect.BudgetServiceHandler = (*Handler)(nil)

// fail maps an error to its Connect code, once for the package: the
// budget's errors are the ledger's kinds (validation, not found, exists,
// conflict, precondition with ErrOverBudget or ErrNotAllowed, self-approval).
func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return ledger.ToConnect(ctx, h.log, procedure, err)
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

func lineOut(l Line) *budgetv1.BudgetLine {
	out := &budgetv1.BudgetLine{Id: l.ID, FiscalYear: int32(l.FiscalYear), HeadCode: l.HeadCode, FunctionCode: l.FunctionCode,
		FundCode: l.FundCode, Department: l.Department, Name: l.Name, Control: string(l.Control), Be: money(l.BE), HasRe: l.HasRE,
		Supplementary: money(l.Supplementary), Reappropriated: money(l.Reappropriated), Committed: money(l.Committed),
		Actual: money(l.Actual), Available: money(l.Available()), Capital: l.Capital()}
	if l.HasRE {
		out.Re = money(l.RE)
	}
	return out
}

func estimateOut(e Estimate) *budgetv1.Estimate {
	out := &budgetv1.Estimate{Id: e.ID, FiscalYear: int32(e.FiscalYear), Kind: string(e.Kind), Reference: e.Reference,
		Status: string(e.Status), DraftedBy: e.DraftedBy, SubmittedBy: e.SubmittedBy, DecidedBy: e.DecidedBy,
		DecisionNote: e.DecisionNote, Total: money(e.Total())}
	if e.DecidedAt != nil {
		out.DecidedAt = timestamppb.New(*e.DecidedAt)
	}
	for id, a := range e.Amounts {
		out.Amounts = append(out.Amounts, &budgetv1.EstimateAmount{LineId: id, Amount: money(a)})
	}
	slices.SortFunc(out.Amounts, func(a, b *budgetv1.EstimateAmount) int { return cmp.Compare(a.LineId, b.LineId) })
	return out
}

func amountsIn(as []*budgetv1.EstimateAmount) (map[int64]decimal.Decimal, error) {
	out := make(map[int64]decimal.Decimal, len(as))
	for i, a := range as {
		d, err := ledger.ParseAmount(fmt.Sprintf("amounts[%d].amount", i), a.GetAmount())
		if err != nil {
			return nil, err
		}
		if _, dup := out[a.GetLineId()]; dup {
			return nil, invalid(fmt.Sprintf("amounts[%d].line_id", i), "line %d appears twice", a.GetLineId())
		}
		out[a.GetLineId()] = d
	}
	return out, nil
}

func reappropriationOut(r Reappropriation) *budgetv1.Reappropriation {
	return &budgetv1.Reappropriation{Id: r.ID, FiscalYear: int32(r.FiscalYear), FromLineId: r.FromLineID, ToLineId: r.ToLineID,
		Amount: money(r.Amount), SanctionNumber: r.SanctionNumber, SanctionDate: r.SanctionDate.Format(time.DateOnly), Reason: r.Reason,
		SanctionedBy: r.SanctionedBy, IdempotencyKey: r.IdempotencyKey, CreatedAt: timestamppb.New(r.CreatedAt)}
}

func commitmentOut(c Commitment) *budgetv1.Commitment {
	return &budgetv1.Commitment{Id: c.ID, LineId: c.LineID, Kind: c.Kind, Reference: c.Reference, Party: c.Party,
		Date: c.Date.Format(time.DateOnly), Amount: money(c.Amount), Consumed: money(c.Consumed), Status: c.Status,
		CreatedBy: c.CreatedBy, CancelledBy: c.CancelledBy, CancelReason: c.CancelReason}
}

func flagsOut(fs []Flag) []*budgetv1.BudgetFlag {
	out := make([]*budgetv1.BudgetFlag, len(fs))
	for i, f := range fs {
		out[i] = &budgetv1.BudgetFlag{LineId: f.LineID, Line: f.Line, Shortfall: money(f.Shortfall)}
	}
	return out
}

// CreateBudgetLine implements BudgetService.CreateBudgetLine.
func (h *Handler) CreateBudgetLine(ctx context.Context, req *connect.Request[budgetv1.CreateBudgetLineRequest]) (*connect.Response[budgetv1.CreateBudgetLineResponse], error) {
	m := req.Msg
	l, err := h.svc.CreateLine(ctx, m.GetTenantId(), auth.Actor(ctx), LineInput{FiscalYear: int(m.GetFiscalYear()), HeadCode: m.GetHeadCode(),
		FunctionCode: m.GetFunctionCode(), FundCode: m.GetFundCode(), Department: m.GetDepartment(), Name: m.GetName(), Control: Control(m.GetControl())})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.CreateBudgetLineResponse{Line: lineOut(l)}), nil
}

// ListBudgetLines implements BudgetService.ListBudgetLines.
func (h *Handler) ListBudgetLines(ctx context.Context, req *connect.Request[budgetv1.ListBudgetLinesRequest]) (*connect.Response[budgetv1.ListBudgetLinesResponse], error) {
	ls, err := h.svc.Lines(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &budgetv1.ListBudgetLinesResponse{}
	for _, l := range ls {
		out.Lines = append(out.Lines, lineOut(l))
	}
	return connect.NewResponse(out), nil
}

// DraftEstimate implements BudgetService.DraftEstimate.
func (h *Handler) DraftEstimate(ctx context.Context, req *connect.Request[budgetv1.DraftEstimateRequest]) (*connect.Response[budgetv1.DraftEstimateResponse], error) {
	m := req.Msg
	amounts, err := amountsIn(m.GetAmounts())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	e, err := h.svc.DraftEstimate(ctx, m.GetTenantId(), auth.Actor(ctx), int(m.GetFiscalYear()), EstimateKind(m.GetKind()), m.GetReference(), amounts)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.DraftEstimateResponse{Estimate: estimateOut(e)}), nil
}

// SetEstimateAmounts implements BudgetService.SetEstimateAmounts.
func (h *Handler) SetEstimateAmounts(ctx context.Context, req *connect.Request[budgetv1.SetEstimateAmountsRequest]) (*connect.Response[budgetv1.SetEstimateAmountsResponse], error) {
	amounts, err := amountsIn(req.Msg.GetAmounts())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	e, err := h.svc.SetAmounts(ctx, req.Msg.GetTenantId(), req.Msg.GetEstimateId(), amounts)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.SetEstimateAmountsResponse{Estimate: estimateOut(e)}), nil
}

// SubmitEstimate implements BudgetService.SubmitEstimate.
func (h *Handler) SubmitEstimate(ctx context.Context, req *connect.Request[budgetv1.SubmitEstimateRequest]) (*connect.Response[budgetv1.SubmitEstimateResponse], error) {
	e, err := h.svc.SubmitEstimate(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetEstimateId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.SubmitEstimateResponse{Estimate: estimateOut(e)}), nil
}

// ApproveEstimate implements BudgetService.ApproveEstimate.
func (h *Handler) ApproveEstimate(ctx context.Context, req *connect.Request[budgetv1.ApproveEstimateRequest]) (*connect.Response[budgetv1.ApproveEstimateResponse], error) {
	e, err := h.svc.ApproveEstimate(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetEstimateId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.ApproveEstimateResponse{Estimate: estimateOut(e)}), nil
}

// RejectEstimate implements BudgetService.RejectEstimate.
func (h *Handler) RejectEstimate(ctx context.Context, req *connect.Request[budgetv1.RejectEstimateRequest]) (*connect.Response[budgetv1.RejectEstimateResponse], error) {
	e, err := h.svc.RejectEstimate(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetEstimateId(), req.Msg.GetNote())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.RejectEstimateResponse{Estimate: estimateOut(e)}), nil
}

// ListEstimates implements BudgetService.ListEstimates.
func (h *Handler) ListEstimates(ctx context.Context, req *connect.Request[budgetv1.ListEstimatesRequest]) (*connect.Response[budgetv1.ListEstimatesResponse], error) {
	es, err := h.svc.Estimates(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &budgetv1.ListEstimatesResponse{}
	for _, e := range es {
		out.Estimates = append(out.Estimates, estimateOut(e))
	}
	return connect.NewResponse(out), nil
}

// Reappropriate implements BudgetService.Reappropriate.
func (h *Handler) Reappropriate(ctx context.Context, req *connect.Request[budgetv1.ReappropriateRequest]) (*connect.Response[budgetv1.ReappropriateResponse], error) {
	m := req.Msg
	amount, err := ledger.ParseAmount("amount", m.GetAmount())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	date, err := ledger.ParseDate("sanction_date", m.GetSanctionDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	r, err := h.svc.Reappropriate(ctx, m.GetTenantId(), auth.Actor(ctx), ReappropriationInput{FromLineID: m.GetFromLineId(),
		ToLineID: m.GetToLineId(), Amount: amount, SanctionNumber: m.GetSanctionNumber(), SanctionDate: date, Reason: m.GetReason(),
		IdempotencyKey: m.GetIdempotencyKey()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.ReappropriateResponse{Reappropriation: reappropriationOut(r)}), nil
}

// ListReappropriations implements BudgetService.ListReappropriations.
func (h *Handler) ListReappropriations(ctx context.Context, req *connect.Request[budgetv1.ListReappropriationsRequest]) (*connect.Response[budgetv1.ListReappropriationsResponse], error) {
	rs, err := h.svc.Reappropriations(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()), req.Msg.GetLineId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &budgetv1.ListReappropriationsResponse{}
	for _, r := range rs {
		out.Reappropriations = append(out.Reappropriations, reappropriationOut(r))
	}
	return connect.NewResponse(out), nil
}

// CreateCommitment implements BudgetService.CreateCommitment.
func (h *Handler) CreateCommitment(ctx context.Context, req *connect.Request[budgetv1.CreateCommitmentRequest]) (*connect.Response[budgetv1.CreateCommitmentResponse], error) {
	m := req.Msg
	amount, err := ledger.ParseAmount("amount", m.GetAmount())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	date, err := ledger.ParseDate("date", m.GetDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	c, flags, err := h.svc.Commit(ctx, m.GetTenantId(), auth.Actor(ctx), CommitmentInput{LineID: m.GetLineId(), Kind: m.GetKind(),
		Reference: m.GetReference(), Party: m.GetParty(), Date: date, Amount: amount, IdempotencyKey: m.GetIdempotencyKey()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.CreateCommitmentResponse{Commitment: commitmentOut(c), Flags: flagsOut(flags)}), nil
}

// CancelCommitment implements BudgetService.CancelCommitment.
func (h *Handler) CancelCommitment(ctx context.Context, req *connect.Request[budgetv1.CancelCommitmentRequest]) (*connect.Response[budgetv1.CancelCommitmentResponse], error) {
	c, err := h.svc.CancelCommitment(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetCommitmentId(), req.Msg.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.CancelCommitmentResponse{Commitment: commitmentOut(c)}), nil
}

// ListCommitments implements BudgetService.ListCommitments.
func (h *Handler) ListCommitments(ctx context.Context, req *connect.Request[budgetv1.ListCommitmentsRequest]) (*connect.Response[budgetv1.ListCommitmentsResponse], error) {
	cs, err := h.svc.Commitments(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()), req.Msg.GetLineId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &budgetv1.ListCommitmentsResponse{}
	for _, c := range cs {
		out.Commitments = append(out.Commitments, commitmentOut(c))
	}
	return connect.NewResponse(out), nil
}

func rowOut(r Row) *budgetv1.BudgetRow {
	return &budgetv1.BudgetRow{Key: r.Key, Name: r.Name, LineId: r.LineID, Be: money(r.BE), Re: money(r.RE),
		Supplementary: money(r.Supplementary), Reappropriated: money(r.Reappropriated), Committed: money(r.Committed),
		Actual: money(r.Actual), Available: money(r.Available), PercentUsed: money(r.PercentUsed), Ledger: money(r.Ledger)}
}

func rowsOut(rs []Row) []*budgetv1.BudgetRow {
	out := make([]*budgetv1.BudgetRow, len(rs))
	for i, r := range rs {
		out[i] = rowOut(r)
	}
	return out
}

// GetBudgetVsActual implements BudgetService.GetBudgetVsActual.
func (h *Handler) GetBudgetVsActual(ctx context.Context, req *connect.Request[budgetv1.GetBudgetVsActualRequest]) (*connect.Response[budgetv1.GetBudgetVsActualResponse], error) {
	rep, err := h.svc.BudgetVsActual(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&budgetv1.GetBudgetVsActualResponse{Lines: rowsOut(rep.Lines), ByFunction: rowsOut(rep.ByFunction),
		ByMajorHead: rowsOut(rep.ByMajor), Total: rowOut(rep.Total)}), nil
}

func quarters(ds [4]decimal.Decimal) *budgetv1.QuarterFigures {
	out := &budgetv1.QuarterFigures{}
	for _, d := range ds {
		out.Quarters = append(out.Quarters, money(d))
	}
	return out
}

// GetQuarterlyVariance implements BudgetService.GetQuarterlyVariance.
func (h *Handler) GetQuarterlyVariance(ctx context.Context, req *connect.Request[budgetv1.GetQuarterlyVarianceRequest]) (*connect.Response[budgetv1.GetQuarterlyVarianceResponse], error) {
	rows, err := h.svc.QuarterlyVariance(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &budgetv1.GetQuarterlyVarianceResponse{}
	for _, r := range rows {
		out.Rows = append(out.Rows, &budgetv1.VarianceRow{LineId: r.LineID, Key: r.Key, Name: r.Name, Budget: money(r.Budget),
			Actual: quarters(r.Actual), Cumulative: quarters(r.Cumulative), Target: quarters(r.Target), Variance: quarters(r.Variance),
			VariancePercent: quarters(r.VariancePercent)})
	}
	return connect.NewResponse(out), nil
}
