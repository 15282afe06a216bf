package gateway

import (
	"context"
	"time"
)

// Gateway is an online payment gateway as Munim uses it. Every method
// honours ctx; an error is an *Error.
type Gateway interface {
	// CreateOrder opens an order the checkout pays.
	CreateOrder(ctx context.Context, in OrderRequest) (Order, error)
	// FetchOrder reads an order.
	FetchOrder(ctx context.Context, id string) (Order, error)
	// OrderPayments lists every payment attempted against an order,
	// failed and captured alike (an order may be paid more than once).
	OrderPayments(ctx context.Context, orderID string) ([]Payment, error)
	// FetchPayment reads a payment.
	FetchPayment(ctx context.Context, id string) (Payment, error)
	// Refund refunds amount paise of a captured payment.
	Refund(ctx context.Context, paymentID string, amount int64) (Refund, error)
	// Settlements lists the items settled on day (the gateway's calendar
	// day, India time): payments credited and refunds debited, each with
	// its settlement id and UTR.
	Settlements(ctx context.Context, day time.Time) ([]SettlementItem, error)
}

// Order statuses.
const (
	OrderCreated   = "created"
	OrderAttempted = "attempted"
	OrderPaid      = "paid"
)

// Payment statuses.
const (
	PaymentCreated    = "created"
	PaymentAuthorized = "authorized"
	PaymentCaptured   = "captured"
	PaymentRefunded   = "refunded"
	PaymentFailed     = "failed"
)

// OrderRequest is an order to open. Amount is in paise; Receipt is our
// reference (at most 40 characters).
type OrderRequest struct {
	Amount  int64
	Receipt string
	Notes   map[string]string
}

// Order is a gateway order.
type Order struct {
	ID         string            `json:"id"`
	Amount     int64             `json:"amount"`
	AmountPaid int64             `json:"amount_paid"`
	AmountDue  int64             `json:"amount_due"`
	Currency   string            `json:"currency"`
	Receipt    string            `json:"receipt"`
	Status     string            `json:"status"`
	Attempts   int               `json:"attempts"`
	Notes      map[string]string `json:"notes"`
	CreatedAt  int64             `json:"created_at"` // unix seconds
}

// Payment is a payment against an order. Fee and Tax are the gateway's
// charges and the tax on them, in paise, known once it is captured.
type Payment struct {
	ID               string `json:"id"`
	OrderID          string `json:"order_id"`
	Amount           int64  `json:"amount"`
	Currency         string `json:"currency"`
	Status           string `json:"status"`
	Method           string `json:"method"`
	Captured         bool   `json:"captured"`
	AmountRefunded   int64  `json:"amount_refunded"`
	RefundStatus     string `json:"refund_status"`
	Fee              int64  `json:"fee"`
	Tax              int64  `json:"tax"`
	ErrorCode        string `json:"error_code"`
	ErrorDescription string `json:"error_description"`
	CreatedAt        int64  `json:"created_at"` // unix seconds
}

// Final reports whether the payment can change no more except by a refund:
// captured (or refunded) or failed.
func (p Payment) Final() bool {
	return p.Status == PaymentCaptured || p.Status == PaymentRefunded || p.Status == PaymentFailed
}

// Refund is a refund of a payment.
type Refund struct {
	ID        string `json:"id"`
	PaymentID string `json:"payment_id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"` // pending, processed, failed
	CreatedAt int64  `json:"created_at"`
}

// Settlement item types.
const (
	ItemPayment = "payment"
	ItemRefund  = "refund"
)

// SettlementItem is one line of the combined settlement report: a payment
// credited (Credit = Amount - Fee - Tax) or a refund debited (Debit =
// Amount), all in paise.
type SettlementItem struct {
	EntityID      string `json:"entity_id"`
	Type          string `json:"type"`
	Debit         int64  `json:"debit"`
	Credit        int64  `json:"credit"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	Fee           int64  `json:"fee"`
	Tax           int64  `json:"tax"`
	PaymentID     string `json:"payment_id"`
	OrderID       string `json:"order_id"`
	SettlementID  string `json:"settlement_id"`
	SettlementUTR string `json:"settlement_utr"`
	SettledAt     int64  `json:"settled_at"` // unix seconds
	CreatedAt     int64  `json:"created_at"`
}

// IST is the gateway's calendar: settlement days are India's days.
var IST = time.FixedZone("IST", 5*3600+1800)
