package reports

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"

	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/opening"
)

// Handler serves munim.reports.v1.ReportService: decode, draw, encode.
type Handler struct {
	svc     *Service
	opening *opening.Service
	log     *slog.Logger
}

// NewHandler returns the Connect path and handler of the report service;
// open serves the opening balances.
func NewHandler(svc *Service, open *opening.Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return reportsv1connect.NewReportServiceHandler(&Handler{svc: svc, opening: open, log: log}, opts...)
}

var _ reportsv1connect.ReportServiceHandler = (*Handler)(nil)

func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return toConnect(ctx, h.log, procedure, err)
}

func requestIn(tenant string, p *reportsv1.StatementPeriod) (Request, error) {
	r := Request{TenantID: tenant, FiscalYear: int(p.GetFiscalYear()), FundCode: p.GetFundCode()}
	if p.GetAsOf() != "" {
		d, err := ledger.ParseDate("period.as_of", p.GetAsOf())
		if err != nil {
			return Request{}, err
		}
		r.AsOf = d
	}
	return r, nil
}

func money(a Amounts) (string, string) { return a.Current.StringFixed(2), a.Previous.StringFixed(2) }

func figureOut(f Figure) *reportsv1.Figure {
	cur, prev := money(f.Amounts)
	return &reportsv1.Figure{Label: f.Label, Current: cur, Previous: prev, Schedules: f.Schedules, AccountCodes: f.Accounts, MajorHead: f.MajorHead}
}

func figuresOut(fs []Figure) []*reportsv1.Figure {
	out := make([]*reportsv1.Figure, len(fs))
	for i, f := range fs {
		out[i] = figureOut(f)
	}
	return out
}

func schedulesOut(ss []Schedule) []*reportsv1.Schedule {
	out := make([]*reportsv1.Schedule, len(ss))
	for i, s := range ss {
		cur, prev := money(s.Total)
		o := &reportsv1.Schedule{Code: s.Code, MajorHead: s.MajorHead, Name: s.Name, TotalCurrent: cur, TotalPrevious: prev}
		for _, r := range s.Rows {
			rc, rp := money(r.Amounts)
			o.Rows = append(o.Rows, &reportsv1.ScheduleRow{AccountCode: r.AccountCode, AccountName: r.AccountName,
				Current: rc, Previous: rp, DerivedFrom: r.DerivedFrom})
		}
		out[i] = o
	}
	return out
}

func balanceSheetOut(bs BalanceSheet) *reportsv1.BalanceSheet {
	return &reportsv1.BalanceSheet{TenantId: bs.TenantID, UlbName: bs.ULBName, FiscalYear: int32(bs.FiscalYear),
		AsOf: bs.AsOf.Format(time.DateOnly), PreviousAsOf: bs.PreviousAsOf.Format(time.DateOnly), FundCode: bs.FundCode,
		Liabilities: figuresOut(bs.Liabilities), Assets: figuresOut(bs.Assets),
		TotalLiabilities: figureOut(bs.TotalLiabilities), TotalAssets: figureOut(bs.TotalAssets),
		Schedules: schedulesOut(bs.Schedules), Balanced: bs.Balanced()}
}

func incomeExpenditureOut(ie IncomeExpenditure) *reportsv1.IncomeExpenditure {
	return &reportsv1.IncomeExpenditure{TenantId: ie.TenantID, UlbName: ie.ULBName, FiscalYear: int32(ie.FiscalYear),
		From: ie.From.Format(time.DateOnly), To: ie.To.Format(time.DateOnly),
		PreviousFrom: ie.PreviousFrom.Format(time.DateOnly), PreviousTo: ie.PreviousTo.Format(time.DateOnly), FundCode: ie.FundCode,
		Income: figuresOut(ie.Income), TotalIncome: figureOut(ie.TotalIncome),
		Expenditure: figuresOut(ie.Expenditure), TotalExpenditure: figureOut(ie.TotalExpenditure),
		SurplusBeforePriorPeriod: figureOut(ie.SurplusBeforePriorPeriod), PriorPeriodItems: figureOut(ie.PriorPeriodItems),
		SurplusAfterPriorPeriod: figureOut(ie.SurplusAfterPriorPeriod), TransferToReserves: figureOut(ie.TransferToReserves),
		SurplusCarriedToFund: figureOut(ie.SurplusCarriedToFund), Schedules: schedulesOut(ie.Schedules)}
}

