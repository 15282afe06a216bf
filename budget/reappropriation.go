package budget

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// ReappropriationInput moves budget from one line to another under a
// sanction.
type ReappropriationInput struct {
	FromLineID, ToLineID int64
	Amount               decimal.Decimal
	SanctionNumber       string
	SanctionDate         time.Time
	Reason               string
	IdempotencyKey       string
}

// Reappropriation is a sanctioned move of budget, kept for ever.
type Reappropriation struct {
	ID                   int64
	FiscalYear           int
	FromLineID, ToLineID int64
	Amount               decimal.Decimal
	SanctionNumber       string
	SanctionDate         time.Time
	Reason               string
	SanctionedBy         string
	IdempotencyKey       string
	CreatedAt            time.Time
}

func reappropriationOf(r dbq.BudgetReappropriation) Reappropriation {
	return Reappropriation{ID: r.ID, FiscalYear: int(r.FiscalYear), FromLineID: r.FromLineID, ToLineID: r.ToLineID, Amount: r.Amount,
		SanctionNumber: r.SanctionNumber, SanctionDate: r.SanctionDate, Reason: r.Reason, SanctionedBy: r.SanctionedBy,
		IdempotencyKey: r.IdempotencyKey, CreatedAt: r.CreatedAt}
}

func (in ReappropriationInput) hash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%d|%s|%q|%s|%q", in.FromLineID, in.ToLineID, in.Amount.StringFixed(2), in.SanctionNumber,
		in.SanctionDate.Format(time.DateOnly), in.Reason)
	return h.Sum(nil)
}

// Reappropriate records a sanctioned re-appropriation, by the approver who
// sanctioned it (the role is checked at the edge). The rules: both lines of
// one year and one fund; never from a capital line to a revenue line (see
// Line.Capital); and never more than the giving line has available (what
// is spent or committed cannot be moved), whatever its control. The same
// key and request returns the first record.
func (s *Service) Reappropriate(ctx context.Context, tenant, approver string, in ReappropriationInput) (Reappropriation, error) {
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: field, Rule: rule}) }
	if in.FromLineID <= 0 {
		bad("from_line_id", "is required")
	}
	if in.ToLineID <= 0 {
		bad("to_line_id", "is required")
	}
	if in.FromLineID == in.ToLineID && in.FromLineID > 0 {
		bad("to_line_id", "must differ from from_line_id")
	}
	if v := validAmount("amount", in.Amount, true); v != nil {
		vs = append(vs, *v)
	}
	if strings.TrimSpace(in.SanctionNumber) == "" {
		bad("sanction_number", "is required: the order that sanctions the re-appropriation")
	}
	if in.SanctionDate.IsZero() {
		bad("sanction_date", "is required")
	}
	if strings.TrimSpace(in.Reason) == "" {
		bad("reason", "is required")
	}
	if in.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if len(vs) > 0 {
		return Reappropriation{}, &ledger.ValidationError{Violations: vs}
	}
	hash := in.hash()
	var out dbq.BudgetReappropriation
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		ids := []int64{in.FromLineID, in.ToLineID}
		slices.Sort(ids)
		lines, err := lockLines(ctx, q, tenant, ids)
		if err != nil {
			return err
		}
		prev, err := q.BudgetReappropriationByKey(ctx, dbq.BudgetReappropriationByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		from, to := lines[in.FromLineID], lines[in.ToLineID]
		switch {
		case from.FiscalYear != to.FiscalYear:
			return refused("to_line_id", "%s is of %s and %s of %s: re-appropriation stays within a year", from.Label(),
				ledger.FiscalYearLabel(from.FiscalYear), to.Label(), ledger.FiscalYearLabel(to.FiscalYear))
		case from.FundCode != to.FundCode:
			return refused("to_line_id", "%s is in fund %s and %s in fund %s: re-appropriation stays within one fund",
				from.Label(), from.FundCode, to.Label(), to.FundCode)
		case from.Capital() && !to.Capital():
			return refused("to_line_id", "%s is a capital line and %s a revenue line: capital budget may not be moved to revenue",
				from.Label(), to.Label())
		case in.Amount.GreaterThan(from.Available()):
			return &ledger.PreconditionError{Field: "amount", Kind: ErrOverBudget,
				Reason: fmt.Sprintf("%s has %s available and cannot give %s: short by %s", from.Label(),
					from.Available().StringFixed(2), in.Amount.StringFixed(2), in.Amount.Sub(from.Available()).StringFixed(2))}
		}
		out, err = q.BudgetReappropriationInsert(ctx, dbq.BudgetReappropriationInsertParams{TenantID: tenant, FiscalYear: int32(from.FiscalYear),
			FromLineID: from.ID, ToLineID: to.ID, Amount: in.Amount, SanctionNumber: in.SanctionNumber, SanctionDate: in.SanctionDate,
			Reason: in.Reason, SanctionedBy: approver, IdempotencyKey: in.IdempotencyKey, RequestHash: hash})
		if db.UniqueViolation(err) != "" {
			return &ledger.ConflictError{Field: "idempotency_key", Key: in.IdempotencyKey}
		}
		if err != nil {
			return fmt.Errorf("insert re-appropriation: %w", err)
		}
		if err := q.BudgetLineAddTotals(ctx, dbq.BudgetLineAddTotalsParams{TenantID: tenant, ID: from.ID, Reappropriated: in.Amount.Neg()}); err != nil {
			return fmt.Errorf("debit line: %w", err)
		}
		if err := q.BudgetLineAddTotals(ctx, dbq.BudgetLineAddTotalsParams{TenantID: tenant, ID: to.ID, Reappropriated: in.Amount}); err != nil {
			return fmt.Errorf("credit line: %w", err)
		}
		return nil
	})
	if err != nil {
		return Reappropriation{}, err
	}
	return reappropriationOf(out), nil
}

// Reappropriations lists a year's re-appropriations, oldest first; of one
// line (to or from it) when lineID is set.
func (s *Service) Reappropriations(ctx context.Context, tenant string, fiscalYear int, lineID int64) ([]Reappropriation, error) {
	var out []Reappropriation
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).BudgetReappropriationList(ctx, dbq.BudgetReappropriationListParams{TenantID: tenant,
			FiscalYear: int32(fiscalYear), LineID: lineID})
		for _, r := range rows {
			out = append(out, reappropriationOf(r))
		}
		return err
	})
	return out, err
}
