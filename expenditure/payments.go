package expenditure

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// PaymentInput pays (part of) an approved bill.
type PaymentInput struct {
	BillID         int64
	Date           time.Time
	Amount         decimal.Decimal
	Mode           string // cheque, neft or rtgs
	InstrumentRef  string // the cheque number, or the transfer's UTR
	BankAccount    string // empty: 4502101
	IdempotencyKey string
}

// Payment is a payment against a bill, with its voucher.
type Payment struct {
	ID            int64
	BillID        int64
	Date          time.Time
	Amount        decimal.Decimal
	Mode          string
	InstrumentRef string
	BankAccount   string
	VoucherID     int64
	PaidBy        string
}

func paymentOf(r dbq.ExpenditurePayment) Payment {
	return Payment{ID: r.ID, BillID: r.BillID, Date: r.PaymentDate, Amount: r.Amount, Mode: r.Mode, InstrumentRef: r.InstrumentRef,
		BankAccount: r.BankAccount, VoucherID: r.VoucherID, PaidBy: r.PaidBy}
}

func (in PaymentInput) hash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%s|%s|%q|%s", in.BillID, in.Date.Format(time.DateOnly), in.Amount.StringFixed(2), in.Mode, in.InstrumentRef, in.BankAccount)
	return h.Sum(nil)
}

// PayBill pays an approved bill, wholly or in part, never beyond what is
// unpaid: under the bill's lock it posts the payment voucher (Dr the
// creditor head with the party, Cr the bank) and records the payment and
// the bill's paid amount in one transaction. A payment charges no budget:
// the bill did, when approved. The same key and payment returns the first.
func (s *Service) PayBill(ctx context.Context, tenant, actor string, in PaymentInput) (Payment, error) {
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: field, Rule: rule}) }
	if in.BillID <= 0 {
		bad("bill_id", "is required")
	}
	if in.Date.IsZero() {
		bad("date", "is required")
	}
	checkAmount(&vs, "amount", in.Amount)
	switch in.Mode {
	case "cheque", "neft", "rtgs":
	default:
		bad("mode", "must be cheque, neft or rtgs")
	}
	if strings.TrimSpace(in.InstrumentRef) == "" {
		bad("instrument_ref", "is required: the cheque number or the transfer's UTR")
	}
	if in.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if in.BankAccount == "" {
		in.BankAccount = defaultBank
	} else if !strings.HasPrefix(in.BankAccount, "450") || len(in.BankAccount) != 7 {
		bad("bank_account", "must be a detailed bank head (450xxxx)")
	}
	if len(vs) > 0 {
		return Payment{}, &ledger.ValidationError{Violations: vs}
	}
	hash := in.hash()
	var out dbq.ExpenditurePayment
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		b, err := lockBill(ctx, q, tenant, in.BillID)
		if err != nil {
			return err
		}
		prev, err := q.ExpenditurePaymentByKey(ctx, dbq.ExpenditurePaymentByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		due := b.Net.Sub(b.Paid)
		switch {
		case b.Status != "approved":
			return stateError("bill %d is %s: only an approved bill is paid", b.ID, b.Status)
		case in.Amount.GreaterThan(due):
			return stateError("bill %d has %s unpaid; %s is more", b.ID, due.StringFixed(2), in.Amount.StringFixed(2))
		case in.Date.Before(b.Date):
			return invalid("date", "a payment cannot precede its bill (%s)", b.Date.Format(time.DateOnly))
		}
		fn := b.Lines[0].FunctionCode
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{{Type: ledger.Payment, Date: in.Date,
			IdempotencyKey: "bill-payment:" + in.IdempotencyKey, SourceRef: b.Source(),
			Narration: fmt.Sprintf("Payment of bill %s of %s by %s %s", b.PartyBillNumber, b.PartyCode, in.Mode, in.InstrumentRef),
			Lines: []ledger.Line{
				{AccountCode: b.CreditorAccount, FundCode: b.FundCode, FunctionCode: fn, Party: b.PartyCode, Debit: in.Amount},
				{AccountCode: in.BankAccount, FundCode: b.FundCode, FunctionCode: fn, Credit: in.Amount},
			}}})
		if err != nil {
			return unprefix(err)
		}
		out, err = q.ExpenditurePaymentInsert(ctx, dbq.ExpenditurePaymentInsertParams{TenantID: tenant, BillID: b.ID, PaymentDate: in.Date,
			Amount: in.Amount, Mode: in.Mode, InstrumentRef: in.InstrumentRef, BankAccount: in.BankAccount, VoucherID: posted[0].ID,
			IdempotencyKey: in.IdempotencyKey, RequestHash: hash, PaidBy: actor})
		if err != nil {
			return fmt.Errorf("record payment: %w", err)
		}
		return q.ExpenditureBillAddPaid(ctx, dbq.ExpenditureBillAddPaidParams{TenantID: tenant, ID: b.ID, Amount: in.Amount})
	})
	if err != nil {
		return Payment{}, err
	}
	return paymentOf(out), nil
}