func receiptsPaymentsOut(rp ReceiptsPayments) *reportsv1.ReceiptsPayments {
	return &reportsv1.ReceiptsPayments{TenantId: rp.TenantID, UlbName: rp.ULBName, FiscalYear: int32(rp.FiscalYear),
		From: rp.From.Format(time.DateOnly), To: rp.To.Format(time.DateOnly),
		PreviousFrom: rp.PreviousFrom.Format(time.DateOnly), PreviousTo: rp.PreviousTo.Format(time.DateOnly),
		Opening: figureOut(rp.Opening), Receipts: figuresOut(rp.Receipts), Payments: figuresOut(rp.Payments),
		TotalReceipts: figureOut(rp.TotalReceipts), TotalPayments: figureOut(rp.TotalPayments), Closing: figureOut(rp.Closing),
		Schedules: schedulesOut(rp.Schedules)}
}

func cashFlowOut(cf CashFlow) *reportsv1.CashFlow {
	return &reportsv1.CashFlow{TenantId: cf.TenantID, UlbName: cf.ULBName, FiscalYear: int32(cf.FiscalYear),
		From: cf.From.Format(time.DateOnly), To: cf.To.Format(time.DateOnly),
		PreviousFrom: cf.PreviousFrom.Format(time.DateOnly), PreviousTo: cf.PreviousTo.Format(time.DateOnly), FundCode: cf.FundCode,
		Operating: figuresOut(cf.Operating), NetOperating: figureOut(cf.NetOperating),
		Investing: figuresOut(cf.Investing), NetInvesting: figureOut(cf.NetInvesting),
		Financing: figuresOut(cf.Financing), NetFinancing: figureOut(cf.NetFinancing),
		NetChange: figureOut(cf.NetChange), Opening: figureOut(cf.Opening), Closing: figureOut(cf.Closing)}
}

// GetBalanceSheet implements ReportService.GetBalanceSheet.
func (h *Handler) GetBalanceSheet(ctx context.Context, req *connect.Request[reportsv1.GetBalanceSheetRequest]) (*connect.Response[reportsv1.GetBalanceSheetResponse], error) {
	r, err := requestIn(req.Msg.GetTenantId(), req.Msg.GetPeriod())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	bs, err := h.svc.BalanceSheet(ctx, r)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.GetBalanceSheetResponse{BalanceSheet: balanceSheetOut(bs)}), nil
}

// GetIncomeExpenditure implements ReportService.GetIncomeExpenditure.
func (h *Handler) GetIncomeExpenditure(ctx context.Context, req *connect.Request[reportsv1.GetIncomeExpenditureRequest]) (*connect.Response[reportsv1.GetIncomeExpenditureResponse], error) {
	r, err := requestIn(req.Msg.GetTenantId(), req.Msg.GetPeriod())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	ie, err := h.svc.IncomeExpenditure(ctx, r)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.GetIncomeExpenditureResponse{IncomeExpenditure: incomeExpenditureOut(ie)}), nil
}

// GetReceiptsPayments implements ReportService.GetReceiptsPayments.
func (h *Handler) GetReceiptsPayments(ctx context.Context, req *connect.Request[reportsv1.GetReceiptsPaymentsRequest]) (*connect.Response[reportsv1.GetReceiptsPaymentsResponse], error) {
	r, err := requestIn(req.Msg.GetTenantId(), req.Msg.GetPeriod())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	rp, err := h.svc.ReceiptsPayments(ctx, r)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.GetReceiptsPaymentsResponse{ReceiptsPayments: receiptsPaymentsOut(rp)}), nil
}

// GetCashFlow implements ReportService.GetCashFlow.
func (h *Handler) GetCashFlow(ctx context.Context, req *connect.Request[reportsv1.GetCashFlowRequest]) (*connect.Response[reportsv1.GetCashFlowResponse], error) {
	r, err := requestIn(req.Msg.GetTenantId(), req.Msg.GetPeriod())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	cf, err := h.svc.CashFlow(ctx, r)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.GetCashFlowResponse{CashFlow: cashFlowOut(cf)}), nil
}
