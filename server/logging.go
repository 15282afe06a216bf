package server

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
)

// rpcLogger writes one line per RPC. It logs the procedure, the outcome and
// the duration, never a message: request bodies carry personal and
// financial data that must not end up in log storage.
type rpcLogger struct {
	log *slog.Logger
}

func (l *rpcLogger) record(ctx context.Context, spec connect.Spec, peer connect.Peer, start time.Time, err error) {
	level := slog.LevelInfo
	if code := connect.CodeOf(err); err != nil && (code == connect.CodeInternal || code == connect.CodeUnknown) {
		// Other codes are the client's doing or the domain's expected
		// refusals; these two mean a bug or an outage worth a look.
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("procedure", spec.Procedure),
		slog.String("protocol", peer.Protocol),
		slog.String("code", codeLabel(err)),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		// Domain packages put generic messages on client-facing errors, so
		// the error text is safe to keep; it is what an operator needs.
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.log.LogAttrs(ctx, level, "rpc", attrs...)
}

// WrapUnary implements connect.Interceptor.
func (l *rpcLogger) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		start := time.Now()
		res, err := next(ctx, req)
		l.record(ctx, req.Spec(), req.Peer(), start, err)
		return res, err
	}
}

// WrapStreamingClient implements connect.Interceptor; the server's options
// are only for handlers, so clients pass through.
func (l *rpcLogger) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (l *rpcLogger) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		l.record(ctx, conn.Spec(), conn.Peer(), start, err)
		return err
	}
}
