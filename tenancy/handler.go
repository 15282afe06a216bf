package tenancy

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
	tenancyv1 "github.com/munimhq/munim/gen/pb/munim/tenancy/v1"
	"github.com/munimhq/munim/gen/pb/munim/tenancy/v1/tenancyv1connect"
	"github.com/munimhq/munim/ledger"
)

// Handler serves munim.tenancy.v1.TenantService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the tenant service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return tenancyv1connect.NewTenantServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ tenancyv1connect.TenantServiceHandler = (*Handler)(nil)

func tenantOut(t Tenant) *tenancyv1.Tenant {
	return &tenancyv1.Tenant{TenantId: t.ID, Name: t.Name, StateCode: t.StateCode, CreatedAt: timestamppb.New(t.CreatedAt)}
}

// CreateTenant implements TenantService.CreateTenant.
func (h *Handler) CreateTenant(ctx context.Context, req *connect.Request[tenancyv1.CreateTenantRequest]) (*connect.Response[tenancyv1.CreateTenantResponse], error) {
	m := req.Msg
	t, err := h.svc.Create(ctx, m.GetTenantId(), m.GetName(), int(m.GetFiscalYear()), auth.Actor(ctx))
	if err != nil {
		return nil, ledger.ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&tenancyv1.CreateTenantResponse{Tenant: tenantOut(t)}), nil
}

// GetTenant implements TenantService.GetTenant.
func (h *Handler) GetTenant(ctx context.Context, req *connect.Request[tenancyv1.GetTenantRequest]) (*connect.Response[tenancyv1.GetTenantResponse], error) {
	t, err := h.svc.Get(ctx, req.Msg.GetTenantId())
	if err != nil {
		return nil, ledger.ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&tenancyv1.GetTenantResponse{Tenant: tenantOut(t)}), nil
}

// ListTenants implements TenantService.ListTenants.
func (h *Handler) ListTenants(ctx context.Context, req *connect.Request[tenancyv1.ListTenantsRequest]) (*connect.Response[tenancyv1.ListTenantsResponse], error) {
	// Only the tenants the caller may see: row-level security enforces it.
	scope := db.Scope(strings.Join(auth.FromContext(ctx).TenantsOrNone(), ","))
	ts, next, err := h.svc.List(ctx, scope, req.Msg.GetStateCode(), req.Msg.GetPageToken(), int(req.Msg.GetPageSize()))
	if err != nil {
		return nil, ledger.ToConnect(ctx, h.log, req.Spec().Procedure, err)
	}
	out := &tenancyv1.ListTenantsResponse{NextPageToken: next}
	for _, t := range ts {
		out.Tenants = append(out.Tenants, tenantOut(t))
	}
	return connect.NewResponse(out), nil
}
