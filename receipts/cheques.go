package receipts

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// DepositInput is a paying-in slip of cheques and drafts.
type DepositInput struct {
	IdempotencyKey string
	ReceiptIDs     []int64
	Date           time.Time // default today
	BankAccount    string    // default DefaultBank
	SlipNo         string
}

// Deposit is cheques and drafts paid into a bank on one slip.
type Deposit struct {
	ID          int64
	Date        time.Time
	BankAccount string
	SlipNo      string
	Amount      decimal.Decimal
	VoucherID   int64
}

func depositOf(d dbq.ChequeDeposit) Deposit {
	return Deposit{ID: d.ID, Date: d.DepositDate, BankAccount: d.BankAccount, SlipNo: d.SlipNo, Amount: d.Amount, VoucherID: d.VoucherID}
}

// bankLines are a contra's lines: the bank debited and from (cash or
// cheques in hand) credited, per fund, for amounts by fund.
func bankLines(bank, from string, byFund map[string]decimal.Decimal) []ledger.Line {
	funds := make([]string, 0, len(byFund))
	for f := range byFund {
		funds = append(funds, f)
	}
	slices.Sort(funds)
	var out []ledger.Line
	for _, f := range funds {
		out = append(out, ledger.Line{AccountCode: bank, FundCode: f, FunctionCode: CashFunction, Debit: byFund[f]},
			ledger.Line{AccountCode: from, FundCode: f, FunctionCode: CashFunction, Credit: byFund[f]})
	}
	return out
}

func checkBank(field, bank string) error {
	if !strings.HasPrefix(bank, "4502") || len(bank) != 7 {
		return invalid(field, "%q is not a bank account head (4502...)", bank)
	}
	return nil
}

// RecordDeposit pays cheques and drafts in hand into a bank: a contra
// voucher (bank Dr, cheques in hand Cr) and the cheques marked deposited,
// in one transaction. The same key and slip returns the first deposit.
func (s *Service) RecordDeposit(ctx context.Context, tenant, actor string, in DepositInput) (Deposit, error) {
	today := s.today()
	in.Date = cmp.Or(in.Date, today)
	in.BankAccount = cmp.Or(in.BankAccount, DefaultBank)
	var vs []ledger.FieldViolation
	if in.IdempotencyKey == "" {
		vs = append(vs, ledger.FieldViolation{Field: "idempotency_key", Rule: "is required"})
	}
	if len(in.ReceiptIDs) == 0 || len(in.ReceiptIDs) > 500 {
		vs = append(vs, ledger.FieldViolation{Field: "receipt_ids", Rule: "a slip carries 1 to 500 cheques"})
	}
	if in.Date.After(today) {
		vs = append(vs, ledger.FieldViolation{Field: "date", Rule: "must not be after today"})
	}
	if len(vs) > 0 {
		return Deposit{}, &ledger.ValidationError{Violations: vs}
	}
	if err := checkBank("bank_account", in.BankAccount); err != nil {
		return Deposit{}, err
	}
	ids := slices.Clone(in.ReceiptIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	h := sha256.New()
	fmt.Fprintf(h, "%v|%s|%s|%q", ids, in.Date.Format(time.DateOnly), in.BankAccount, in.SlipNo)
	hash := h.Sum(nil)
	var out dbq.ChequeDeposit
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		prev, err := q.ChequeDepositByKey(ctx, dbq.ChequeDepositByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		rs, err := q.ReceiptLockMany(ctx, dbq.ReceiptLockManyParams{TenantID: tenant, Ids: ids})
		if err != nil {
			return fmt.Errorf("lock receipts: %w", err)
		}
		if len(rs) != len(ids) {
			return &ledger.NotFoundError{What: "one of the receipts"}
		}
		byFund := map[string]decimal.Decimal{}
		total := decimal.Zero
		for _, r := range rs {
			switch {
			case r.Status != string(Valid) || r.ChequeStatus.String != InHand:
				return refused("receipt_ids", fmt.Sprintf("receipt %s is not a cheque or draft in hand", r.Number))
			case r.ReceiptDate.After(in.Date):
				return invalid("date", "receipt %s is dated after the deposit", r.Number)
			}
			byFund[r.FundCode] = byFund[r.FundCode].Add(r.Amount)
			total = total.Add(r.Amount)
		}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{{Type: ledger.Contra, Date: in.Date,
			IdempotencyKey: "cheque-deposit:" + in.IdempotencyKey, SourceRef: "SLIP/" + in.SlipNo,
			Narration: fmt.Sprintf("%d cheques and drafts deposited, slip %s", len(rs), in.SlipNo),
			Lines:     bankLines(in.BankAccount, ChequesInHand, byFund)}})
		if err != nil {
			return err
		}
		out, err = q.ChequeDepositInsert(ctx, dbq.ChequeDepositInsertParams{TenantID: tenant, DepositDate: in.Date,
			BankAccount: in.BankAccount, SlipNo: in.SlipNo, Amount: total, VoucherID: posted[0].ID,
			IdempotencyKey: in.IdempotencyKey, RequestHash: hash, DepositedBy: actor})
		if err != nil {
			return fmt.Errorf("record deposit: %w", err)
		}
		return q.ReceiptDeposit(ctx, dbq.ReceiptDepositParams{TenantID: tenant, Ids: ids, DepositID: pgtype.Int8{Int64: out.ID, Valid: true}})
	})
	if err != nil {
		return Deposit{}, err
	}
	return depositOf(out), nil
}

// RecordRealisation marks deposited cheques and drafts realised (credited
// by the bank). It posts nothing: the deposit already debited the bank.
// Cheques already realised are left as they are.
func (s *Service) RecordRealisation(ctx context.Context, tenant string, ids []int64, on time.Time) ([]Receipt, error) {
	today := s.today()
	on = cmp.Or(on, today)
	if len(ids) == 0 || len(ids) > 500 {
		return nil, invalid("receipt_ids", "1 to 500 receipts")
	}
	if on.After(today) {
		return nil, invalid("date", "must not be after today")
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []Receipt
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rs, err := q.ReceiptLockMany(ctx, dbq.ReceiptLockManyParams{TenantID: tenant, Ids: ids})
		if err != nil {
			return fmt.Errorf("lock receipts: %w", err)
		}
		if len(rs) != len(ids) {
			return &ledger.NotFoundError{What: "one of the receipts"}
		}
		var todo []int64
		for _, r := range rs {
			switch {
			case r.ChequeStatus.String == Realised:
			case r.ChequeStatus.String != Deposited || r.Status != string(Valid):
				return refused("receipt_ids", fmt.Sprintf("receipt %s is not a deposited cheque or draft", r.Number))
			default:
				// A cheque is realised after it is deposited, never before.
				dep, err := q.ChequeDepositGet(ctx, dbq.ChequeDepositGetParams{TenantID: tenant, ID: r.DepositID.Int64})
				if err != nil {
					return fmt.Errorf("read deposit of receipt %s: %w", r.Number, err)
				}
				if dep.DepositDate.After(on) {
					return invalid("date", "receipt %s was deposited on %s, after it", r.Number, dep.DepositDate.Format(time.DateOnly))
				}
				todo = append(todo, r.ID)
			}
		}
		if len(todo) > 0 {
			if err := q.ReceiptRealise(ctx, dbq.ReceiptRealiseParams{TenantID: tenant, Ids: todo, RealisedOn: &on}); err != nil {
				return fmt.Errorf("mark realised: %w", err)
			}
		}
		out, err = readReceipts(ctx, q, tenant, ids)
		return err
	})
	return out, err
}
