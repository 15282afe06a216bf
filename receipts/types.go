package receipts

import (
	"regexp"
	"time"

	"github.com/shopspring/decimal"
)

var (
	servicePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	seriesPattern  = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,9}$`)
)

// Mode is how a payment was made.
type Mode string

// The modes.
const (
	Cash   Mode = "cash"
	Cheque Mode = "cheque"
	DD     Mode = "dd" // demand draft
	Card   Mode = "card"
	NEFT   Mode = "neft" // NEFT or RTGS
	// Online is a payment captured at the online gateway, receipted by
	// CollectOnlineTx and never at the counter.
	Online Mode = "online"
)

// instrument reports whether the mode is a paper instrument with a
// clearing lifecycle (cheque, demand draft).
func (m Mode) instrument() bool { return m == Cheque || m == DD }

// debitAccount is the account the mode's money comes into.
func (m Mode) debitAccount(bank string) string {
	switch m {
	case Cash:
		return CashOnHand
	case Cheque, DD:
		return ChequesInHand
	case Card, Online:
		return CashInTransit
	}
	return bank
}

// Status is where a receipt stands.
type Status string

// The statuses.
const (
	Valid       Status = "valid"
	Cancelled   Status = "cancelled"
	Dishonoured Status = "dishonoured"
)

// The cheque (or draft) statuses.
const (
	InHand            = "in_hand"
	Deposited         = "deposited"
	Realised          = "realised"
	ChequeDishonoured = "dishonoured"
)

// Instrument is a cheque, draft, card slip or transfer's particulars.
type Instrument struct {
	Number string // cheque or DD number, card approval code, UTR
	Date   time.Time
	Bank   string
	Branch string
}

// ItemInput is one consumer's share of a payment.
type ItemInput struct {
	Service      string
	ConsumerCode string
	Amount       decimal.Decimal
}

// PaymentInput is a payment taken at the counter, for one or several
// consumers.
type PaymentInput struct {
	IdempotencyKey string
	// Series is the receipt book; empty: the first item's service's.
	Series     string
	Mode       Mode
	Amount     decimal.Decimal // the sum of the items
	PayerName  string
	Instrument Instrument
	// BankAccount is the bank a NEFT/RTGS transfer came into (default DefaultBank).
	BankAccount string
	Items       []ItemInput
}

// Receipt is a receipt as issued, with what it paid and where it stands.
type Receipt struct {
	ID              int64
	TenantID        string
	Number          string // e.g. PT/2026-27/000042
	Series          string
	FiscalYear      int
	Serial          int64
	Date            time.Time
	Mode            Mode
	Amount          decimal.Decimal
	FundCode        string
	DebitAccount    string
	PayerName       string
	Instrument      Instrument
	VoucherID       int64
	RebateVoucherID int64
	IdempotencyKey  string
	CollectedBy     string
	CollectedAt     time.Time
	Status          Status
	// Cancellation or dishonour.
	UndoneOn      time.Time
	UndoneBy      string
	UndoReason    string
	UndoVoucherID int64
	// Cheques and drafts.
	ChequeStatus      string
	DepositID         int64
	RealisedOn        time.Time
	DishonourDemandID int64
	// Cash, once remitted.
	RemittanceID int64
	Items        []Item
	Allocations  []Allocation
}

// Item is what a receipt did for one consumer.
type Item struct {
	Service      string
	ConsumerCode string
	Amount       decimal.Decimal
	Rebate       decimal.Decimal // early-payment rebate earned
	Advance      decimal.Decimal // held beyond the dues
}

// Allocation is what a receipt settled on one demand line.
type Allocation struct {
	DemandID     int64
	LineNo       int
	Head         string
	Service      string
	ConsumerCode string
	PeriodFrom   time.Time
	PeriodTo     time.Time
	Kind         string // payment or rebate
	Amount       decimal.Decimal
}
