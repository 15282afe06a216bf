package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/munimhq/munim/server"
)

// The echo service stands in for a domain service: the real protos are
// written elsewhere, and any proto message goes through the same
// interceptors.
const (
	echoService   = "munim.test.v1.EchoService"
	echoProcedure = "/" + echoService + "/Echo"
)

// Messages the echo handler treats as commands.
const (
	echoFail  = "fail"  // answer Internal
	echoBlock = "block" // wait for release or cancellation
)

type echo struct {
	started chan struct{} // receives once per blocking call
	release chan struct{} // closed to let blocking calls finish
}

func (e *echo) handler(opts ...connect.HandlerOption) (string, http.Handler) {
	mux := http.NewServeMux()
	mux.Handle(echoProcedure, connect.NewUnaryHandler(echoProcedure,
		func(ctx context.Context, req *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			switch req.Msg.GetValue() {
			case echoFail:
				return nil, connect.NewError(connect.CodeInternal, errors.New("echo failed"))
			case echoBlock:
				e.started <- struct{}{}
				select {
				case <-e.release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return connect.NewResponse(req.Msg), nil
		},
		opts...,
	))
	return "/" + echoService + "/", mux
}

// lockedBuffer lets the test read logs while handlers write them.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testBundle struct {
	srv  *server.Server
	echo *echo
	logs *lockedBuffer
	url  string // an httptest server over srv.Handler()
}

// setup builds a server with the echo service and an /upload plain handler
// (which answers 413 when its read hits the limit, as Handle asks of plain
// handlers), served by httptest.
func setup(t *testing.T, cfg server.Config) *testBundle {
	t.Helper()
	logs := &lockedBuffer{}
	srv, err := server.New(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	require.NoError(t, err)

	e := &echo{started: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(func() { close(e.release) })
	srv.Register(e.handler(srv.HandlerOptions()...))
	srv.Handle("POST /upload", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	srv.Handle("GET /proto", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.Proto))
	}))

	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testBundle{srv: srv, echo: e, logs: logs, url: ts.URL}
}

// serve runs srv.Serve on a loopback port, so a test goes through the real
// http.Server (h2c, timeouts, shutdown). stop cancels Serve's context and
// returns what Serve returned.
func serve(t *testing.T, srv *server.Server) (url string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			serveErr = <-served
		})
		return serveErr
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + ln.Addr().String(), stop
}

func h2cClient(t *testing.T) *http.Client {
	t.Helper()
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &protocols}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func echoClient(url string, httpClient *http.Client, opts ...connect.ClientOption) *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue] {
	return connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](httpClient, url+echoProcedure, opts...)
}

// healthCheck asks grpc.health.v1.Health/Check over the Connect protocol
// with JSON, as curl would, so the test needs no generated health types.
// grpchealth's bundled proto spells the enum SERVING_STATUS_*; on the gRPC
// wire only the numbers travel, so grpc_health_probe is unaffected.
func healthCheck(t *testing.T, url, service string) (httpStatus int, servingStatus string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"service": service})
	require.NoError(t, err)
	res, err := http.Post(url+"/grpc.health.v1.Health/Check", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		Status string `json:"status"`
	}
	if res.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	}
	return res.StatusCode, out.Status
}

func TestHealth(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})

	for _, tc := range []struct {
		name       string
		service    string
		wantHTTP   int
		wantStatus string
	}{
		{"whole process is serving", "", http.StatusOK, "SERVING_STATUS_SERVING"},
		{"registered service is serving", echoService, http.StatusOK, "SERVING_STATUS_SERVING"},
		{"health itself is registered", "grpc.health.v1.Health", http.StatusOK, "SERVING_STATUS_SERVING"},
		{"unknown service is not found", "munim.nope.v1.NopeService", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			httpStatus, status := healthCheck(t, b.url, tc.service)
			require.Equal(t, tc.wantHTTP, httpStatus)
			require.Equal(t, tc.wantStatus, status)
		})
	}
}

