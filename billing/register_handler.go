package billing

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/auth"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
	"github.com/munimhq/munim/ledger"
)

// RegisterHandler serves munim.billing.v1.RegisterService.
type RegisterHandler struct {
	svc *Service
	log *slog.Logger
}

// NewRegisterHandler returns the Connect path and handler of the register
// service.
func NewRegisterHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return billingv1connect.NewRegisterServiceHandler(&RegisterHandler{svc: svc, log: log}, opts...)
}

var _ billingv1connect.RegisterServiceHandler = (*RegisterHandler)(nil)

// fail maps an error to Connect: a calculation the registers' state does
// not allow yet (no master for the year, an unread meter, a licence not
// due) is FailedPrecondition; the rest as the ledger maps them.
func (h *RegisterHandler) fail(ctx context.Context, procedure string, err error) error {
	var pe *ledger.PreconditionError
	if errors.As(err, &pe) {
		return connect.NewError(connect.CodeFailedPrecondition, err)
	}
	return ledger.ToConnect(ctx, h.log, procedure, err)
}

// SaveProperties implements RegisterService.SaveProperties.
func (h *RegisterHandler) SaveProperties(ctx context.Context, req *connect.Request[billingv1.SavePropertiesRequest]) (*connect.Response[billingv1.SavePropertiesResponse], error) {
	var w decoder
	ps := w.properties(req.Msg.GetProperties())
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	if err := h.svc.SaveProperties(ctx, req.Msg.GetTenantId(), ps, auth.Actor(ctx)); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.SavePropertiesResponse{Saved: int32(len(ps))}), nil
}

// GetProperty implements RegisterService.GetProperty.
func (h *RegisterHandler) GetProperty(ctx context.Context, req *connect.Request[billingv1.GetPropertyRequest]) (*connect.Response[billingv1.GetPropertyResponse], error) {
	p, err := h.svc.GetProperty(ctx, req.Msg.GetTenantId(), req.Msg.GetConsumerCode())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.GetPropertyResponse{Property: propertyOut(p)}), nil
}

// SaveWaterConnections implements RegisterService.SaveWaterConnections.
func (h *RegisterHandler) SaveWaterConnections(ctx context.Context, req *connect.Request[billingv1.SaveWaterConnectionsRequest]) (*connect.Response[billingv1.SaveWaterConnectionsResponse], error) {
	var w decoder
	cs := w.connections(req.Msg.GetConnections())
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	if err := h.svc.SaveWaterConnections(ctx, req.Msg.GetTenantId(), cs, auth.Actor(ctx)); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.SaveWaterConnectionsResponse{Saved: int32(len(cs))}), nil
}

// RecordMeterReadings implements RegisterService.RecordMeterReadings.
func (h *RegisterHandler) RecordMeterReadings(ctx context.Context, req *connect.Request[billingv1.RecordMeterReadingsRequest]) (*connect.Response[billingv1.RecordMeterReadingsResponse], error) {
	var w decoder
	rs := w.readings(req.Msg.GetReadings())
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	n, err := h.svc.RecordMeterReadings(ctx, req.Msg.GetTenantId(), rs, auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.RecordMeterReadingsResponse{Recorded: int32(n)}), nil
}

// SaveTradeLicences implements RegisterService.SaveTradeLicences.
func (h *RegisterHandler) SaveTradeLicences(ctx context.Context, req *connect.Request[billingv1.SaveTradeLicencesRequest]) (*connect.Response[billingv1.SaveTradeLicencesResponse], error) {
	var w decoder
	ls := w.licences(req.Msg.GetLicences())
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	if err := h.svc.SaveTradeLicences(ctx, req.Msg.GetTenantId(), ls, auth.Actor(ctx)); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.SaveTradeLicencesResponse{Saved: int32(len(ls))}), nil
}

// SaveRateMaster implements RegisterService.SaveRateMaster.
func (h *RegisterHandler) SaveRateMaster(ctx context.Context, req *connect.Request[billingv1.SaveRateMasterRequest]) (*connect.Response[billingv1.SaveRateMasterResponse], error) {
	var w decoder
	m := w.rateMaster(req.Msg.GetMaster())
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	method, err := h.svc.SaveRateMaster(ctx, req.Msg.GetTenantId(), m, auth.Actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.SaveRateMasterResponse{Method: method}), nil
}

// GetRateMaster implements RegisterService.GetRateMaster.
func (h *RegisterHandler) GetRateMaster(ctx context.Context, req *connect.Request[billingv1.GetRateMasterRequest]) (*connect.Response[billingv1.GetRateMasterResponse], error) {
	ms, err := h.svc.RateMasters(ctx, req.Msg.GetTenantId(), req.Msg.GetService(), int(req.Msg.GetFiscalYear()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &billingv1.GetRateMasterResponse{}
	for _, m := range ms {
		out.Masters = append(out.Masters, rateMasterOut(m))
	}
	return connect.NewResponse(out), nil
}

// CalculateDemand implements RegisterService.CalculateDemand.
func (h *RegisterHandler) CalculateDemand(ctx context.Context, req *connect.Request[billingv1.CalculateDemandRequest]) (*connect.Response[billingv1.CalculateDemandResponse], error) {
	var w decoder
	q := DemandQuery{Service: req.Msg.GetService(), ConsumerCode: req.Msg.GetConsumerCode(), FiscalYear: int(req.Msg.GetFiscalYear()),
		Period:    Period{From: w.dateOpt("period_from", req.Msg.GetPeriodFrom()), To: w.dateOpt("period_to", req.Msg.GetPeriodTo())},
		AppliedOn: w.dateOpt("applied_on", req.Msg.GetAppliedOn())}
	if err := w.err(); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	if q.AppliedOn.IsZero() {
		now := h.svc.now().In(ledger.IST)
		q.AppliedOn = ledger.Date(now.Year(), now.Month(), now.Day())
	}
	d, err := h.svc.CalculateDemand(ctx, req.Msg.GetTenantId(), q)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&billingv1.CalculateDemandResponse{Demand: calculatedOut(d)}), nil
}
