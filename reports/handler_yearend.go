package reports

import (
	"context"
	"fmt"
	"slices"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/auth"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/yearend"
)

// yearEnd is the year-end close over the statements' pool and ledger.
func (h *Handler) yearEnd() *yearend.Service { return yearend.NewService(h.svc.pool, h.svc.ledger) }

// CloseYear implements ReportService.CloseYear.
func (h *Handler) CloseYear(ctx context.Context, req *connect.Request[reportsv1.CloseYearRequest]) (*connect.Response[reportsv1.CloseYearResponse], error) {
	c, err := h.yearEnd().CloseYear(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()), auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &reportsv1.CloseYearResponse{FiscalYear: int32(c.FiscalYear), Attempt: int32(c.Attempt),
		Surplus: c.Surplus.StringFixed(2), NextYearOpened: c.NextYearOpened}
	out.ProvisionRequired = c.Provisions.Required.StringFixed(2)
	out.ProvisionAdjustment = c.Provisions.Adjustment().StringFixed(2)
	if c.Provisions.Voucher != nil {
		out.ProvisionVoucherNumber = c.Provisions.Voucher.Number
	}
	out.ArrearsMoved = c.ArrearsMoved.StringFixed(2)
	for _, v := range c.ArrearsVouchers {
		out.ArrearsVoucherNumbers = append(out.ArrearsVoucherNumbers, v.Number)
	}
	for _, v := range c.Vouchers {
		out.VoucherNumbers = append(out.VoucherNumbers, v.Number)
	}
	funds := make([]string, 0, len(c.SurplusByFund))
	for f := range c.SurplusByFund {
		funds = append(funds, f)
	}
	slices.Sort(funds)
	for _, f := range funds {
		out.SurplusByFund = append(out.SurplusByFund, &reportsv1.FundSurplus{FundCode: f, Surplus: c.SurplusByFund[f].StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// ReopenYear implements ReportService.ReopenYear.
func (h *Handler) ReopenYear(ctx context.Context, req *connect.Request[reportsv1.ReopenYearRequest]) (*connect.Response[reportsv1.ReopenYearResponse], error) {
	r, err := h.yearEnd().ReopenYear(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()), auth.Actor(ctx), req.Msg.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &reportsv1.ReopenYearResponse{FiscalYear: int32(r.FiscalYear), Attempt: int32(r.Attempt)}
	for _, v := range r.Reversals {
		out.ReversalNumbers = append(out.ReversalNumbers, v.Number)
	}
	return connect.NewResponse(out), nil
}

func moneyList(ds []decimal.Decimal) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

// SetProvisionRates implements ReportService.SetProvisionRates.
func (h *Handler) SetProvisionRates(ctx context.Context, req *connect.Request[reportsv1.SetProvisionRatesRequest]) (*connect.Response[reportsv1.SetProvisionRatesResponse], error) {
	var rates [yearend.Bands]decimal.Decimal
	for i, s := range req.Msg.GetRates() {
		r, err := decimal.NewFromString(s)
		if err != nil || i >= yearend.Bands {
			return nil, h.fail(ctx, req.Spec().Procedure, invalid(fmt.Sprintf("rates[%d]", i), "must be one of four fractions between 0 and 1"))
		}
		rates[i] = r
	}
	if err := h.yearEnd().SetProvisionRates(ctx, req.Msg.GetTenantId(), rates, auth.Actor(ctx)); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.SetProvisionRatesResponse{Rates: moneyList(rates[:])}), nil
}

// RunProvisions implements ReportService.RunProvisions.
func (h *Handler) RunProvisions(ctx context.Context, req *connect.Request[reportsv1.RunProvisionsRequest]) (*connect.Response[reportsv1.RunProvisionsResponse], error) {
	run, err := h.yearEnd().RunProvisions(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()), auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &reportsv1.RunProvisionsResponse{FiscalYear: int32(run.FiscalYear), Rates: moneyList(run.Rates[:]),
		Required: run.Required.StringFixed(2), HeldBefore: run.HeldBefore.StringFixed(2), Adjustment: run.Adjustment().StringFixed(2)}
	if run.Voucher != nil {
		out.VoucherNumber = run.Voucher.Number
	}
	for _, l := range run.Lines {
		o := &reportsv1.ProvisionLine{ProvisionAccount: l.ProvisionAccount, ExpenseAccount: l.ExpenseAccount, FundCode: l.FundCode,
			FunctionCode: l.FunctionCode, Required: l.Required.StringFixed(2), Held: l.Held.StringFixed(2), Adjustment: l.Adjustment.StringFixed(2)}
		for _, b := range l.Outstanding {
			o.Outstanding = append(o.Outstanding, b.StringFixed(2))
		}
		out.Lines = append(out.Lines, o)
	}
	return connect.NewResponse(out), nil
}
