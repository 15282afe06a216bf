package receipts

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// RemitInput is a cashier's day of cash paid into the bank.
type RemitInput struct {
	IdempotencyKey string
	Cashier        string    // whose cash
	CollectedOn    time.Time // the day it was collected
	Date           time.Time // the day it is remitted (default today)
	BankAccount    string    // default DefaultBank
	SlipNo         string
	// Amount, when given, is what the cashier counted: it must equal the
	// cash the day's receipts hold.
	Amount decimal.Decimal
}

// Remittance is cash paid into a bank.
type Remittance struct {
	ID          int64
	Date        time.Time
	Cashier     string
	CollectedOn time.Time
	BankAccount string
	SlipNo      string
	Amount      decimal.Decimal
	VoucherID   int64
}

func remittanceOf(r dbq.CashRemittance) Remittance {
	return Remittance{ID: r.ID, Date: r.RemitDate, Cashier: r.Cashier, CollectedOn: r.CollectedOn, BankAccount: r.BankAccount,
		SlipNo: r.SlipNo, Amount: r.Amount, VoucherID: r.VoucherID}
}

// RemitCash pays a cashier's unremitted cash of one day into the bank: a
// contra voucher (bank Dr, cash on hand Cr) and the day's cash receipts
// marked remitted, in one transaction. The same key and slip returns the
// first remittance.
func (s *Service) RemitCash(ctx context.Context, tenant, actor string, in RemitInput) (Remittance, error) {
	today := s.today()
	in.Date = cmp.Or(in.Date, today)
	in.BankAccount = cmp.Or(in.BankAccount, DefaultBank)
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: field, Rule: rule}) }
	if in.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if in.Cashier == "" {
		bad("cashier", "is required")
	}
	if in.CollectedOn.IsZero() {
		bad("collected_on", "is required")
	}
	if in.Date.After(today) || in.Date.Before(in.CollectedOn) {
		bad("date", "must be from the day of collection to today")
	}
	if in.Amount.IsNegative() || !in.Amount.Equal(in.Amount.Round(2)) {
		bad("amount", "must be a positive amount with at most 2 decimals, or left out")
	}
	if len(vs) > 0 {
		return Remittance{}, &ledger.ValidationError{Violations: vs}
	}
	if err := checkBank("bank_account", in.BankAccount); err != nil {
		return Remittance{}, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q|%s|%s|%s|%q|%s", in.Cashier, in.CollectedOn.Format(time.DateOnly), in.Date.Format(time.DateOnly),
		in.BankAccount, in.SlipNo, in.Amount.StringFixed(2))
	hash := h.Sum(nil)
	var out dbq.CashRemittance
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		prev, err := q.CashRemittanceByKey(ctx, dbq.CashRemittanceByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		rs, err := q.ReceiptCashUnremittedLock(ctx, dbq.ReceiptCashUnremittedLockParams{TenantID: tenant,
			CollectedBy: in.Cashier, ReceiptDate: in.CollectedOn})
		if err != nil {
			return fmt.Errorf("lock cash receipts: %w", err)
		}
		if len(rs) == 0 {
			return refused("collected_on", fmt.Sprintf("%s has no cash of %s left to remit", in.Cashier, in.CollectedOn.Format(time.DateOnly)))
		}
		byFund := map[string]decimal.Decimal{}
		total := decimal.Zero
		ids := make([]int64, len(rs))
		for i, r := range rs {
			byFund[r.FundCode] = byFund[r.FundCode].Add(r.Amount)
			total = total.Add(r.Amount)
			ids[i] = r.ID
		}
		if !in.Amount.IsZero() && !in.Amount.Equal(total) {
			return invalid("amount", "the cash receipts of %s on %s come to %s, not %s", in.Cashier,
				in.CollectedOn.Format(time.DateOnly), total.StringFixed(2), in.Amount.StringFixed(2))
		}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{{Type: ledger.Contra, Date: in.Date,
			IdempotencyKey: "cash-remittance:" + in.IdempotencyKey, SourceRef: "SLIP/" + in.SlipNo,
			Narration: fmt.Sprintf("Cash collected by %s on %s remitted, slip %s", in.Cashier, in.CollectedOn.Format(time.DateOnly), in.SlipNo),
			Lines:     bankLines(in.BankAccount, CashOnHand, byFund)}})
		if err != nil {
			return err
		}
		out, err = q.CashRemittanceInsert(ctx, dbq.CashRemittanceInsertParams{TenantID: tenant, RemitDate: in.Date,
			Cashier: in.Cashier, CollectedOn: in.CollectedOn, BankAccount: in.BankAccount, SlipNo: in.SlipNo, Amount: total,
			VoucherID: posted[0].ID, IdempotencyKey: in.IdempotencyKey, RequestHash: hash, RemittedBy: actor})
		if err != nil {
			return fmt.Errorf("record remittance: %w", err)
		}
		return q.ReceiptRemit(ctx, dbq.ReceiptRemitParams{TenantID: tenant, Ids: ids, RemittanceID: pgtype.Int8{Int64: out.ID, Valid: true}})
	})
	if err != nil {
		return Remittance{}, err
	}
	return remittanceOf(out), nil
}

// ModeTotal is a cashier's receipts of one mode and status.
type ModeTotal struct {
	Cashier  string
	Mode     Mode
	Status   Status
	Receipts int
	Amount   decimal.Decimal
}

// CashAge is cash a cashier collected on one day and has not remitted.
type CashAge struct {
	Cashier  string
	Day      time.Time
	AgeDays  int
	Receipts int
	Amount   decimal.Decimal
}

// Summary is the day-end view: collections by cashier and mode, and the
// cash in hand not yet remitted, aged.
type Summary struct {
	From, To   time.Time
	ByMode     []ModeTotal
	Unremitted []CashAge // as of To, oldest first per cashier
	CashInHand decimal.Decimal
}

// CollectionSummary returns collections dated from to to (one cashier's,
// or everyone's) by mode and status, and the cash collected up to to and
// not remitted, with its age in days on to.
func (s *Service) CollectionSummary(ctx context.Context, tenant string, from, to time.Time, cashier string) (Summary, error) {
	to = cmp.Or(to, s.today())
	from = cmp.Or(from, to)
	if from.After(to) {
		return Summary{}, invalid("from", "must be on or before to")
	}
	out := Summary{From: from, To: to, CashInHand: decimal.Zero}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.ReceiptSummaryByMode(ctx, dbq.ReceiptSummaryByModeParams{TenantID: tenant, FromDate: from, ToDate: to, CollectedBy: cashier})
		if err != nil {
			return fmt.Errorf("summarise receipts: %w", err)
		}
		for _, r := range rows {
			out.ByMode = append(out.ByMode, ModeTotal{Cashier: r.CollectedBy, Mode: Mode(r.Mode), Status: Status(r.Status),
				Receipts: int(r.Receipts), Amount: r.Amount})
		}
		ages, err := q.ReceiptCashUnremitted(ctx, dbq.ReceiptCashUnremittedParams{TenantID: tenant, AsOf: to, CollectedBy: cashier})
		if err != nil {
			return fmt.Errorf("age cash in hand: %w", err)
		}
		for _, a := range ages {
			out.Unremitted = append(out.Unremitted, CashAge{Cashier: a.CollectedBy, Day: a.ReceiptDate,
				AgeDays: int(to.Sub(a.ReceiptDate).Hours() / 24), Receipts: int(a.Receipts), Amount: a.Amount})
			out.CashInHand = out.CashInHand.Add(a.Amount)
		}
		return nil
	})
	return out, err
}
