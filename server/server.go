package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/otelconnect"
	"connectrpc.com/validate"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server hosts Connect services and plain HTTP handlers on one port. Build it
// with [New], register handlers, then call [Server.Serve] or
// [Server.ListenAndServe] once.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	options []connect.HandlerOption
	health  *grpchealth.StaticChecker

	mu       sync.Mutex
	services []string // fully-qualified names, for reflection and health
}

// New builds a Server with reflection, health, /metrics and /healthz already
// mounted. It returns an error when cfg does not validate.
// interceptors drops the absent ones.
func interceptors(all ...connect.Interceptor) []connect.Interceptor {
	var out []connect.Interceptor
	for _, i := range all {
		if i != nil {
			out = append(out, i)
		}
	}
	return out
}

// compressMinBytes is the smallest reply the server gzips when a client accepts it.
const compressMinBytes = 4 << 10

func New(cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	tracing, err := otelconnect.NewInterceptor(
		// Metrics are Prometheus's job below; otel metrics would only
		// duplicate them into a provider nobody reads.
		otelconnect.WithoutMetrics(),
	)
	if err != nil {
		return nil, fmt.Errorf("server: otel interceptor: %w", err)
	}
	registry, metrics := newRegistry()
	s := &Server{
		cfg:    cfg,
		log:    log,
		mux:    http.NewServeMux(),
		health: grpchealth.NewStaticChecker(),
		options: []connect.HandlerOption{
			// Outermost first. Validation is innermost so that rejected
			// requests still get a span, a count and a log line.
			connect.WithInterceptors(interceptors(tracing, metrics, &rpcLogger{log: log}, cfg.Guard, validate.NewInterceptor())...),
			// Per message rather than per body: a whole-body limit would
			// also cut long-lived streams such as reflection.
			connect.WithReadMaxBytes(int(cfg.MaxRequestBytes)),
			// Gzip costs more CPU than it saves bandwidth on small replies
			// (a posted voucher is a few hundred bytes); compress only
			// replies worth it.
			connect.WithCompressMinBytes(compressMinBytes),
		},
	}

	s.Register(grpchealth.NewHandler(s.health, s.options...))
	reflector := grpcreflect.NewReflector(grpcreflect.NamerFunc(s.serviceNames))
	s.mountConnect(grpcreflect.NewHandlerV1(reflector, s.options...))
	// v1alpha still serves older grpcurl and Postman builds.
	s.mountConnect(grpcreflect.NewHandlerV1Alpha(reflector, s.options...))

	s.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}))
	s.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	}))
	return s, nil
}

// HandlerOptions returns the options every Connect handler of the binary
// must be built with: tracing, metrics, logging, protovalidate and the
// request size limit, e.g.
// ledgerv1connect.NewLedgerServiceHandler(impl, srv.HandlerOptions()...).
func (s *Server) HandlerOptions() []connect.HandlerOption {
	return slices.Clone(s.options)
}

// Register mounts a Connect service at path, as returned by a generated
// New…ServiceHandler ("/munim.ledger.v1.LedgerService/"), and announces the
// service through gRPC reflection and health (SERVING). Call it before
// serving. Like [http.ServeMux.Handle], it panics on a malformed or
// duplicate path: both are programming errors seen at start-up.
func (s *Server) Register(path string, h http.Handler) {
	name := strings.Trim(path, "/")
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || name == "" || strings.Contains(name, "/") {
		panic(fmt.Sprintf("server: register %q: want a Connect service path like /pkg.v1.Service/", path))
	}
	s.mountConnect(path, h)
	s.mu.Lock()
	s.services = append(s.services, name)
	s.mu.Unlock()
	s.health.SetStatus(name, grpchealth.StatusServing)
}

// mountConnect mounts without the body limit of Handle: Connect enforces its
// own per-message limit from HandlerOptions.
func (s *Server) mountConnect(path string, h http.Handler) {
	s.mux.Handle(path, h)
}

// Services lists the fully qualified names of every gRPC service the server
// answers: the registered ones, health, and reflection (v1 and v1alpha).
// The auth policy test walks it.
func (s *Server) Services() []string {
	return append(s.serviceNames(), "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection")
}

func (s *Server) serviceNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.services)
}

// Handle mounts a plain HTTP handler (webhooks, pages) under an
// [http.ServeMux] pattern. Bodies above MaxRequestBytes are refused: with
// 413 up front when Content-Length says so, otherwise by failing the
// handler's read with an [*http.MaxBytesError], which the handler should
// answer with 413.
func (s *Server) Handle(pattern string, h http.Handler) {
	limit := s.cfg.MaxRequestBytes
	limited := http.MaxBytesHandler(h, limit)
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
			return
		}
		limited.ServeHTTP(w, r)
	}))
}

// Handler returns every mounted handler as one, for httptest servers in
// tests. Serving it directly skips the timeouts and h2c of [Server.Serve].
func (s *Server) Handler() http.Handler {
	return s.mux
}

// ListenAndServe listens on Config.Addr and serves like [Server.Serve].
func (s *Server) ListenAndServe(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves HTTP/1.1 and cleartext HTTP/2 on ln until ctx is done, then
// shuts down gracefully: health turns NOT_SERVING, the listener closes, and
// in-flight requests get up to ShutdownTimeout to finish. It returns nil
// after a clean shutdown, and an error if serving failed or in-flight
// requests outlived ShutdownTimeout (their connections are then closed).
// Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	// gRPC clients speak HTTP/2 only, and behind a TLS-terminating proxy
	// there is no TLS here to negotiate it: h2c with prior knowledge.
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler:           s.mux,
		Protocols:         &protocols,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		// Requests keep ctx's values but not its cancellation: cancelling
		// ctx starts a graceful shutdown, it must not abort the in-flight
		// requests that shutdown is waiting for.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.InfoContext(ctx, "serving", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-served:
		return fmt.Errorf("server: serve: %w", err)
	case <-ctx.Done():
	}

	s.log.InfoContext(ctx, "shutting down", slog.Duration("timeout", s.cfg.ShutdownTimeout))
	// Tell load balancers to stop routing here while in-flight work drains.
	s.health.SetStatus("", grpchealth.StatusNotServing)
	for _, name := range s.serviceNames() {
		s.health.SetStatus(name, grpchealth.StatusNotServing)
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	if shutdownErr != nil {
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: serve: %w", err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("server: shutdown: %w", shutdownErr)
	}
	s.log.InfoContext(ctx, "shut down")
	return nil
}
