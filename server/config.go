package server

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"time"

	"connectrpc.com/connect"
)

// Config is the configuration of a [Server]. The zero value is usable: every
// zero field takes the default documented on it.
type Config struct {
	// Addr is the TCP address ListenAndServe listens on.
	// Default "127.0.0.1:8080": loopback, so that exposing the server is a
	// deliberate choice.
	Addr string

	// ReadHeaderTimeout bounds the time to read request headers, the
	// defence against slow-loris clients. Default 5s.
	ReadHeaderTimeout time.Duration

	// ReadTimeout bounds the time to read a whole request, body included.
	// Default 30s.
	ReadTimeout time.Duration

	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response. It also ends long-lived streams, so keep it
	// above the longest streaming RPC. Default 60s.
	WriteTimeout time.Duration

	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request. Default 120s.
	IdleTimeout time.Duration

	// Guard runs on every RPC after tracing, metrics and logging (so refused
	// calls are still seen) and before validation (so nobody learns a
	// request's rules before proving who they are): authentication,
	// authorisation and the audit log. Nil: none (tests of this package).
	Guard connect.Interceptor

	// MaxRequestBytes is the largest request message a Connect handler
	// accepts (ResourceExhausted above it) and the largest body a plain
	// handler may read (413 above it). Default 8 MiB.
	MaxRequestBytes int64

	// ShutdownTimeout bounds how long Serve waits for in-flight requests
	// once its context is done. Default 15s.
	ShutdownTimeout time.Duration
}

// Validate reports whether c makes sense. Zero fields are valid: they take
// their defaults.
func (c Config) Validate() error {
	var errs []error
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("addr %q: %w", c.Addr, err))
		}
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{
		{"read header timeout", c.ReadHeaderTimeout},
		{"read timeout", c.ReadTimeout},
		{"write timeout", c.WriteTimeout},
		{"idle timeout", c.IdleTimeout},
		{"shutdown timeout", c.ShutdownTimeout},
	} {
		if d.value < 0 {
			errs = append(errs, fmt.Errorf("%s %s is negative", d.name, d.value))
		}
	}
	if c.MaxRequestBytes < 0 {
		errs = append(errs, fmt.Errorf("max request bytes %d is negative", c.MaxRequestBytes))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("server config: %w", err)
	}
	return nil
}

func (c Config) withDefaults() Config {
	c.Addr = cmp.Or(c.Addr, "127.0.0.1:8080")
	c.ReadHeaderTimeout = cmp.Or(c.ReadHeaderTimeout, 5*time.Second)
	c.ReadTimeout = cmp.Or(c.ReadTimeout, 30*time.Second)
	c.WriteTimeout = cmp.Or(c.WriteTimeout, 60*time.Second)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, 120*time.Second)
	c.MaxRequestBytes = cmp.Or(c.MaxRequestBytes, 8<<20)
	c.ShutdownTimeout = cmp.Or(c.ShutdownTimeout, 15*time.Second)
	return c
}