func TestReflectionListsRegisteredServices(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})
	url, _ := serve(t, b.srv)

	for _, tc := range []struct {
		name string
		path string // the reflection version the client is forced onto
	}{
		{"v1", "grpc.reflection.v1.ServerReflection"},
		{"v1alpha", "grpc.reflection.v1alpha.ServerReflection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// grpcreflect's client always tries v1 first; rewriting the path
			// proves the v1alpha mount answers on its own.
			// Recording the paths catches a silent fallback from v1 to v1alpha.
			var (
				mu    sync.Mutex
				paths []string
			)
			client := h2cClient(t)
			next := client.Transport
			client.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r.URL.Path = strings.Replace(r.URL.Path, "grpc.reflection.v1.ServerReflection", tc.path, 1)
				mu.Lock()
				paths = append(paths, r.URL.Path)
				mu.Unlock()
				return next.RoundTrip(r)
			})
			stream := grpcreflect.NewClient(client, url, connect.WithGRPC()).NewStream(t.Context())
			t.Cleanup(func() { _, _ = stream.Close() })

			names, err := stream.ListServices()
			require.NoError(t, err)
			require.ElementsMatch(t, []protoreflect.FullName{"grpc.health.v1.Health", echoService}, names)
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, []string{"/" + tc.path + "/ServerReflectionInfo"}, paths)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMetricsCountRPCs(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})
	client := echoClient(b.url, http.DefaultClient)

	_, err := client.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String("hello")))
	require.NoError(t, err)
	_, err = client.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(echoFail)))
	require.Equal(t, connect.CodeInternal, connect.CodeOf(err))

	res, err := http.Get(b.url + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	metrics := string(body)

	for _, want := range []string{
		`munim_rpc_server_handled_total{code="ok",procedure="` + echoProcedure + `"} 1`,
		`munim_rpc_server_handled_total{code="internal",procedure="` + echoProcedure + `"} 1`,
		`munim_rpc_server_handling_seconds_count{procedure="` + echoProcedure + `"} 2`,
		`go_goroutines `,
	} {
		require.Contains(t, metrics, want)
	}
}

func TestLoggingOneLinePerRPC(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})
	client := echoClient(b.url, http.DefaultClient)

	const secret = "IBAN-DE89370400440532013000"
	_, err := client.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(secret)))
	require.NoError(t, err)
	_, err = client.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(echoFail)))
	require.Error(t, err)

	type line struct {
		Level     string `json:"level"`
		Msg       string `json:"msg"`
		Procedure string `json:"procedure"`
		Code      string `json:"code"`
		Duration  *int64 `json:"duration"`
	}
	var rpcs []line
	for raw := range strings.Lines(b.logs.String()) {
		var l line
		require.NoError(t, json.Unmarshal([]byte(raw), &l))
		if l.Msg == "rpc" {
			require.NotNil(t, l.Duration, raw)
			l.Duration = nil
			rpcs = append(rpcs, l)
		}
	}
	require.Equal(t, []line{
		{Level: "INFO", Msg: "rpc", Procedure: echoProcedure, Code: "ok"},
		{Level: "WARN", Msg: "rpc", Procedure: echoProcedure, Code: "internal"},
	}, rpcs)
	require.NotContains(t, b.logs.String(), secret, "request bodies must never be logged")
}

func TestRequestSizeLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 10
	b := setup(t, server.Config{MaxRequestBytes: limit})
	small, large := strings.Repeat("a", limit/2), strings.Repeat("a", 2*limit)

	t.Run("connect message under the limit is served", func(t *testing.T) {
		t.Parallel()
		_, err := echoClient(b.url, http.DefaultClient).CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(small)))
		require.NoError(t, err)
	})
	t.Run("connect message over the limit is ResourceExhausted", func(t *testing.T) {
		t.Parallel()
		_, err := echoClient(b.url, http.DefaultClient).CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(large)))
		require.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(err))
	})
	t.Run("grpc message over the limit is ResourceExhausted", func(t *testing.T) {
		t.Parallel()
		url, _ := serve(t, b.srv)
		_, err := echoClient(url, h2cClient(t), connect.WithGRPC()).CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(large)))
		require.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(err))
	})

	for _, tc := range []struct {
		name string
		body func() io.Reader
		want int
	}{
		{"plain body under the limit is served", func() io.Reader { return strings.NewReader(small) }, http.StatusOK},
		{"plain body declared over the limit is 413", func() io.Reader { return strings.NewReader(large) }, http.StatusRequestEntityTooLarge},
		// Hiding the length makes the client send chunks, so only the
		// read limit can catch it.
		{"plain chunked body over the limit is 413", func() io.Reader { return io.MultiReader(strings.NewReader(large)) }, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := http.Post(b.url+"/upload", "application/octet-stream", tc.body())
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, tc.want, res.StatusCode)
		})
	}
}

func TestServeSpeaksHTTP1AndH2COnOnePort(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})
	url, _ := serve(t, b.srv)

	for _, tc := range []struct {
		name      string
		client    *http.Client
		wantProto string
	}{
		{"http/1.1", &http.Client{Transport: &http.Transport{}}, "HTTP/1.1"},
		{"h2c with prior knowledge", h2cClient(t), "HTTP/2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := tc.client.Get(url + "/proto")
			require.NoError(t, err)
			defer res.Body.Close()
			got, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.Equal(t, tc.wantProto, string(got))
		})
	}

	t.Run("grpc over h2c", func(t *testing.T) {
		t.Parallel()
		res, err := echoClient(url, h2cClient(t), connect.WithGRPC()).CallUnary(t.Context(), connect.NewRequest(wrapperspb.String("hi")))
		require.NoError(t, err)
		require.Equal(t, "hi", res.Msg.GetValue())
	})
}

func TestServeDrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})
	url, stop := serve(t, b.srv)

	type result struct {
		res *connect.Response[wrapperspb.StringValue]
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := echoClient(url, http.DefaultClient).CallUnary(context.Background(), connect.NewRequest(wrapperspb.String(echoBlock)))
		done <- result{res, err}
	}()
	<-b.echo.started

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()

	// Health flips first so load balancers stop routing here; the httptest
	// server over the same handler can still ask.
	require.Eventually(t, func() bool {
		_, status := healthCheck(t, b.url, "")
		return status == "SERVING_STATUS_NOT_SERVING"
	}, 5*time.Second, 10*time.Millisecond)
	_, status := healthCheck(t, b.url, echoService)
	require.Equal(t, "SERVING_STATUS_NOT_SERVING", status)
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned %v with a request in flight", err)
	default:
	}

	b.echo.release <- struct{}{}
	got := <-done
	require.NoError(t, got.err)
	require.Equal(t, echoBlock, got.res.Msg.GetValue())
	require.NoError(t, <-stopped)
}

func TestServeGivesUpAfterShutdownTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{ShutdownTimeout: 50 * time.Millisecond})
	url, stop := serve(t, b.srv)

	go func() {
		_, _ = echoClient(url, http.DefaultClient).CallUnary(t.Context(), connect.NewRequest(wrapperspb.String(echoBlock)))
	}()
	<-b.echo.started

	require.ErrorIs(t, stop(), context.DeadlineExceeded)
}

func TestRegisterRejectsMalformedPaths(t *testing.T) {
	t.Parallel()
	b := setup(t, server.Config{})

	for _, path := range []string{"", "/", "munim.x.v1.XService/", "/munim.x.v1.XService", "/munim.x.v1.XService/Method/"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			require.Panics(t, func() { b.srv.Register(path, http.NotFoundHandler()) })
		})
	}
}
