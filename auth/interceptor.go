package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/time/rate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Guard is the Connect interceptor that authenticates every call, checks
// it against Procedures and the principal's tenants, rate-limits public
// calls per client address, and writes the audit log: every mutating call,
// allowed, failed or denied, and every denied read.
type Guard struct {
	tokens *Verifier // nil: no staff tokens accepted
	keys   *KeyStore // nil: no API keys accepted
	audit  Recorder
	log    *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	limits  map[string]*rate.Limiter
	perSec  rate.Limit
	burst   int
	cleaned time.Time
}

// GuardConfig configures a Guard.
type GuardConfig struct {
	Tokens *Verifier // verifies staff bearer tokens; nil refuses them
	Keys   *KeyStore // verifies department apps' API keys; nil refuses them
	Audit  Recorder  // required
	Log    *slog.Logger
	Now    func() time.Time // default time.Now
	// PublicRate and PublicBurst limit public calls per client address.
	// Defaults: 10 a second, bursts of 20.
	PublicRate  float64
	PublicBurst int
}

// NewGuard returns the interceptor.
func NewGuard(cfg GuardConfig) (*Guard, error) {
	if cfg.Audit == nil {
		return nil, errors.New("auth: a Guard needs an audit Recorder")
	}
	g := &Guard{tokens: cfg.Tokens, keys: cfg.Keys, audit: cfg.Audit, log: cfg.Log, now: cfg.Now,
		limits: map[string]*rate.Limiter{}, perSec: rate.Limit(cfg.PublicRate), burst: cfg.PublicBurst}
	if g.log == nil {
		g.log = slog.Default()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.perSec == 0 {
		g.perSec = 10
	}
	if g.burst == 0 {
		g.burst = 20
	}
	return g, nil
}

var _ connect.Interceptor = (*Guard)(nil)

// call is what the guard learns about a request before letting it through.
type call struct {
	procedure string
	perm      Permission
	mutating  bool
	tenant    string
	keys      string
	requestID string
	clientIP  string
	principal *Principal
}

// WrapUnary implements connect.Interceptor.
func (g *Guard) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		c := g.describe(req.Spec(), req.Header(), req.Peer())
		if msg, ok := req.Any().(proto.Message); ok {
			c.tenant, c.keys = tenantAndKeys(msg)
		}
		ctx, err := g.admit(ctx, &c, req.Header())
		if err != nil {
			g.record(ctx, c, err)
			return nil, err
		}
		var slot *AuditSlot
		if c.mutating {
			slot = &AuditSlot{Event: g.event(c, nil)}
			ctx = context.WithValue(ctx, slotKey{}, slot)
		}
		res, err := next(ctx, req)
		if c.mutating && !(err == nil && slot.written.Load()) {
			if aerr := g.record(ctx, c, err); aerr != nil && err == nil {
				// The change is made, but unrecorded: say so rather than
				// pretend all is well.
				return nil, connect.NewError(connect.CodeInternal, errors.New("the change was made but could not be written to the audit log; the server log has the details"))
			}
		}
		return res, err
	}
}

// WrapStreamingClient implements connect.Interceptor; the server makes no client calls.
func (g *Guard) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor. Streams (reflection,
// health watch) carry no tenant; they are checked against Procedures alone.
func (g *Guard) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		c := g.describe(conn.Spec(), conn.RequestHeader(), conn.Peer())
		ctx, err := g.admit(ctx, &c, conn.RequestHeader())
		if err != nil {
			g.record(ctx, c, err)
			return err
		}
		return next(ctx, conn)
	}
}

func (g *Guard) describe(spec connect.Spec, h http.Header, peer connect.Peer) call {
	perm, known := Procedures[spec.Procedure]
	if !known {
		perm = ""
	}
	c := call{procedure: spec.Procedure, perm: perm,
		mutating:  spec.IdempotencyLevel != connect.IdempotencyNoSideEffects,
		requestID: h.Get("X-Request-Id"), clientIP: hostOf(peer.Addr)}
	if c.requestID == "" || len(c.requestID) > 100 {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		c.requestID = hex.EncodeToString(b)
	}
	return c
}

// admit authenticates and authorises the call, returning the context that
// carries its principal.
func (g *Guard) admit(ctx context.Context, c *call, h http.Header) (context.Context, error) {
	if c.perm == "" {
		return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s has no permission rule: denied", c.procedure))
	}
	p, err := g.authenticate(ctx, h)
	if err != nil {
		return ctx, connect.NewError(connect.CodeUnauthenticated, err)
	}
	c.principal = p
	if c.perm == PermPublic {
		if !g.allowPublic(c.clientIP) {
			return ctx, connect.NewError(connect.CodeResourceExhausted, errors.New("too many requests from this address; slow down"))
		}
		return WithPrincipal(ctx, p), nil
	}
	if p == nil {
		return ctx, connect.NewError(connect.CodeUnauthenticated, errors.New("credentials required: send Authorization: Bearer <token or API key>"))
	}
	if !p.Allows(c.perm) {
		return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s may not %s", p.Actor(), c.perm))
	}
	if c.tenant != "" && !p.CanActOn(c.tenant) {
		return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s may not act on tenant %q", p.Actor(), c.tenant))
	}
	return WithPrincipal(ctx, p), nil
}

