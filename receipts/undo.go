package receipts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// CancelInput cancels a receipt.
type CancelInput struct {
	ReceiptID int64
	Reason    string
	// Approver says the caller may cancel a receipt of an earlier day; on
	// its own day the cashier's supervisor may.
	Approver bool
}

// Cancel cancels a receipt, with a reason: its receipt voucher (and rebate
// journal) reversed, the demand lines it settled reinstated and any advance
// it left taken back, in one transaction. The receipt keeps its number,
// marked cancelled. Whoever took the receipt may not cancel it; on its own
// day a supervisor may, later only an approver. Cash already remitted and
// cheques already deposited are not cancelled (refund, or record the
// dishonour). Cancelling again with the same reason returns the receipt.
//
// Nor is a receipt whose advance a later demand has taken (ErrAdvanceSpent,
// FailedPrecondition), though a dishonour in that case reinstates the
// demand: a dishonour is a fact the bank reports and must be recorded,
// while a cancellation is a supervisor's correction of a counter mistake,
// meant for the same day, before anything else rests on the receipt (the
// same reason remitted cash and deposited cheques refuse it). Reopening a
// demand that its bill, and the consumer, were told was settled is not a
// side effect a correction should have; the cheque's dishonour, or a
// refund, says what actually happened.
func (s *Service) Cancel(ctx context.Context, tenant, actor string, in CancelInput) (Receipt, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Receipt{}, invalid("reason", "is required")
	}
	today := s.today()
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		r, err := lockReceipt(ctx, q, tenant, in.ReceiptID)
		if err != nil {
			return err
		}
		switch {
		case r.Status == string(Cancelled) && r.UndoReason == in.Reason:
			return nil // a retry
		case r.Status != string(Valid):
			return refused("receipt_id", fmt.Sprintf("receipt %s is %s already", r.Number, r.Status))
		case r.CollectedBy == actor:
			return notAllowed(fmt.Sprintf("receipt %s was taken by %s: their supervisor cancels it, not they", r.Number, actor))
		case !r.ReceiptDate.Equal(today) && !in.Approver:
			return notAllowed(fmt.Sprintf("receipt %s is of %s: after its day only an approver cancels it", r.Number,
				r.ReceiptDate.Format(time.DateOnly)))
		case r.RemittanceID.Valid:
			return refused("receipt_id", fmt.Sprintf("the cash of receipt %s is remitted to the bank: refund it instead", r.Number))
		case r.ChequeStatus.Valid && r.ChequeStatus.String != InHand:
			return refused("receipt_id", fmt.Sprintf("the %s of receipt %s is %s: record its dishonour, or refund it", r.Mode, r.Number, r.ChequeStatus.String))
		}
		if _, err := s.undoCollection(ctx, tx, tenant, actor, r, billing.AdvanceCancelled, today); err != nil {
			return err
		}
		reversal, err := s.ledger.ReverseTx(ctx, tx, tenant, actor, r.VoucherID, today, "receipt cancelled: "+in.Reason,
			fmt.Sprintf("receipt-cancel:%d", r.ID))
		if err != nil {
			return err
		}
		if err := s.reverseRebate(ctx, tx, tenant, actor, r, today, "receipt cancelled: "+in.Reason); err != nil {
			return err
		}
		return q.ReceiptUndo(ctx, dbq.ReceiptUndoParams{TenantID: tenant, ID: r.ID, Status: string(Cancelled),
			UndoneOn: &today, UndoneBy: pgtype.Text{String: actor, Valid: true}, UndoReason: in.Reason,
			UndoVoucherID: pgtype.Int8{Int64: reversal.ID, Valid: true}})
	})
	if err != nil {
		return Receipt{}, err
	}
	return s.Get(ctx, tenant, in.ReceiptID)
}

