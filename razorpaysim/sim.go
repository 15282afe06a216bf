package razorpaysim

import (
	"cmp"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/munimhq/munim/gateway"
)

// Config sets up a simulated Razorpay account.
type Config struct {
	// KeyID and KeySecret are the API key (required); the secret signs
	// the checkout callback.
	KeyID     string
	KeySecret string
	// WebhookSecret signs webhooks; WebhookURL receives them (none sent
	// when empty).
	WebhookSecret string
	WebhookURL    string
	// AccountID names the account in webhooks (default acc_SimMunim00001).
	AccountID string
	// FeeBasisPoints is the gateway's fee on a captured payment (default
	// 200, 2%); TaxBasisPoints the tax on that fee (default 1800, 18% GST).
	FeeBasisPoints int64
	TaxBasisPoints int64
	// SettleAfterDays is the settlement cycle, T+n (default 2).
	SettleAfterDays int
	// WebhookAttempts bounds deliveries of one event answered with a
	// non-2xx (default 3).
	WebhookAttempts int
	// Client delivers webhooks (default: 5s timeout).
	Client *http.Client
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Faults are the switches of misbehaviour; the zero value is a well
// behaved gateway.
type Faults struct {
	// DropWebhooks drops the next n events: never delivered.
	DropWebhooks int `json:"drop_webhooks"`
	// DuplicateWebhooks delivers every event twice, same event id.
	DuplicateWebhooks bool `json:"duplicate_webhooks"`
	// HoldWebhooks queues events until ReleaseWebhooks, which may deliver
	// them in reverse order.
	HoldWebhooks bool `json:"hold_webhooks"`
	// WebhookDelayMS delays each delivery.
	WebhookDelayMS int64 `json:"webhook_delay_ms"`
	// LateCapture leaves payments authorized until Capture is called, as
	// a slow UPI capture does.
	LateCapture bool `json:"late_capture"`
	// FailAPI answers the next n API calls with FailStatus (default 503)
	// without doing anything.
	FailAPI    int `json:"fail_api"`
	FailStatus int `json:"fail_status"`
	// APIDelayMS holds every API reply this long; the call is still done,
	// so a client that gave up does not know whether it happened.
	APIDelayMS int64 `json:"api_delay_ms"`
	// SettleDelayDays settles this many days later than the cycle.
	SettleDelayDays int `json:"settle_delay_days"`
}

// Sim is a simulated Razorpay account and its API, checkout and webhook
// sender. It is safe for concurrent use.
type Sim struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux

	mu          sync.Mutex
	faults      Faults
	secret      string // current webhook secret
	orders      map[string]*order
	orderIDs    []string
	payments    map[string]*payment
	paymentIDs  []string
	refunds     map[string]*refund
	refundIDs   []string
	settlements []settlement
	events      []*Event
	held        []*Event

	deliveries sync.WaitGroup
}

type order struct {
	gateway.Order
}

type payment struct {
	gateway.Payment
	capturedAt time.Time
	settled    string // settlement id
}

type refund struct {
	gateway.Refund
	orderID string
	settled string
}

type settlement struct {
	id, utr string
	at      time.Time
	items   []gateway.SettlementItem
}

// Event is a webhook event as sent: its id, name, raw body and the
// signature made when it was raised (under the secret of that moment).
type Event struct {
	ID        string
	Name      string
	Body      []byte
	Signature string
	// Deliveries counts the POSTs made; Dropped marks an event never sent.
	Deliveries int
	Dropped    bool
	LastStatus int
}

// New returns a simulator.
func New(cfg Config) (*Sim, error) {
	if cfg.KeyID == "" || cfg.KeySecret == "" {
		return nil, errors.New("razorpaysim: key id and secret are required")
	}
	cfg.AccountID = cmp.Or(cfg.AccountID, "acc_SimMunim00001")
	cfg.FeeBasisPoints = cmp.Or(cfg.FeeBasisPoints, 200)
	cfg.TaxBasisPoints = cmp.Or(cfg.TaxBasisPoints, 1800)
	cfg.SettleAfterDays = cmp.Or(cfg.SettleAfterDays, 2)
	cfg.WebhookAttempts = cmp.Or(cfg.WebhookAttempts, 3)
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Sim{cfg: cfg, log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), secret: cfg.WebhookSecret,
		orders: map[string]*order{}, payments: map[string]*payment{}, refunds: map[string]*refund{}}
	s.routes()
	return s, nil
}

