package budget

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The appropriation check. Expenditure (an approved bill, a payment
// voucher on an expense head) calls ChargeTx in the transaction that posts
// it, before it posts: ChargeTx finds the line each charge falls to, locks
// those lines in id order, checks what is available against what the
// charges need beyond what their commitments reserved, and records the
// charges on the lines. Because the lines stay locked until the caller
// commits, two bills on one line queue, and the second sees the first's
// charge: together they cannot overspend it.
//
// Actuals are the budget's own running total (budget_lines.actual, the sum
// of budget_charges), moved in the same transaction as the spending's
// voucher, rather than the ledger's balances: the ledger has no department
// dimension, capitalising CWIP and reclassifying JVs move heads without
// spending, and the locked line row then holds everything the check needs.
// The budget vs actual report shows the ledger's net debits beside them,
// so spending that bypassed the check shows up.

// Charge is spending on one head, function and fund.
type Charge struct {
	AccountCode  string // the detailed head debited
	FunctionCode string
	FundCode     string
	Amount       decimal.Decimal
	// CommitmentID, when set, is the work or purchase order the spending
	// draws on: up to its remaining amount is taken from what it reserved.
	CommitmentID int64
}

// Flag is a warn-mode line that the charges took past what was available.
type Flag struct {
	LineID    int64
	Line      string // the line's label
	Shortfall decimal.Decimal
}

// Charged is what ChargeTx did: the line each charge fell to (0 for a head
// no line controls) and the warn-mode lines it overspent.
type Charged struct {
	LineIDs []int64
	Flags   []Flag
}

// ChargeTx checks and records charges dated date and made by source (e.g.
// "BILL/12") in the caller's transaction, which must be scoped to tenant
// and must post the spending's voucher after this call (the budget lines
// are locked before the ledger's chain head, in every transaction, so they
// never deadlock). A block-mode line that the charges would overspend
// fails the whole call with a PreconditionError (Kind ErrOverBudget)
// naming the line and the shortfall; a warn-mode line passes with a Flag;
// heads no line covers pass unchecked.
func (s *Service) ChargeTx(ctx context.Context, tx pgx.Tx, tenant string, date time.Time, source string, charges []Charge) (Charged, error) {
	if source == "" {
		return Charged{}, invalid("source", "is required")
	}
	for i, c := range charges {
		if v := validAmount(fmt.Sprintf("charges[%d].amount", i), c.Amount, true); v != nil {
			return Charged{}, &ledger.ValidationError{Violations: []ledger.FieldViolation{*v}}
		}
	}
	q := dbq.New(tx)
	fy := ledger.FiscalYearOf(date)
	out := Charged{LineIDs: make([]int64, len(charges))}
	var ids []int64
	for i, c := range charges {
		id, err := matchLine(ctx, q, tenant, fy, c)
		if err != nil {
			return Charged{}, err
		}
		out.LineIDs[i] = id
		if id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	lines, err := lockLines(ctx, q, tenant, ids)
	if err != nil {
		return Charged{}, err
	}
	commitments, err := lockCommitments(ctx, q, tenant, charges)
	if err != nil {
		return Charged{}, err
	}

	// What each line needs beyond what its commitments reserved.
	type use struct {
		amount, fromCommitment decimal.Decimal
	}
	need := map[int64]*use{}
	drawn := make([]decimal.Decimal, len(charges))
	for i, c := range charges {
		id := out.LineIDs[i]
		if id == 0 {
			if c.CommitmentID != 0 {
				return Charged{}, invalid(fmt.Sprintf("charges[%d].commitment_id", i), "head %s/%s/%s falls to no budget line, so it cannot draw on commitment %d",
					c.AccountCode, c.FunctionCode, c.FundCode, c.CommitmentID)
			}
			continue
		}
		u := need[id]
		if u == nil {
			u = &use{}
			need[id] = u
		}
		u.amount = u.amount.Add(c.Amount)
		if c.CommitmentID != 0 {
			cm := commitments[c.CommitmentID]
			if cm.LineID != id {
				return Charged{}, invalid(fmt.Sprintf("charges[%d].commitment_id", i), "commitment %d (%s) reserves line %d, not %s",
					cm.ID, cm.Reference, cm.LineID, lines[id].Label())
			}
			drawn[i] = decimal.Min(c.Amount, cm.Amount.Sub(cm.Consumed))
			cm.Consumed = cm.Consumed.Add(drawn[i])
			commitments[c.CommitmentID] = cm
			u.fromCommitment = u.fromCommitment.Add(drawn[i])
		}
	}
	shortfalls := map[int64]decimal.Decimal{}
	for _, id := range ids {
		l, u := lines[id], need[id]
		shortfall, err := check(l, u.amount.Sub(u.fromCommitment))
		if err != nil {
			return Charged{}, err
		}
		if shortfall.IsPositive() {
			shortfalls[id] = shortfall
			out.Flags = append(out.Flags, Flag{LineID: id, Line: l.Label(), Shortfall: shortfall})
		}
	}
	for i, c := range charges {
		id := out.LineIDs[i]
		if id == 0 {
			continue
		}
		arg := dbq.BudgetChargeInsertParams{TenantID: tenant, LineID: id, ChargeDate: date, SourceRef: source, Amount: c.Amount,
			FromCommitment: drawn[i], Shortfall: shortfalls[id]}
		if c.CommitmentID != 0 {
			arg.CommitmentID = pgtype.Int8{Int64: c.CommitmentID, Valid: true}
			if drawn[i].IsPositive() {
				if err := q.BudgetCommitmentConsume(ctx, dbq.BudgetCommitmentConsumeParams{TenantID: tenant, ID: c.CommitmentID, Amount: drawn[i]}); err != nil {
					return Charged{}, fmt.Errorf("consume commitment: %w", err)
				}
			}
		}
		delete(shortfalls, id) // flagged once, on the line's first charge
		if _, err := q.BudgetChargeInsert(ctx, arg); err != nil {
			return Charged{}, fmt.Errorf("record charge: %w", err)
		}
	}
	for _, id := range ids {
		u := need[id]
		if err := q.BudgetLineAddTotals(ctx, dbq.BudgetLineAddTotalsParams{TenantID: tenant, ID: id,
			Actual: u.amount, Committed: u.fromCommitment.Neg()}); err != nil {
			return Charged{}, fmt.Errorf("update line totals: %w", err)
		}
	}
	return out, nil
}

// check applies a line's control to spending of need: the shortfall (zero
// when need fits what is available), or for a block-mode line a refusal.
// need exactly equal to what is available passes.
func check(l Line, need decimal.Decimal) (decimal.Decimal, error) {
	if l.Control == ControlNone || !need.IsPositive() {
		return decimal.Zero, nil
	}
	avail := l.Available()
	shortfall := need.Sub(decimal.Max(avail, decimal.Zero))
	if !shortfall.IsPositive() {
		return decimal.Zero, nil
	}
	if l.Control == ControlBlock {
		return decimal.Zero, &ledger.PreconditionError{Field: "budget", Kind: ErrOverBudget,
			Reason: fmt.Sprintf("budget %s has %s available and %s is needed: short by %s", l.Label(),
				avail.StringFixed(2), need.StringFixed(2), shortfall.StringFixed(2))}
	}
	return shortfall, nil
}

// matchLine finds the line a charge falls to: of the year's lines on its
// function and fund, the one whose head is the charge's head or a group
// containing it (lines never overlap, so there is at most one). 0: none.
func matchLine(ctx context.Context, q *dbq.Queries, tenant string, fy int, c Charge) (int64, error) {
	rows, err := q.BudgetLineMatch(ctx, dbq.BudgetLineMatchParams{TenantID: tenant, FiscalYear: int32(fy),
		FunctionCode: c.FunctionCode, FundCode: c.FundCode})
	if err != nil {
		return 0, fmt.Errorf("match budget line: %w", err)
	}
	for _, r := range rows {
		if strings.HasPrefix(c.AccountCode, r.HeadCode) {
			return r.ID, nil
		}
	}
	return 0, nil
}

// lockCommitments locks the commitments charges draw on, in id order, and
// checks each is open.
func lockCommitments(ctx context.Context, q *dbq.Queries, tenant string, charges []Charge) (map[int64]dbq.BudgetCommitment, error) {
	var ids []int64
	for _, c := range charges {
		if c.CommitmentID != 0 && !slices.Contains(ids, c.CommitmentID) {
			ids = append(ids, c.CommitmentID)
		}
	}
	out := map[int64]dbq.BudgetCommitment{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.BudgetCommitmentLockMany(ctx, dbq.BudgetCommitmentLockManyParams{TenantID: tenant, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("lock commitments: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	for _, id := range ids {
		cm, ok := out[id]
		switch {
		case !ok:
			return nil, &ledger.NotFoundError{What: fmt.Sprintf("commitment %d", id)}
		case cm.Status == "cancelled":
			return nil, refused("commitment_id", "commitment %d (%s) is cancelled", id, cm.Reference)
		}
	}
	return out, nil
}

// ReleaseTx undoes, in the caller's transaction, the charges source made
// (a cancelled bill): each gets a negative charge dated date, its amount
// leaves the line's actual, and what it drew from a commitment is reserved
// again (unless the commitment was cancelled since). Releasing twice
// releases nothing more.
func (s *Service) ReleaseTx(ctx context.Context, tx pgx.Tx, tenant string, date time.Time, source string) error {
	q := dbq.New(tx)
	charges, err := q.BudgetChargesOfSource(ctx, dbq.BudgetChargesOfSourceParams{TenantID: tenant, SourceRef: source})
	if err != nil {
		return fmt.Errorf("read charges: %w", err)
	}
	if len(charges) == 0 {
		return nil
	}
	var ids, cids []int64
	for _, c := range charges {
		if !slices.Contains(ids, c.LineID) {
			ids = append(ids, c.LineID)
		}
		if c.CommitmentID.Valid && !slices.Contains(cids, c.CommitmentID.Int64) {
			cids = append(cids, c.CommitmentID.Int64)
		}
	}
	slices.Sort(ids)
	if _, err := lockLines(ctx, q, tenant, ids); err != nil {
		return err
	}
	cms := map[int64]dbq.BudgetCommitment{}
	if len(cids) > 0 {
		rows, err := q.BudgetCommitmentLockMany(ctx, dbq.BudgetCommitmentLockManyParams{TenantID: tenant, Ids: cids})
		if err != nil {
			return fmt.Errorf("lock commitments: %w", err)
		}
		for _, r := range rows {
			cms[r.ID] = r
		}
	}
	for _, c := range charges {
		back := decimal.Zero
		if c.CommitmentID.Valid && cms[c.CommitmentID.Int64].Status != "cancelled" && c.FromCommitment.IsPositive() {
			back = c.FromCommitment
			if err := q.BudgetCommitmentConsume(ctx, dbq.BudgetCommitmentConsumeParams{TenantID: tenant, ID: c.CommitmentID.Int64, Amount: back.Neg()}); err != nil {
				return fmt.Errorf("restore commitment: %w", err)
			}
		}
		if _, err := q.BudgetChargeInsert(ctx, dbq.BudgetChargeInsertParams{TenantID: tenant, LineID: c.LineID, ChargeDate: date,
			SourceRef: source, Amount: c.Amount.Neg(), CommitmentID: c.CommitmentID, FromCommitment: back.Neg(),
			ReleasesID: pgtype.Int8{Int64: c.ID, Valid: true}}); err != nil {
			return fmt.Errorf("record release: %w", err)
		}
		if err := q.BudgetLineAddTotals(ctx, dbq.BudgetLineAddTotalsParams{TenantID: tenant, ID: c.LineID,
			Actual: c.Amount.Neg(), Committed: back}); err != nil {
			return fmt.Errorf("update line totals: %w", err)
		}
	}
	return nil
}