// Payments lists a bill's payments.
func (s *Service) Payments(ctx context.Context, tenant string, billID int64) ([]Payment, error) {
	var out []Payment
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).ExpenditurePaymentsOf(ctx, dbq.ExpenditurePaymentsOfParams{TenantID: tenant, BillIds: []int64{billID}})
		for _, r := range rows {
			out = append(out, paymentOf(r))
		}
		return err
	})
	return out, err
}

// PartyBalance is a party's sub-ledger as of a date: approved bills (net of
// deductions), payments and what is outstanding.
type PartyBalance struct {
	Code, Name, Kind          string
	Billed, Paid, Outstanding decimal.Decimal
}

// PartyBalances lists every party with an approved bill by asOf.
func (s *Service) PartyBalances(ctx context.Context, tenant string, asOf time.Time) ([]PartyBalance, error) {
	var out []PartyBalance
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).ExpenditurePartyBalances(ctx, dbq.ExpenditurePartyBalancesParams{TenantID: tenant, AsOf: asOf})
		for _, r := range rows {
			out = append(out, PartyBalance{Code: r.Code, Name: r.Name, Kind: r.Kind, Billed: r.Billed, Paid: r.Paid, Outstanding: r.Billed.Sub(r.Paid)})
		}
		return err
	})
	return out, err
}

// AgeingBuckets are the upper bounds, in days since the bill's date, of
// the creditor ageing columns; the last column is everything older.
var AgeingBuckets = []int{30, 60, 90, 180}

// Ageing is a party's outstanding by age: Buckets[i] holds bills at most
// AgeingBuckets[i] days old (and older than the bucket before), the last
// entry those older than 180 days.
type Ageing struct {
	PartyCode string
	Buckets   []decimal.Decimal
	Total     decimal.Decimal
}

// CreditorAgeing ages what each party is owed as of asOf by its bills' dates.
func (s *Service) CreditorAgeing(ctx context.Context, tenant string, asOf time.Time) ([]Ageing, error) {
	var rows []dbq.ExpenditureBillOutstandingRow
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).ExpenditureBillOutstanding(ctx, dbq.ExpenditureBillOutstandingParams{TenantID: tenant, AsOf: asOf})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read outstanding bills: %w", err)
	}
	by := map[string]*Ageing{}
	for _, r := range rows {
		if !r.Outstanding.IsPositive() {
			continue
		}
		a := by[r.PartyCode]
		if a == nil {
			a = &Ageing{PartyCode: r.PartyCode, Buckets: make([]decimal.Decimal, len(AgeingBuckets)+1)}
			by[r.PartyCode] = a
		}
		days := int(asOf.Sub(r.BillDate).Hours() / 24)
		i := sort.SearchInts(AgeingBuckets, days)
		a.Buckets[i] = a.Buckets[i].Add(r.Outstanding)
		a.Total = a.Total.Add(r.Outstanding)
	}
	out := make([]Ageing, 0, len(by))
	for _, a := range by {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PartyCode < out[j].PartyCode })
	return out, nil
}
