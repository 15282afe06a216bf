package payments

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gen/dbq"
)

// Status is where a gateway transaction stands.
type Status string

// The statuses. SUCCESS and FAILED are final (a failed order may still be
// paid on a later attempt, which makes it SUCCESS); REFUNDED follows SUCCESS.
const (
	Created  Status = "created"
	Pending  Status = "pending"
	Success  Status = "success"
	Failed   Status = "failed"
	Refunded Status = "refunded"
)

// Final reports whether the poller can stop asking.
func (s Status) Final() bool { return s == Success || s == Failed || s == Refunded }

// Item is one consumer's dues a checkout pays.
type Item struct {
	Service      string
	ConsumerCode string
	Amount       decimal.Decimal
}

// OrderInput asks for a checkout of one or several consumers' dues.
type OrderInput struct {
	IdempotencyKey string
	PayerName      string
	Items          []Item
}

// Checkout is what the citizen's browser needs to pay.
type Checkout struct {
	KeyID    string
	OrderID  string
	Amount   int64 // paise
	Currency string
	// URL is the hosted checkout page of the order.
	URL string
}

// Payment is a payment the gateway reported against a transaction's order.
type Payment struct {
	PaymentID      string
	Status         string // created, authorized, captured, refunded, failed
	Method         string
	Amount         decimal.Decimal
	Fee, Tax       decimal.Decimal
	AmountRefunded decimal.Decimal
	ErrorCode      string
	ErrorText      string
	SeenVia        string // callback, webhook or poll: who saw it first
	ReceiptID      int64  // set once captured
	CapturedAt     time.Time
}

// Transaction is a gateway transaction with its items and payments.
type Transaction struct {
	ID           int64
	TenantID     string
	Reference    string // ours, the order's receipt
	OrderID      string
	Amount       decimal.Decimal
	Status       Status
	PayerName    string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	PollAttempts int
	NextPollAt   time.Time
	LastError    string
	Items        []Item
	Payments     []Payment
	// Checkout is set while the order can still be paid.
	Checkout *Checkout
}

func transactionOf(r dbq.GatewayTransaction) Transaction {
	t := Transaction{ID: r.ID, TenantID: r.TenantID, Reference: r.Reference, Amount: r.Amount, Status: Status(r.Status),
		PayerName: r.PayerName, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		PollAttempts: int(r.PollAttempts), LastError: r.LastError}
	if r.OrderID.Valid {
		t.OrderID = r.OrderID.String
	}
	if r.NextPollAt != nil {
		t.NextPollAt = *r.NextPollAt
	}
	return t
}

func paymentOf(r dbq.GatewayPayment) Payment {
	p := Payment{PaymentID: r.PaymentID, Status: r.Status, Method: r.Method, Amount: r.Amount, Fee: r.Fee, Tax: r.Tax,
		AmountRefunded: r.AmountRefunded, ErrorCode: r.ErrorCode, ErrorText: r.ErrorText, SeenVia: r.SeenVia}
	if r.ReceiptID.Valid {
		p.ReceiptID = r.ReceiptID.Int64
	}
	if r.CapturedAt != nil {
		p.CapturedAt = *r.CapturedAt
	}
	return p
}

// rupees is paise as money.
func rupees(paise int64) decimal.Decimal { return decimal.New(paise, -2) }

// paise is money as paise; the amount has at most two decimals.
func paise(d decimal.Decimal) int64 { return d.Shift(2).IntPart() }
