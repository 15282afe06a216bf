package reports

import (
	"context"
	"encoding/hex"
	"time"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/auth"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/opening"
)

var openingFormatIn = map[reportsv1.OpeningFormat]opening.Format{
	reportsv1.OpeningFormat_OPENING_FORMAT_CSV:  opening.CSV,
	reportsv1.OpeningFormat_OPENING_FORMAT_XLSX: opening.XLSX,
}

var openingFormatOut = map[opening.Format]reportsv1.OpeningFormat{
	opening.CSV:  reportsv1.OpeningFormat_OPENING_FORMAT_CSV,
	opening.XLSX: reportsv1.OpeningFormat_OPENING_FORMAT_XLSX,
}

func openingImportOut(i opening.Import) *reportsv1.OpeningImport {
	return &reportsv1.OpeningImport{Id: i.ID, AsOf: i.AsOf.Format(time.DateOnly), Format: openingFormatOut[i.Format], Status: i.Status,
		Rows: int32(i.Rows), TotalDebit: i.TotalDebit.StringFixed(2), TotalCredit: i.TotalCredit.StringFixed(2),
		ContentSha256: hex.EncodeToString(i.ContentHash), ImportedBy: i.ImportedBy, DecidedBy: i.DecidedBy, Reason: i.Reason,
		VoucherId: i.VoucherID}
}

// ImportOpeningBalances implements ReportService.ImportOpeningBalances.
func (h *Handler) ImportOpeningBalances(ctx context.Context, req *connect.Request[reportsv1.ImportOpeningBalancesRequest]) (*connect.Response[reportsv1.ImportOpeningBalancesResponse], error) {
	d, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	i, err := h.opening.ImportBalances(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), opening.Request{AsOf: d,
		Format: openingFormatIn[req.Msg.GetFormat()], Content: req.Msg.GetContent(), IdempotencyKey: req.Msg.GetIdempotencyKey()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.ImportOpeningBalancesResponse{Import: openingImportOut(i)}), nil
}

// ApproveOpeningBalances implements ReportService.ApproveOpeningBalances.
func (h *Handler) ApproveOpeningBalances(ctx context.Context, req *connect.Request[reportsv1.ApproveOpeningBalancesRequest]) (*connect.Response[reportsv1.ApproveOpeningBalancesResponse], error) {
	i, err := h.opening.Approve(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetImportId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.ApproveOpeningBalancesResponse{Import: openingImportOut(i)}), nil
}

// RejectOpeningBalances implements ReportService.RejectOpeningBalances.
func (h *Handler) RejectOpeningBalances(ctx context.Context, req *connect.Request[reportsv1.RejectOpeningBalancesRequest]) (*connect.Response[reportsv1.RejectOpeningBalancesResponse], error) {
	i, err := h.opening.Reject(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetImportId(), req.Msg.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&reportsv1.RejectOpeningBalancesResponse{Import: openingImportOut(i)}), nil
}
