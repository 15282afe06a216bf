package receipts

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// OnlinePayment is a payment captured at the online gateway, to be
// receipted for what was captured.
type OnlinePayment struct {
	// PaymentID is the gateway's payment id: the receipt's idempotency
	// key and instrument number, so a payment makes one receipt.
	PaymentID string
	// Gateway names the gateway (e.g. Razorpay), printed as the bank.
	Gateway   string
	Amount    decimal.Decimal
	PayerName string
	// Items split Amount among consumers; they must sum to it.
	Items []ItemInput
}

// CollectOnlineTx receipts, in tx, a payment the gateway captured: the
// receipt voucher debits cash in transit (4501002, the gateway clearing
// account) and credits the dues apportioned as they stand today, whatever
// the bill said when the order was opened. It never refuses a captured
// payment for being short or over: what the dues do not take is held as
// advance, even for a service that takes none at the counter. The same
// payment id returns the first receipt.
func (s *Service) CollectOnlineTx(ctx context.Context, tx pgx.Tx, tenant, actor string, p OnlinePayment) (int64, error) {
	if strings.TrimSpace(p.PaymentID) == "" {
		return 0, errors.New("receipts: an online payment needs its gateway payment id")
	}
	today := s.today()
	in := PaymentInput{IdempotencyKey: "online:" + p.PaymentID, Mode: Online, Amount: p.Amount, PayerName: p.PayerName,
		Instrument: Instrument{Number: p.PaymentID, Date: today, Bank: p.Gateway}, Items: p.Items}
	if err := in.validate(today); err != nil {
		return 0, err
	}
	return s.collectTx(ctx, tx, tenant, actor, in, in.requestHash(), today)
}