func lockReceipt(ctx context.Context, q *dbq.Queries, tenant string, id int64) (dbq.Receipt, error) {
	r, err := q.ReceiptLock(ctx, dbq.ReceiptLockParams{TenantID: tenant, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return r, &ledger.NotFoundError{What: fmt.Sprintf("receipt %d", id)}
	}
	if err != nil {
		return r, fmt.Errorf("lock receipt: %w", err)
	}
	return r, nil
}

// undoCollection reinstates what receipt r settled and takes back the
// advance it left, in tx, and returns the receipt as read. A dishonour
// takes the advance back even where later demands have taken it, by
// reinstating them (billing.TakeBackAdvance, dated day); a cancellation is
// refused there (see Cancel).
func (s *Service) undoCollection(ctx context.Context, tx pgx.Tx, tenant, actor string, r dbq.Receipt, why billing.AdvanceReason, day time.Time) (Receipt, error) {
	rs, err := readReceipts(ctx, dbq.New(tx), tenant, []int64{r.ID})
	if err != nil {
		return Receipt{}, err
	}
	rc := rs[0]
	keys := make([]billing.ConsumerKey, len(rc.Items))
	for i, it := range rc.Items {
		keys[i] = billing.ConsumerKey{Service: it.Service, ConsumerCode: it.ConsumerCode}
	}
	if _, err := s.billing.LockConsumers(ctx, tx, tenant, keys); err != nil {
		return Receipt{}, err
	}
	allocs := make([]billing.Allocation, len(rc.Allocations))
	for i, a := range rc.Allocations {
		allocs[i] = billing.Allocation{DemandID: a.DemandID, LineNo: a.LineNo, Head: a.Head, Kind: billing.AllocationKind(a.Kind), Amount: a.Amount}
	}
	if err := s.billing.Uncollect(ctx, tx, tenant, allocs); err != nil {
		return Receipt{}, err
	}
	for _, it := range rc.Items {
		if !it.Advance.IsPositive() {
			continue
		}
		m := billing.AdvanceMove{Service: it.Service, ConsumerCode: it.ConsumerCode, Amount: it.Advance.Neg(), Reason: why, ReceiptID: r.ID}
		if why == billing.AdvanceDishonoured {
			err = s.billing.TakeBackAdvance(ctx, tx, tenant, actor, m, day)
		} else {
			err = s.billing.MoveAdvance(ctx, tx, tenant, m)
		}
		if why == billing.AdvanceCancelled && errors.Is(err, billing.ErrAdvanceSpent) {
			return Receipt{}, &ledger.PreconditionError{Field: "receipt_id", Kind: billing.ErrAdvanceSpent,
				Reason: fmt.Sprintf("receipt %s left %s an advance of %s for %s, and a later demand has taken it: the receipt is not cancelled (record the cheque's dishonour if it bounced, or refund)",
					r.Number, it.ConsumerCode, it.Advance.StringFixed(2), it.Service)}
		}
		if err != nil {
			return Receipt{}, err
		}
	}
	return rc, nil
}

// reverseRebate reverses the rebate journal of a receipt that no longer
// stands: the rebate was for paying, and the payment is undone.
func (s *Service) reverseRebate(ctx context.Context, tx pgx.Tx, tenant, actor string, r dbq.Receipt, day time.Time, reason string) error {
	if !r.RebateVoucherID.Valid {
		return nil
	}
	_, err := s.ledger.ReverseTx(ctx, tx, tenant, actor, r.RebateVoucherID.Int64, day, reason, fmt.Sprintf("receipt-undo-rebate:%d", r.ID))
	return err
}

// DishonourInput records a cheque or draft returned unpaid.
type DishonourInput struct {
	ReceiptID int64
	Date      time.Time // default today
	Reason    string    // the bank's return reason, e.g. "insufficient funds"
}

// RecordDishonour records that a receipt's cheque or draft was returned
// unpaid: the receipt is marked dishonoured, the demand lines it settled are
// reinstated, its advance taken back (reinstating, for what of it later
// demands have taken, those demands), its rebate reversed, and its receipt
// voucher undone against cheques in hand (not yet deposited: the receipt
// voucher reversed) or the bank it was deposited in (a journal: receivables
// Dr, bank Cr). When the service's settings name a dishonour charge, it is
// raised as a new demand on the first consumer the receipt paid for.
func (s *Service) RecordDishonour(ctx context.Context, tenant, actor string, in DishonourInput) (Receipt, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Receipt{}, invalid("reason", "is required")
	}
	today := s.today()
	if in.Date.IsZero() {
		in.Date = today
	}
	if in.Date.After(today) {
		return Receipt{}, invalid("date", "must not be after today")
	}
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		r, err := lockReceipt(ctx, q, tenant, in.ReceiptID)
		if err != nil {
			return err
		}
		switch {
		case r.Status == string(Dishonoured):
			return nil // a retry
		case !Mode(r.Mode).instrument():
			return refused("receipt_id", fmt.Sprintf("receipt %s was paid by %s, not by cheque or draft", r.Number, r.Mode))
		case r.Status != string(Valid):
			return refused("receipt_id", fmt.Sprintf("receipt %s is %s", r.Number, r.Status))
		case r.ChequeStatus.String == Realised:
			return refused("receipt_id", fmt.Sprintf("the %s of receipt %s is realised", r.Mode, r.Number))
		case in.Date.Before(r.ReceiptDate):
			return invalid("date", "must not be before the receipt's date (%s)", r.ReceiptDate.Format(time.DateOnly))
		}
		rc, err := s.undoCollection(ctx, tx, tenant, actor, r, billing.AdvanceDishonoured, in.Date)
		if err != nil {
			return err
		}
		reason := fmt.Sprintf("%s %s dishonoured: %s", r.Mode, r.InstrumentNo, in.Reason)
		undo, err := s.dishonourVoucher(ctx, tx, tenant, actor, r, in.Date, reason)
		if err != nil {
			return err
		}
		if err := s.reverseRebate(ctx, tx, tenant, actor, r, in.Date, reason); err != nil {
			return err
		}
		charge, err := s.raiseDishonourCharge(ctx, tx, tenant, actor, rc, undo, in.Date)
		if err != nil {
			return err
		}
		return q.ReceiptUndo(ctx, dbq.ReceiptUndoParams{TenantID: tenant, ID: r.ID, Status: string(Dishonoured),
			UndoneOn: &in.Date, UndoneBy: pgtype.Text{String: actor, Valid: true}, UndoReason: in.Reason,
			UndoVoucherID: pgtype.Int8{Int64: undo.ID, Valid: true}, DishonourDemandID: pgtype.Int8{Int64: charge, Valid: charge != 0}})
	})
	if err != nil {
		return Receipt{}, err
	}
	return s.Get(ctx, tenant, in.ReceiptID)
}

