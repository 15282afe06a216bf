package server

// TracingWanted exposes the tracing decision to the external tests without
// widening the package's API.
var TracingWanted = tracingWanted