// SetFaults replaces the fault switches.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Faults returns the fault switches as they stand.
func (s *Sim) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// RotateWebhookSecret signs events raised from now on with secret;
// events raised before keep the signature of their old secret.
func (s *Sim) RotateWebhookSecret(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secret = secret
}

// SetWebhookURL points webhook delivery at url.
func (s *Sim) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.WebhookURL = url
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID makes a Razorpay-shaped id: prefix_ and 14 characters.
func newID(prefix string) string {
	b := make([]byte, 14)
	rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return prefix + "_" + string(b)
}

// bps is v * basis points / 10000, rounded half up.
func bps(v, points int64) int64 { return (v*points + 5000) / 10000 }

// Pay is how a payer pays at the checkout.
type Pay struct {
	// Amount paid in paise (default: the order's amount).
	Amount int64
	// Method: upi (default), card, netbanking.
	Method string
	// Fail makes the bank decline it (error code BAD_REQUEST_ERROR).
	Fail bool
	// Authorize leaves this payment authorized, captured later (see
	// Faults.LateCapture for all payments).
	Authorize bool
}

// Callback is what the checkout posts to the success handler.
type Callback struct {
	OrderID   string `json:"razorpay_order_id"`
	PaymentID string `json:"razorpay_payment_id"`
	Signature string `json:"razorpay_signature"`
}

// ErrNotFound is an unknown order, payment or refund.
var ErrNotFound = errors.New("razorpaysim: not found")

// Pay makes a payment against an order as the checkout would, raising its
// webhooks, and returns the success callback (with no signature when the
// payment failed: the checkout calls no success handler then).
func (s *Sim) Pay(orderID string, p Pay) (Callback, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return Callback{}, fmt.Errorf("order %s: %w", orderID, ErrNotFound)
	}
	now := s.cfg.Now()
	py := &payment{Payment: gateway.Payment{ID: newID("pay"), OrderID: o.ID, Amount: cmp.Or(p.Amount, o.Amount),
		Currency: "INR", Status: gateway.PaymentCreated, Method: cmp.Or(p.Method, "upi"), CreatedAt: now.Unix()}}
	s.payments[py.ID] = py
	s.paymentIDs = append(s.paymentIDs, py.ID)
	o.Attempts++
	if o.Status == gateway.OrderCreated {
		o.Status = gateway.OrderAttempted
	}
	cb := Callback{OrderID: o.ID, PaymentID: py.ID}
	if p.Fail {
		py.Status = gateway.PaymentFailed
		py.ErrorCode, py.ErrorDescription = "BAD_REQUEST_ERROR", "Payment was declined by the bank"
		s.raise("payment.failed", py, nil, nil)
		return cb, nil
	}
	py.Status = gateway.PaymentAuthorized
	s.raise("payment.authorized", py, nil, nil)
	cb.Signature = gateway.CheckoutSignature(s.cfg.KeySecret, o.ID, py.ID)
	if p.Authorize || s.faults.LateCapture {
		return cb, nil
	}
	s.capture(py, now)
	return cb, nil
}

// Capture captures an authorized payment, late.
func (s *Sim) Capture(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	py, ok := s.payments[paymentID]
	if !ok {
		return fmt.Errorf("payment %s: %w", paymentID, ErrNotFound)
	}
	if py.Status != gateway.PaymentAuthorized {
		return fmt.Errorf("payment %s is %s, not authorized", paymentID, py.Status)
	}
	s.capture(py, s.cfg.Now())
	return nil
}

// capture captures py, charging its fee and tax, and pays its order.
func (s *Sim) capture(py *payment, now time.Time) {
	py.Status, py.Captured, py.capturedAt = gateway.PaymentCaptured, true, now
	py.Fee = bps(py.Amount, s.cfg.FeeBasisPoints)
	py.Tax = bps(py.Fee, s.cfg.TaxBasisPoints)
	o := s.orders[py.OrderID]
	o.AmountPaid += py.Amount
	o.AmountDue = max(o.Amount-o.AmountPaid, 0)
	s.raise("payment.captured", py, nil, nil)
	if o.Status != gateway.OrderPaid {
		o.Status = gateway.OrderPaid
		s.raise("order.paid", py, o, nil)
	}
}

