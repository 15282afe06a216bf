package server

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// rpcMetrics counts and times every RPC a handler serves. Procedures are
// bounded labels: only mounted procedures reach an interceptor, unknown paths
// end at the mux as 404.
type rpcMetrics struct {
	handled  *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newRegistry builds a registry of the server's own rather than using the
// global default one, so that tests (and a second server in one process)
// never collide on registration.
func newRegistry() (*prometheus.Registry, *rpcMetrics) {
	reg := prometheus.NewRegistry()
	m := &rpcMetrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "munim",
			Subsystem: "rpc",
			Name:      "server_handled_total",
			Help:      "RPCs completed by the server, by procedure and Connect code (ok on success).",
		}, []string{"procedure", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "munim",
			Subsystem: "rpc",
			Name:      "server_handling_seconds",
			Help:      "Time the handler took to complete an RPC, by procedure.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"procedure"}),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.handled,
		m.duration,
	)
	return reg, m
}

func (m *rpcMetrics) observe(procedure string, start time.Time, err error) {
	m.handled.WithLabelValues(procedure, codeLabel(err)).Inc()
	m.duration.WithLabelValues(procedure).Observe(time.Since(start).Seconds())
}

// codeLabel names the outcome of an RPC. connect.CodeOf(nil) is "unknown",
// which would count successes as failures, hence the explicit "ok".
func codeLabel(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

// WrapUnary implements connect.Interceptor.
func (m *rpcMetrics) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		start := time.Now()
		res, err := next(ctx, req)
		m.observe(req.Spec().Procedure, start, err)
		return res, err
	}
}

// WrapStreamingClient implements connect.Interceptor; the server's options
// are only for handlers, so clients pass through.
func (m *rpcMetrics) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (m *rpcMetrics) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		m.observe(conn.Spec().Procedure, start, err)
		return err
	}
}
