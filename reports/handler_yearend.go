package reports

import (
	"context"
	"slices"

	"connectrpc.com/connect"

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