// dishonourVoucher undoes a dishonoured instrument's receipt voucher: a
// cheque still in hand by reversing it; one deposited by a journal that
// debits back what the receipt credited and credits the bank it went into.
func (s *Service) dishonourVoucher(ctx context.Context, tx pgx.Tx, tenant, actor string, r dbq.Receipt, day time.Time, reason string) (ledger.Posted, error) {
	key := fmt.Sprintf("receipt-dishonour:%d", r.ID)
	if r.ChequeStatus.String == InHand {
		return s.ledger.ReverseTx(ctx, tx, tenant, actor, r.VoucherID, day, reason, key)
	}
	dep, err := dbq.New(tx).ChequeDepositGet(ctx, dbq.ChequeDepositGetParams{TenantID: tenant, ID: r.DepositID.Int64})
	if err != nil {
		return ledger.Posted{}, fmt.Errorf("read deposit: %w", err)
	}
	rv, err := s.ledger.Voucher(ctx, tenant, r.VoucherID)
	if err != nil {
		return ledger.Posted{}, err
	}
	v := ledger.Voucher{Type: ledger.Journal, Date: day, IdempotencyKey: key, SourceRef: r.Number,
		Narration: fmt.Sprintf("Receipt %s: %s; returned by the bank", r.Number, reason)}
	for _, l := range rv.Lines {
		m := l.Line
		m.Debit, m.Credit = l.Credit, l.Debit
		if m.AccountCode == ChequesInHand {
			m.AccountCode = dep.BankAccount
		}
		v.Lines = append(v.Lines, m)
	}
	posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
	if err != nil {
		return ledger.Posted{}, err
	}
	return posted[0], nil
}

// raiseDishonourCharge raises the service's dishonour charge, if it has
// one, on the receipt's first consumer, dated the day of dishonour and due
// at once. It returns the demand's id, or 0.
func (s *Service) raiseDishonourCharge(ctx context.Context, tx pgx.Tx, tenant, actor string, rc Receipt, undo ledger.Posted, day time.Time) (int64, error) {
	settings, err := readSettings(ctx, dbq.New(tx), tenant)
	if err != nil {
		return 0, err
	}
	it := rc.Items[0]
	st := settings.of(it.Service)
	if !st.DishonourCharge.IsPositive() {
		return 0, nil
	}
	ward := ""
	for _, l := range undo.Lines {
		if l.Party == it.ConsumerCode && l.FieldCode != "" {
			ward = l.FieldCode
		}
	}
	ids, err := s.billing.RaiseTx(ctx, tx, tenant, actor, billing.FromManual, []billing.DemandInput{{Service: it.Service,
		ConsumerCode: it.ConsumerCode, Ward: ward, PeriodFrom: day, PeriodTo: day, Date: day, DueDate: day,
		IdempotencyKey: fmt.Sprintf("dishonour:%d", rc.ID),
		Lines:          []billing.DemandLineInput{{Head: st.DishonourHead, Amount: st.DishonourCharge}}}})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}
