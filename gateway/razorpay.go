package gateway

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	razorpay "github.com/razorpay/razorpay-go"
)

// DefaultBaseURL is Razorpay's API.
const DefaultBaseURL = "https://api.razorpay.com"

// maxBody bounds a reply read from the gateway.
const maxBody = 8 << 20

// settlementPage is the page size of the settlement report.
const settlementPage = 100

// Config is one tenant's Razorpay account.
type Config struct {
	// KeyID and KeySecret authenticate API calls; KeySecret also signs
	// the checkout callback. Both required.
	KeyID     string
	KeySecret string
	// BaseURL is the API's root (default DefaultBaseURL); tests and the
	// demo point it at the simulator.
	BaseURL string
	// HTTPClient carries the calls (default: a client with a 10s timeout).
	// Its Timeout bounds each call; so does the ctx of the call.
	HTTPClient *http.Client
}

// LogValue keeps the secret out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key_id", c.KeyID), slog.String("base_url", cmp.Or(c.BaseURL, DefaultBaseURL)))
}

// String keeps the secret out of %v.
func (c Config) String() string {
	return fmt.Sprintf("razorpay{key_id=%s base_url=%s}", c.KeyID, cmp.Or(c.BaseURL, DefaultBaseURL))
}

// Razorpay is the Gateway over razorpay-go.
type Razorpay struct {
	cfg  Config
	http *http.Client
}

var _ Gateway = (*Razorpay)(nil)

// NewRazorpay returns the gateway of one Razorpay account.
func NewRazorpay(cfg Config) (*Razorpay, error) {
	if cfg.KeyID == "" || cfg.KeySecret == "" {
		return nil, errors.New("razorpay: key id and key secret are required")
	}
	cfg.BaseURL = strings.TrimRight(cmp.Or(cfg.BaseURL, DefaultBaseURL), "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Razorpay{cfg: cfg, http: hc}, nil
}

// recorder is the transport of one call. razorpay-go takes no context and
// folds every non-2xx reply into one error type that drops the status and
// decodes numbers as floats, so the recorder ties the request to the
// call's ctx and keeps the reply's status and raw bytes, which call
// decodes itself.
type recorder struct {
	ctx    context.Context
	base   http.RoundTripper
	status int
	body   []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	// req's own context carries the http.Client's Timeout; ctx is the caller's.
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(r.ctx, cancel)
	defer stop()
	resp, err := r.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.status, r.body = resp.StatusCode, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// call runs one API call through a razorpay-go client bound to ctx and
// decodes the reply into out.
func (g *Razorpay) call(ctx context.Context, op string, fn func(*razorpay.Client) error, out any) error {
	rec := &recorder{ctx: ctx, base: cmp.Or[http.RoundTripper](g.http.Transport, http.DefaultTransport)}
	hc := *g.http
	hc.Transport = rec
	c := razorpay.NewClient(g.cfg.KeyID, g.cfg.KeySecret)
	c.Request.BaseURL = g.cfg.BaseURL
	c.Request.HTTPClient = &hc
	err := fn(c)
	if ctx.Err() != nil {
		return &Error{Op: op, Err: ctx.Err()}
	}
	switch {
	case rec.status == 0 && err != nil:
		return &Error{Op: op, Err: err}
	case rec.status == 0:
		return &Error{Op: op, Err: errors.New("no reply")}
	case rec.status < 200 || rec.status > 299:
		e := &Error{Op: op, Status: rec.status, Err: err}
		var body struct {
			Error struct {
				Code        string `json:"code"`
				Description string `json:"description"`
			} `json:"error"`
		}
		if json.Unmarshal(rec.body, &body) == nil {
			e.Code, e.Description = body.Error.Code, body.Error.Description
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rec.body, out); err != nil {
		// A 2xx we cannot read decided something we cannot see: treat it
		// as no answer, so the caller asks again.
		return &Error{Op: op, Err: fmt.Errorf("decode reply: %w", err)}
	}
	return nil
}

// CreateOrder opens an order (payment_capture on: payments are captured
// automatically).
func (g *Razorpay) CreateOrder(ctx context.Context, in OrderRequest) (Order, error) {
	data := map[string]any{"amount": in.Amount, "currency": "INR", "receipt": in.Receipt, "payment_capture": true}
	if len(in.Notes) > 0 {
		data["notes"] = in.Notes
	}
	var o Order
	err := g.call(ctx, "create order", func(c *razorpay.Client) error {
		_, err := c.Order.Create(data, nil)
		return err
	}, &o)
	return o, err
}

// FetchOrder reads an order.
func (g *Razorpay) FetchOrder(ctx context.Context, id string) (Order, error) {
	var o Order
	err := g.call(ctx, "fetch order", func(c *razorpay.Client) error {
		_, err := c.Order.Fetch(id, nil, nil)
		return err
	}, &o)
	return o, err
}

// OrderPayments lists an order's payments.
func (g *Razorpay) OrderPayments(ctx context.Context, orderID string) ([]Payment, error) {
	var out struct {
		Items []Payment `json:"items"`
	}
	err := g.call(ctx, "order payments", func(c *razorpay.Client) error {
		_, err := c.Order.Payments(orderID, nil, nil)
		return err
	}, &out)
	return out.Items, err
}

// FetchPayment reads a payment.
func (g *Razorpay) FetchPayment(ctx context.Context, id string) (Payment, error) {
	var p Payment
	err := g.call(ctx, "fetch payment", func(c *razorpay.Client) error {
		_, err := c.Payment.Fetch(id, nil, nil)
		return err
	}, &p)
	return p, err
}

// Refund refunds amount paise of a captured payment.
func (g *Razorpay) Refund(ctx context.Context, paymentID string, amount int64) (Refund, error) {
	var r Refund
	err := g.call(ctx, "refund", func(c *razorpay.Client) error {
		_, err := c.Payment.Refund(paymentID, int(amount), nil, nil)
		return err
	}, &r)
	return r, err
}

// Settlements pages through the combined settlement report of day.
func (g *Razorpay) Settlements(ctx context.Context, day time.Time) ([]SettlementItem, error) {
	var items []SettlementItem
	for skip := 0; ; skip += settlementPage {
		var page struct {
			Items []SettlementItem `json:"items"`
		}
		q := map[string]any{"year": day.Year(), "month": int(day.Month()), "day": day.Day(), "count": settlementPage, "skip": skip}
		err := g.call(ctx, "settlement report", func(c *razorpay.Client) error {
			_, err := c.Settlement.Reports(q, nil)
			return err
		}, &page)
		if err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
		if len(page.Items) < settlementPage {
			return items, nil
		}
	}
}
