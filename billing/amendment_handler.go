package billing

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
	"github.com/munimhq/munim/ledger"
)

// AmendmentHandler serves munim.billing.v1.AmendmentService.
type AmendmentHandler struct {
	svc *Service
	log *slog.Logger
}

// NewAmendmentHandler returns the Connect path and handler of the amendment service.
func NewAmendmentHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return billingv1connect.NewAmendmentServiceHandler(&AmendmentHandler{svc: svc, log: log}, opts...)
}

var _ billingv1connect.AmendmentServiceHandler = (*AmendmentHandler)(nil)

func (h *AmendmentHandler) fail(ctx context.Context, procedure string, err error) error {
	return ledger.ToConnect(ctx, h.log, procedure, err)
}

func amendmentOut(a Amendment) *billingv1.Amendment {
	out := &billingv1.Amendment{Id: a.ID, DemandId: a.DemandID, Kind: string(a.Kind), Reason: a.Reason, Reference: a.Reference,
		Date: a.Date.Format(time.DateOnly), Status: string(a.Status), IdempotencyKey: a.IdempotencyKey, ProposedBy: a.ProposedBy,
		ProposedAt: timestamppb.New(a.ProposedAt), DecidedBy: a.DecidedBy, DecisionNote: a.DecisionNote, VoucherId: a.VoucherID}
	if a.DecidedAt != nil {
		out.DecidedAt = timestamppb.New(*a.DecidedAt)
	}
	for _, l := range a.Lines {
		out.Lines = append(out.Lines, &billingv1.AmendmentLine{Head: l.Head, Delta: l.Delta.StringFixed(2)})
	}
	return out
}

// amendmentIn decodes a proposal, naming each malformed field.
func amendmentIn(m *billingv1.ProposeAmendmentRequest, today time.Time) (AmendmentInput, error) {
	var bad ledger.ValidationError
	collect := func(err error) {
		if ve, ok := err.(*ledger.ValidationError); ok {
			bad.Violations = append(bad.Violations, ve.Violations...)
		}
	}
	in := AmendmentInput{DemandID: m.GetDemandId(), Kind: AmendmentKind(m.GetKind()), Reason: m.GetReason(),
		Reference: m.GetReference(), Date: today, IdempotencyKey: m.GetIdempotencyKey()}
	if m.GetDate() != "" {
		d, err := ledger.ParseDate("date", m.GetDate())
		collect(err)
		in.Date = d
	}
	for i, l := range m.GetLines() {
		delta, err := ledger.ParseAmount(fmt.Sprintf("lines[%d].delta", i), l.GetDelta())
		collect(err)
		in.Lines = append(in.Lines, AmendmentLineInput{Head: l.GetHead(), Delta: delta})
	}
	if len(bad.Violations) > 0 {
		return AmendmentInput{}, &bad
	}
	return in, nil
}

// ProposeAmendment implements AmendmentService.ProposeAmendment.
func (h *AmendmentHandler) ProposeAmendment(ctx context.Context, req *connect.Request[billingv1.ProposeAmendmentRequest]) (*connect.Response[billingv1.ProposeAmendmentResponse], error) {
	now := h.svc.now().In(ledger.IST)
	in, err := amendmentIn(req.Msg, ledger.Date(now.Year(), now.Month(), now.Day()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	a, err := h.svc.ProposeAmendment(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.ProposeAmendmentResponse{Amendment: amendmentOut(a)}), nil
}

// ApproveAmendment implements AmendmentService.ApproveAmendment.
func (h *AmendmentHandler) ApproveAmendment(ctx context.Context, req *connect.Request[billingv1.ApproveAmendmentRequest]) (*connect.Response[billingv1.ApproveAmendmentResponse], error) {
	a, err := h.svc.ApproveAmendment(ctx, req.Msg.GetTenantId(), req.Msg.GetAmendmentId(), auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.ApproveAmendmentResponse{Amendment: amendmentOut(a)}), nil
}

// RejectAmendment implements AmendmentService.RejectAmendment.
func (h *AmendmentHandler) RejectAmendment(ctx context.Context, req *connect.Request[billingv1.RejectAmendmentRequest]) (*connect.Response[billingv1.RejectAmendmentResponse], error) {
	a, err := h.svc.RejectAmendment(ctx, req.Msg.GetTenantId(), req.Msg.GetAmendmentId(), auth.Actor(ctx), req.Msg.GetNote())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.RejectAmendmentResponse{Amendment: amendmentOut(a)}), nil
}

// ListAmendments implements AmendmentService.ListAmendments.
func (h *AmendmentHandler) ListAmendments(ctx context.Context, req *connect.Request[billingv1.ListAmendmentsRequest]) (*connect.Response[billingv1.ListAmendmentsResponse], error) {
	m := req.Msg
	as, next, err := h.svc.ListAmendments(ctx, m.GetTenantId(), AmendmentFilter{DemandID: m.GetDemandId(),
		Status: AmendmentStatus(m.GetStatus()), PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.ListAmendmentsResponse{NextPageToken: next}
	for _, a := range as {
		out.Amendments = append(out.Amendments, amendmentOut(a))
	}
	return connect.NewResponse(out), nil
}