// authenticate reads the Authorization header: a department app's API key
// ("mk_...") or a staff token. No header means an anonymous caller (nil).
func (g *Guard) authenticate(ctx context.Context, h http.Header) (*Principal, error) {
	v := h.Get("Authorization")
	if v == "" {
		return nil, nil
	}
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || cred == "" {
		return nil, fmt.Errorf("%w: Authorization must be \"Bearer <credential>\"", ErrUnauthenticated)
	}
	if strings.HasPrefix(cred, keyPrefix) {
		if g.keys == nil {
			return nil, fmt.Errorf("%w: API keys are not accepted here", ErrUnauthenticated)
		}
		return g.keys.Authenticate(ctx, cred)
	}
	if g.tokens == nil {
		return nil, fmt.Errorf("%w: bearer tokens are not accepted here", ErrUnauthenticated)
	}
	return g.tokens.Verify(ctx, cred)
}

// allowPublic applies the per-address limit on public calls. Limiters of
// addresses idle for ten minutes are dropped, so the map stays small.
func (g *Guard) allowPublic(ip string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if now.Sub(g.cleaned) > 10*time.Minute {
		for k, l := range g.limits {
			if l.TokensAt(now) >= float64(g.burst) {
				delete(g.limits, k)
			}
		}
		g.cleaned = now
	}
	l := g.limits[ip]
	if l == nil {
		l = rate.NewLimiter(g.perSec, g.burst)
		g.limits[ip] = l
	}
	return l.AllowN(now, 1)
}

// record writes the call to the audit log when it changed (or tried to
// change) something, or when it was refused.
func (g *Guard) record(ctx context.Context, c call, callErr error) error {
	code := "ok"
	if callErr != nil {
		code = connect.CodeOf(callErr).String()
	}
	denied := code == connect.CodeUnauthenticated.String() || code == connect.CodePermissionDenied.String()
	if !c.mutating && !denied {
		return nil
	}
	e := g.event(c, callErr)
	// The audit entry is written even if the caller has gone away.
	if err := g.audit.Record(context.WithoutCancel(ctx), e); err != nil {
		g.log.ErrorContext(ctx, "audit log write failed", "procedure", c.procedure, "request_id", c.requestID, "err", err)
		return err
	}
	return nil
}

// event is the audit entry of a call that ended with callErr (nil: ok).
func (g *Guard) event(c call, callErr error) Event {
	e := Event{TenantID: c.tenant, Principal: c.principal.Actor(), Procedure: c.procedure,
		RequestID: c.requestID, IdempotencyKey: c.keys, Code: "ok", ClientIP: c.clientIP, At: g.now()}
	if c.principal != nil {
		for _, r := range c.principal.Roles {
			e.Roles = append(e.Roles, string(r))
		}
	}
	if callErr != nil {
		e.Code = connect.CodeOf(callErr).String()
		e.Detail = detailOf(callErr)
	}
	return CleanEvent(e, e.At)
}

// detailOf keeps an error's message for the audit log, bounded.
func detailOf(err error) string {
	msg := err.Error()
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg = ce.Message()
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}

// tenantAndKeys reads the request's tenant_id and idempotency key(s), by
// field name, from any request message: top-level idempotency_key, or the
// keys of a repeated field's messages (PostVouchers' vouchers).
func tenantAndKeys(msg proto.Message) (tenant, keys string) {
	m := msg.ProtoReflect()
	fields := m.Descriptor().Fields()
	if f := fields.ByName("tenant_id"); f != nil && f.Kind() == protoreflect.StringKind {
		tenant = m.Get(f).String()
	}
	if f := fields.ByName("idempotency_key"); f != nil && f.Kind() == protoreflect.StringKind {
		return tenant, m.Get(f).String()
	}
	var ks []string
	for i := range fields.Len() {
		f := fields.Get(i)
		if !f.IsList() || f.Kind() != protoreflect.MessageKind {
			continue
		}
		kf := f.Message().Fields().ByName("idempotency_key")
		if kf == nil {
			continue
		}
		list := m.Get(f).List()
		for j := range list.Len() {
			ks = append(ks, list.Get(j).Message().Get(kf).String())
		}
	}
	keys = strings.Join(ks, ",")
	if len(keys) > 1000 {
		keys = keys[:1000]
	}
	return tenant, keys
}

func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// LimitPublic puts h, a plain HTTP page anyone may open (such as the
// receipt verification page), under the same per-address limit as public
// calls: past it, the page answers 429.
func (g *Guard) LimitPublic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.allowPublic(hostOf(r.RemoteAddr)) {
			http.Error(w, "too many requests from this address; slow down", http.StatusTooManyRequests)
			return
		}
		h.ServeHTTP(w, r)
	})
}
