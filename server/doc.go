// Package server owns the HTTP server that hosts every Connect service of
// the munim binary, and the cross-cutting concerns shared by all of them:
// HTTP/1.1 and cleartext HTTP/2 (h2c) on one port, timeouts and request size
// limits, gRPC reflection and health, Prometheus metrics at /metrics,
// OpenTelemetry tracing, one log line per RPC, protovalidate at the edge, and
// graceful shutdown.
//
// Domain packages build their own Connect handlers with the options from
// [Server.HandlerOptions] and hand them to [Server.Register]; plain HTTP
// handlers go through [Server.Handle].
//
// This package must never hold business logic and must never map domain
// errors to Connect codes: each domain package maps its own errors, so the
// meaning of an error stays next to the code that raises it. It must never
// log request or response bodies either: they carry citizens' and vendors'
// data.
package server
