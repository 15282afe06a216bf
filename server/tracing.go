package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// SetupTracing installs a global OpenTelemetry tracer provider when the
// standard OTEL_* environment variables ask for one: OTEL_TRACES_EXPORTER set
// to anything but "none", or OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set (OTEL_SDK_DISABLED=true wins over
// both). Otherwise it installs nothing, so tracing costs no exporter and no
// network: the otelconnect interceptor in [Server.HandlerOptions] then
// records into the default no-op provider.
//
// Call it once at start-up, before serving. The returned shutdown flushes
// buffered spans; it is never nil, so callers can defer it unconditionally.
func SetupTracing(ctx context.Context, log *slog.Logger) (shutdown func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if !tracingWanted(os.Getenv) {
		log.DebugContext(ctx, "tracing off: no OTEL_* variable asks for an exporter")
		return noop, nil
	}
	exporter, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return noop, fmt.Errorf("tracing: span exporter: %w", err)
	}
	// service.name "munim" is only a fallback: WithFromEnv comes after it so
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "munim")),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return noop, fmt.Errorf("tracing: resource: %w", err)
	}
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
	)
	otel.SetTracerProvider(provider)
	// Without a propagator, incoming traceparent headers are ignored and
	// every RPC starts a new trace.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{},
		propagation.Baggage{},
	))
	log.InfoContext(ctx, "tracing on", slog.String("exporter", cmp.Or(os.Getenv("OTEL_TRACES_EXPORTER"), "otlp")))
	return provider.Shutdown, nil
}

// tracingWanted takes getenv as a parameter so tests can decide without
// touching the process environment, which would forbid parallel tests.
func tracingWanted(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); {
	case exporter == "none":
		return false
	case exporter != "":
		return true
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" ||
		getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}
