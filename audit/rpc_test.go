package audit_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/audit"
	"github.com/munimhq/munim/auth"
	auditv1 "github.com/munimhq/munim/gen/pb/munim/audit/v1"
	"github.com/munimhq/munim/gen/pb/munim/audit/v1/auditv1connect"
	"github.com/munimhq/munim/server"
)

// testTenantsHeader stands in for the auth guard: it names the tenants the
// caller's principal (an auditor) may act on; without it the caller is
// anonymous.
const testTenantsHeader = "Test-Tenants"

func asTestPrincipal() connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if ts := req.Header().Get(testTenantsHeader); ts != "" {
				ctx = auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, Subject: "meera",
					Roles: []auth.Role{auth.RoleAuditor}, Tenants: strings.Split(ts, ",")})
			}
			return next(ctx, req)
		}
	}
}

// setupRPC serves the audit service from an in-process HTTP server, through
// the server's real interceptors, over a database holding seedLog's events.
func setupRPC(t *testing.T) auditv1connect.AuditServiceClient {
	t.Helper()
	b := setup(t)
	seedLog(t, b)
	srv, err := server.New(server.Config{}, b.log)
	require.NoError(t, err)
	opts := append(srv.HandlerOptions(), connect.WithInterceptors(asTestPrincipal()))
	srv.Register(audit.NewHandler(b.svc, b.log, opts...))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return auditv1connect.NewAuditServiceClient(hs.Client(), hs.URL)
}

func listAs(tenants string, m *auditv1.ListEventsRequest) *connect.Request[auditv1.ListEventsRequest] {
	req := connect.NewRequest(m)
	if tenants != "" {
		req.Header().Set(testTenantsHeader, tenants)
	}
	return req
}

func TestRPCListEvents(t *testing.T) {
	t.Parallel()
	client := setupRPC(t)
	ctx := context.Background()

	t.Run("pages through the tenant's events, newest first", func(t *testing.T) {
		req := &auditv1.ListEventsRequest{TenantId: tenant, From: timestamppb.New(t0.Add(-time.Hour)),
			To: timestamppb.New(t0.Add(24 * time.Hour)), PageSize: 3}
		first, err := client.ListEvents(ctx, listAs(tenant, req))
		require.NoError(t, err)
		require.Len(t, first.Msg.Events, 3)
		require.NotEmpty(t, first.Msg.NextPageToken)
		e := first.Msg.Events[0]
		assert.Equal(t, "r5", e.RequestId)
		assert.Equal(t, tenant, e.TenantId)
		assert.Positive(t, e.Id)
		assert.Equal(t, "user:asha", e.Principal)
		assert.Equal(t, []string{"accountant"}, e.Roles)
		assert.Equal(t, postVouchers, e.Procedure)
		assert.Equal(t, "k-r5", e.IdempotencyKey)
		assert.Equal(t, "ok", e.Code)
		assert.Equal(t, "10.0.0.7", e.ClientIp)
		assert.True(t, t0.Add(4*time.Hour).Equal(e.At.AsTime()))

		req.PageToken = first.Msg.NextPageToken
		second, err := client.ListEvents(ctx, listAs(tenant, req))
		require.NoError(t, err)
		var ids []string
		for _, e := range second.Msg.Events {
			ids = append(ids, e.RequestId)
		}
		assert.Equal(t, []string{"r2", "r1"}, ids)
		assert.Empty(t, second.Msg.NextPageToken)
	})

	t.Run("filters reach the query", func(t *testing.T) {
		res, err := client.ListEvents(ctx, listAs("uk.*", &auditv1.ListEventsRequest{TenantId: tenant,
			From: timestamppb.New(t0.Add(-time.Hour)), Principal: "user:ravi", Code: "permission_denied"}))
		require.NoError(t, err)
		require.Len(t, res.Msg.Events, 1)
		assert.Equal(t, "r4", res.Msg.Events[0].RequestId)
	})

	cases := []struct {
		name    string
		tenants string
		req     *auditv1.ListEventsRequest
		code    connect.Code
	}{
		{"another tenant's log", other, &auditv1.ListEventsRequest{TenantId: tenant}, connect.CodePermissionDenied},
		{"an anonymous caller", "", &auditv1.ListEventsRequest{TenantId: tenant}, connect.CodePermissionDenied},
		{"no tenant (protovalidate)", tenant, &auditv1.ListEventsRequest{}, connect.CodeInvalidArgument},
		{"page too large (protovalidate)", tenant, &auditv1.ListEventsRequest{TenantId: tenant, PageSize: 5000}, connect.CodeInvalidArgument},
		{"to before from (protovalidate)", tenant, &auditv1.ListEventsRequest{TenantId: tenant,
			From: timestamppb.New(t0), To: timestamppb.New(t0.Add(-time.Hour))}, connect.CodeInvalidArgument},
		{"a forged page token (domain)", tenant, &auditv1.ListEventsRequest{TenantId: tenant, PageToken: "Zm9v"}, connect.CodeInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.ListEvents(ctx, listAs(c.tenants, c.req))
			require.Error(t, err)
			assert.Equal(t, c.code, connect.CodeOf(err), "%v", err)
		})
	}
}
