package expenditure

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// lockBill reads a bill with its lines and holds it until the transaction ends.
func lockBill(ctx context.Context, q *dbq.Queries, tenant string, id int64) (Bill, error) {
	row, err := q.ExpenditureBillGetForUpdate(ctx, dbq.ExpenditureBillGetForUpdateParams{TenantID: tenant, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Bill{}, &ledger.NotFoundError{What: fmt.Sprintf("bill %d", id)}
	}
	if err != nil {
		return Bill{}, fmt.Errorf("lock bill: %w", err)
	}
	bs, err := withLines(ctx, q, tenant, []dbq.ExpenditureBill{row})
	if err != nil {
		return Bill{}, err
	}
	return bs[0], nil
}

func stateError(format string, args ...any) error {
	return &ledger.PreconditionError{Field: "bill_id", Kind: ErrBillState, Reason: fmt.Sprintf(format, args...)}
}

// voucher is the bill's journal: Dr each line's head (its function, the
// bill's fund); Cr the creditor head with the party for the net, and each
// deduction's liability head with the party (retention money and security
// deposits are held per contractor). The credits take the function of the
// bill's first line: a bill is one liability, however many functions it
// charges.
func (b Bill) voucher() ledger.Voucher {
	v := ledger.Voucher{Type: ledger.Journal, Date: b.Date, IdempotencyKey: "bill:" + fmt.Sprint(b.ID), SourceRef: b.Source(),
		Narration: fmt.Sprintf("Bill %s of %s: %s", b.PartyBillNumber, b.PartyCode, b.Narration)}
	fn := b.Lines[0].FunctionCode
	for _, l := range b.Lines {
		v.Lines = append(v.Lines, ledger.Line{AccountCode: l.AccountCode, FundCode: b.FundCode, FunctionCode: l.FunctionCode, Debit: l.Amount})
	}
	v.Lines = append(v.Lines, ledger.Line{AccountCode: b.CreditorAccount, FundCode: b.FundCode, FunctionCode: fn, Party: b.PartyCode, Credit: b.Net})
	for _, d := range b.DeductionLines {
		v.Lines = append(v.Lines, ledger.Line{AccountCode: d.AccountCode, FundCode: b.FundCode, FunctionCode: fn, Party: b.PartyCode, Credit: d.Amount})
	}
	return v
}

// ApproveBill approves a submitted bill as checker, who must not be its
// maker (the approver role is checked at the edge). In one transaction it
// charges the bill's lines to the budget (budget.ChargeTx: a block-mode
// line the bill would overspend refuses it, naming the line and the
// shortfall; the bill's work or purchase order gives up what the bill
// consumes), then posts the bill's journal and records the decision. It
// returns the warn-mode lines the bill overspent.
func (s *Service) ApproveBill(ctx context.Context, tenant, checker string, id int64) (Bill, []budget.Flag, error) {
	var flags []budget.Flag
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		b, err := lockBill(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		switch {
		case b.Status != "submitted":
			return stateError("bill %d is already %s by %s", id, b.Status, b.DecidedBy)
		case b.CreatedBy == checker:
			return &ledger.PreconditionError{Field: "bill_id", Kind: ledger.ErrSelfApproval,
				Reason: fmt.Sprintf("%s entered bill %d and may not approve it: another approver must", checker, id)}
		}
		charges := make([]budget.Charge, len(b.Lines))
		for i, l := range b.Lines {
			charges[i] = budget.Charge{AccountCode: l.AccountCode, FunctionCode: l.FunctionCode, FundCode: b.FundCode,
				Amount: l.Amount, CommitmentID: b.CommitmentID}
		}
		charged, err := s.budget.ChargeTx(ctx, tx, tenant, b.Date, b.Source(), charges)
		if err != nil {
			return err
		}
		flags = charged.Flags
		posted, err := s.ledger.PostTx(ctx, tx, tenant, checker, []ledger.Voucher{b.voucher()})
		if err != nil {
			return unprefix(err)
		}
		_, err = q.ExpenditureBillDecide(ctx, dbq.ExpenditureBillDecideParams{TenantID: tenant, ID: id, Status: "approved",
			DecidedBy: pgtype.Text{String: checker, Valid: true}, VoucherID: pgtype.Int8{Int64: posted[0].ID, Valid: true}})
		return err
	})
	if err != nil {
		return Bill{}, nil, err
	}
	b, err := s.Bill(ctx, tenant, id)
	return b, flags, err
}

// unprefix names a ledger precondition (a closed period) by the bill's
// fields rather than the voucher's.
func unprefix(err error) error {
	var pe *ledger.PreconditionError
	if errors.As(err, &pe) {
		pe.Field = strings.Replace(pe.Field, "vouchers[0].", "", 1)
	}
	return err
}

// RejectBill refuses a submitted bill with a note; it posts nothing.
func (s *Service) RejectBill(ctx context.Context, tenant, checker string, id int64, note string) (Bill, error) {
	if strings.TrimSpace(note) == "" {
		return Bill{}, invalid("note", "is required: say why the bill is rejected")
	}
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		b, err := lockBill(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		switch {
		case b.Status != "submitted":
			return stateError("bill %d is already %s", id, b.Status)
		case b.CreatedBy == checker:
			return &ledger.PreconditionError{Field: "bill_id", Kind: ledger.ErrSelfApproval,
				Reason: fmt.Sprintf("%s entered bill %d and may not reject it", checker, id)}
		}
		_, err = q.ExpenditureBillDecide(ctx, dbq.ExpenditureBillDecideParams{TenantID: tenant, ID: id, Status: "rejected",
			DecidedBy: pgtype.Text{String: checker, Valid: true}, DecisionNote: note})
		return err
	})
	if err != nil {
		return Bill{}, err
	}
	return s.Bill(ctx, tenant, id)
}

// CancelBill cancels an approved bill nothing has been paid on: its
// journal is reversed on date and its budget charges released (what it drew
// from its order is reserved again), in one transaction.
func (s *Service) CancelBill(ctx context.Context, tenant, actor string, id int64, date time.Time, reason string) (Bill, error) {
	if strings.TrimSpace(reason) == "" {
		return Bill{}, invalid("reason", "is required")
	}
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		b, err := lockBill(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		switch {
		case b.Status != "approved":
			return stateError("bill %d is %s: only an approved bill is cancelled", id, b.Status)
		case b.Paid.IsPositive():
			return stateError("bill %d has %s paid on it: recover the payment first", id, b.Paid.StringFixed(2))
		}
		// The budget lines first, then the ledger's chain head, as at approval.
		if err := s.budget.ReleaseTx(ctx, tx, tenant, date, b.Source()); err != nil {
			return err
		}
		rev, err := s.ledger.ReverseTx(ctx, tx, tenant, actor, b.VoucherID, date, "bill cancelled: "+reason, "bill-cancel:"+fmt.Sprint(id))
		if err != nil {
			return err
		}
		_, err = q.ExpenditureBillCancel(ctx, dbq.ExpenditureBillCancelParams{TenantID: tenant, ID: id,
			CancelVoucherID: pgtype.Int8{Int64: rev.ID, Valid: true}, DecisionNote: reason})
		return err
	})
	if err != nil {
		return Bill{}, err
	}
	return s.Bill(ctx, tenant, id)
}
