package audit

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	auditv1 "github.com/munimhq/munim/gen/pb/munim/audit/v1"
	"github.com/munimhq/munim/gen/pb/munim/audit/v1/auditv1connect"
	"github.com/munimhq/munim/ledger"
)

// Handler serves munim.audit.v1.AuditService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the audit service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return auditv1connect.NewAuditServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ auditv1connect.AuditServiceHandler = (*Handler)(nil)

// ListEvents implements AuditService.ListEvents.
func (h *Handler) ListEvents(ctx context.Context, req *connect.Request[auditv1.ListEventsRequest]) (*connect.Response[auditv1.ListEventsResponse], error) {
	m := req.Msg
	// The auth guard checks this before the handler runs; checked again
	// because the read is scoped to whatever tenant the request names, so
	// a server wired without the guard would otherwise show any tenant's
	// log to anyone.
	if p := auth.FromContext(ctx); !p.CanActOn(m.GetTenantId()) {
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s may not read the audit log of tenant %q", p.Actor(), m.GetTenantId()))
	}
	f := Filter{Principal: m.GetPrincipal(), Procedure: m.GetProcedure(), Code: m.GetCode(),
		PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()}
	if m.From != nil {
		f.From = m.GetFrom().AsTime()
	}
	if m.To != nil {
		f.To = m.GetTo().AsTime()
	}
	evs, next, err := h.svc.List(ctx, m.GetTenantId(), f)
	if err != nil {
		return nil, ledger.ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	out := &auditv1.ListEventsResponse{NextPageToken: next, Events: make([]*auditv1.AuditEvent, len(evs))}
	for i, e := range evs {
		out.Events[i] = &auditv1.AuditEvent{TenantId: e.TenantID, Id: e.ID, At: timestamppb.New(e.At),
			Principal: e.Principal, Roles: e.Roles, Procedure: e.Procedure, RequestId: e.RequestID,
			IdempotencyKey: e.IdempotencyKey, Code: e.Code, Detail: e.Detail, ClientIp: e.ClientIP}
	}
	return connect.NewResponse(out), nil
}