// refund refunds amount of a captured payment; the caller holds mu.
func (s *Sim) refund(paymentID string, amount int64) (*refund, error) {
	py, ok := s.payments[paymentID]
	if !ok {
		return nil, fmt.Errorf("payment %s: %w", paymentID, ErrNotFound)
	}
	if !py.Captured {
		return nil, badRequest("payment_id", "The payment has not been captured")
	}
	left := py.Amount - py.AmountRefunded
	if amount == 0 {
		amount = left
	}
	if amount <= 0 || amount > left {
		return nil, badRequest("amount", "The refund amount provided is greater than amount captured")
	}
	r := &refund{Refund: gateway.Refund{ID: newID("rfnd"), PaymentID: py.ID, Amount: amount, Currency: "INR",
		Status: "processed", CreatedAt: s.cfg.Now().Unix()}, orderID: py.OrderID}
	s.refunds[r.ID] = r
	s.refundIDs = append(s.refundIDs, r.ID)
	py.AmountRefunded += amount
	py.RefundStatus = "partial"
	if py.AmountRefunded == py.Amount {
		py.RefundStatus, py.Status = "full", gateway.PaymentRefunded
	}
	s.raise("refund.processed", py, nil, r)
	return r, nil
}

// Settle settles, as of day, every captured payment and processed refund
// whose cycle (T+SettleAfterDays, plus Faults.SettleDelayDays) has come,
// in one settlement credited to the bank net of fees, tax and refunds. It
// returns the settlement's id and UTR, empty when nothing was due.
func (s *Sim) Settle(day time.Time) (id, utr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	y, m, d := day.In(gateway.IST).Date()
	day = time.Date(y, m, d, 0, 0, 0, 0, gateway.IST)
	cutoff := day.AddDate(0, 0, 1-s.cfg.SettleAfterDays-s.faults.SettleDelayDays) // exclusive: captured before this
	at := day.Add(10 * time.Hour)
	st := settlement{id: newID("setl"), utr: fmt.Sprintf("SIMR%018d", at.UnixNano()%1e18), at: at}
	for _, id := range s.paymentIDs {
		py := s.payments[id]
		if !py.Captured || py.settled != "" || !py.capturedAt.Before(cutoff) {
			continue
		}
		py.settled = st.id
		st.items = append(st.items, gateway.SettlementItem{EntityID: py.ID, Type: gateway.ItemPayment,
			Credit: py.Amount - py.Fee - py.Tax, Amount: py.Amount, Currency: "INR", Fee: py.Fee, Tax: py.Tax,
			PaymentID: py.ID, OrderID: py.OrderID, CreatedAt: py.CreatedAt})
	}
	for _, id := range s.refundIDs {
		r := s.refunds[id]
		if r.settled != "" || !time.Unix(r.CreatedAt, 0).Before(cutoff) {
			continue
		}
		r.settled = st.id
		st.items = append(st.items, gateway.SettlementItem{EntityID: r.ID, Type: gateway.ItemRefund, Debit: r.Amount,
			Amount: r.Amount, Currency: "INR", PaymentID: r.PaymentID, OrderID: r.orderID, CreatedAt: r.CreatedAt})
	}
	if len(st.items) == 0 {
		return "", ""
	}
	for i := range st.items {
		st.items[i].SettlementID, st.items[i].SettlementUTR, st.items[i].SettledAt = st.id, st.utr, at.Unix()
	}
	s.settlements = append(s.settlements, st)
	return st.id, st.utr
}

// report is the combined settlement report of a day.
func (s *Sim) report(day time.Time) []gateway.SettlementItem {
	var items []gateway.SettlementItem
	for _, st := range s.settlements {
		if sameDay(st.at, day) {
			items = append(items, st.items...)
		}
	}
	return items
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.In(gateway.IST).Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// Payment returns a payment as the API would.
func (s *Sim) Payment(id string) (gateway.Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	py, ok := s.payments[id]
	if !ok {
		return gateway.Payment{}, false
	}
	return py.Payment, true
}

// Events returns the webhook events raised so far, oldest first.
func (s *Sim) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.events))
	for i, e := range s.events {
		out[i] = *e
	}
	return out
}

// orderPayments lists an order's payments, oldest first.
func (s *Sim) orderPayments(orderID string) []gateway.Payment {
	var out []gateway.Payment
	for _, id := range s.paymentIDs {
		if py := s.payments[id]; py.OrderID == orderID {
			out = append(out, py.Payment)
		}
	}
	return out
}

// sortedHeld returns held events in delivery order.
func sortedHeld(held []*Event, reverse bool) []*Event {
	out := slices.Clone(held)
	if reverse {
		slices.Reverse(out)
	}
	return out
}
