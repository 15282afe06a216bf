package reports

import (
	"context"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/auth"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/ledger"
)

// GetStateConsolidation implements ReportService.GetStateConsolidation.
// The request names a state, not a tenant, so the access guard checks
// only the permission: the handler checks the caller's tenants cover the
// whole state.
func (h *Handler) GetStateConsolidation(ctx context.Context, req *connect.Request[reportsv1.GetStateConsolidationRequest]) (*connect.Response[reportsv1.GetStateConsolidationResponse], error) {
	state := req.Msg.GetStateCode()
	if err := coversState(auth.FromContext(ctx), state); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	r := StateRequest{StateCode: state, FiscalYear: int(req.Msg.GetFiscalYear()), VerifyChains: req.Msg.GetVerifyChains()}
	if req.Msg.GetAsOf() != "" {
		d, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
		if err != nil {
			return nil, h.fail(ctx, req.Spec().Procedure, err)
		}
		r.AsOf = d
	}
	c, err := h.svc.StateConsolidation(ctx, r)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &reportsv1.GetStateConsolidationResponse{StateCode: c.StateCode, BalanceSheet: balanceSheetOut(c.BalanceSheet),
		IncomeExpenditure: incomeExpenditureOut(c.IncomeExpenditure)}
	for _, u := range c.ULBs {
		o := &reportsv1.UlbFigures{TenantId: u.TenantID, UlbName: u.ULBName, Demand: u.Demand.StringFixed(2),
			Collection: u.Collection.StringFixed(2), Receivables: u.Receivables.StringFixed(2),
			CashAndBank: u.CashAndBank.StringFixed(2), Surplus: u.Surplus.StringFixed(2), AuditStatus: statusOut(u.AuditStatus)}
		if u.Efficiency.Valid {
			o.CollectionEfficiency = u.Efficiency.Decimal.StringFixed(2)
		}
		out.Ulbs = append(out.Ulbs, o)
	}
	return connect.NewResponse(out), nil
}

// coversState reports, as an error, whether p may read every tenant of
// state: only a principal holding "<state>.*" or "*" may. A ULB's own
// staff, or another state's auditor, may not.
func coversState(p *auth.Principal, state string) error {
	if p != nil {
		for _, t := range p.Tenants {
			if t == "*" || t == state+".*" {
				return nil
			}
		}
	}
	return &OutOfScopeError{Actor: p.Actor(), Scope: "state " + state}
}
