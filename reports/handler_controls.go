package reports

import (
	"context"
	"time"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/controls"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/ledger"
)

// GetAuditControls implements ReportService.GetAuditControls.
func (h *Handler) GetAuditControls(ctx context.Context, req *connect.Request[reportsv1.GetAuditControlsRequest]) (*connect.Response[reportsv1.GetAuditControlsResponse], error) {
	asOf, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	rep, err := h.svc.AuditControls(ctx, req.Msg.GetTenantId(), asOf)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &reportsv1.GetAuditControlsResponse{TenantId: rep.TenantID, AsOf: rep.AsOf.Format(time.DateOnly), Status: statusOut(rep.Status)}
	for _, c := range rep.Checks {
		o := &reportsv1.ControlCheck{Name: c.Name, Title: c.Title, Status: statusOut(c.Status), Summary: c.Summary}
		for _, r := range c.Rows {
			row := &reportsv1.ControlRow{RefKind: r.RefKind, Ref: r.Ref, Detail: r.Detail, AgeDays: int32(r.AgeDays)}
			if !r.Date.IsZero() {
				row.Date = r.Date.Format(time.DateOnly)
			}
			if !r.Amount.IsZero() {
				row.Amount = r.Amount.StringFixed(2)
			}
			o.Rows = append(o.Rows, row)
		}
		for _, t := range c.Ties {
			o.Ties = append(o.Ties, &reportsv1.ControlTie{AccountCode: t.Account, Kind: t.Kind, SubLedger: t.SubLedger.StringFixed(2),
				Ledger: t.Ledger.StringFixed(2), Difference: t.Difference.StringFixed(2)})
		}
		out.Checks = append(out.Checks, o)
	}
	return connect.NewResponse(out), nil
}

// AuditControls is controls.Report of tenant as of asOf.
func (s *Service) AuditControls(ctx context.Context, tenant string, asOf time.Time) (controls.Report, error) {
	if s.controls == nil {
		return controls.Report{}, errNotWired
	}
	return s.controls.Report(ctx, tenant, asOf)
}

func statusOut(s controls.Status) reportsv1.ControlStatus {
	switch s {
	case controls.OK:
		return reportsv1.ControlStatus_CONTROL_STATUS_OK
	case controls.Attention:
		return reportsv1.ControlStatus_CONTROL_STATUS_ATTENTION
	case controls.Failed:
		return reportsv1.ControlStatus_CONTROL_STATUS_FAILED
	}
	return reportsv1.ControlStatus_CONTROL_STATUS_UNSPECIFIED
}
