package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/timestamppb"

	accessv1 "github.com/munimhq/munim/gen/pb/munim/access/v1"
	"github.com/munimhq/munim/gen/pb/munim/access/v1/accessv1connect"
)

// KeyHandler serves munim.access.v1.ApiKeyService.
type KeyHandler struct {
	keys *KeyStore
	log  *slog.Logger
}

// NewKeyHandler returns the Connect path and handler of the API key service.
func NewKeyHandler(keys *KeyStore, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return accessv1connect.NewApiKeyServiceHandler(&KeyHandler{keys: keys, log: log}, opts...)
}

var _ accessv1connect.ApiKeyServiceHandler = (*KeyHandler)(nil)

// toConnect maps this package's errors to Connect codes, once.
func (h *KeyHandler) toConnect(ctx context.Context, procedure string, err error) error {
	var ie *InvalidError
	switch {
	case errors.As(err, &ie):
		cerr := connect.NewError(connect.CodeInvalidArgument, err)
		if d, derr := connect.NewErrorDetail(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: ie.Field, Description: ie.Rule}}}); derr == nil {
			cerr.AddDetail(d)
		}
		return cerr
	case errors.Is(err, ErrKeyNotFound):
		return connect.NewError(connect.CodeNotFound, err)
	}
	h.log.ErrorContext(ctx, "internal error", "procedure", procedure, "err", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error; the server log has the details"))
}

func keyOut(k APIKey) *accessv1.ApiKey {
	ts := func(t *time.Time) *timestamppb.Timestamp {
		if t == nil {
			return nil
		}
		return timestamppb.New(*t)
	}
	return &accessv1.ApiKey{TenantId: k.TenantID, KeyId: k.KeyID, Name: k.Name, Scopes: k.Scopes, CreatedBy: k.CreatedBy,
		CreatedAt: timestamppb.New(k.CreatedAt), RevokedAt: ts(k.RevokedAt), LastUsedAt: ts(k.LastUsedAt)}
}

// CreateApiKey implements ApiKeyService.CreateApiKey.
func (h *KeyHandler) CreateApiKey(ctx context.Context, req *connect.Request[accessv1.CreateApiKeyRequest]) (*connect.Response[accessv1.CreateApiKeyResponse], error) {
	k, secret, err := h.keys.Create(ctx, req.Msg.GetTenantId(), req.Msg.GetName(), req.Msg.GetScopes(), Actor(ctx))
	if err != nil {
		return nil, h.toConnect(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&accessv1.CreateApiKeyResponse{ApiKey: keyOut(k), Key: secret}), nil
}

// ListApiKeys implements ApiKeyService.ListApiKeys.
func (h *KeyHandler) ListApiKeys(ctx context.Context, req *connect.Request[accessv1.ListApiKeysRequest]) (*connect.Response[accessv1.ListApiKeysResponse], error) {
	ks, err := h.keys.List(ctx, req.Msg.GetTenantId())
	if err != nil {
		return nil, h.toConnect(ctx, req.Spec().Procedure, err)
	}
	out := &accessv1.ListApiKeysResponse{}
	for _, k := range ks {
		out.ApiKeys = append(out.ApiKeys, keyOut(k))
	}
	return connect.NewResponse(out), nil
}

// RevokeApiKey implements ApiKeyService.RevokeApiKey.
func (h *KeyHandler) RevokeApiKey(ctx context.Context, req *connect.Request[accessv1.RevokeApiKeyRequest]) (*connect.Response[accessv1.RevokeApiKeyResponse], error) {
	k, err := h.keys.Revoke(ctx, req.Msg.GetTenantId(), req.Msg.GetKeyId(), Actor(ctx))
	if err != nil {
		return nil, h.toConnect(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&accessv1.RevokeApiKeyResponse{ApiKey: keyOut(k)}), nil
}
