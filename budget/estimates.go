package budget

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// EstimateKind is which budget document an estimate is.
type EstimateKind string

// The kinds.
const (
	BE            EstimateKind = "be"            // budget estimates, before the year
	RE            EstimateKind = "re"            // revised estimates, during it; replace the BE line by line
	Supplementary EstimateKind = "supplementary" // a provision added during the year
)

// EstimateStatus is where an estimate stands: draft, submitted, then
// approved or rejected.
type EstimateStatus string

// The statuses.
const (
	Draft     EstimateStatus = "draft"
	Submitted EstimateStatus = "submitted"
	Approved  EstimateStatus = "approved"
	Rejected  EstimateStatus = "rejected"
)

// Estimate is a BE, an RE or a supplementary provision with its amounts
// per line.
type Estimate struct {
	ID           int64
	FiscalYear   int
	Kind         EstimateKind
	Reference    string
	Status       EstimateStatus
	DraftedBy    string
	SubmittedBy  string
	DecidedBy    string
	DecidedAt    *time.Time
	DecisionNote string
	Amounts      map[int64]decimal.Decimal // by line id
}

// Total is the sum of the estimate's amounts.
func (e Estimate) Total() decimal.Decimal {
	var t decimal.Decimal
	for _, a := range e.Amounts {
		t = t.Add(a)
	}
	return t
}

// DraftEstimate starts an estimate of kind for a year with amounts per
// line (more may be set with SetAmounts while it is a draft). A year has
// one live BE and one live RE (a rejected one may be drafted again);
// supplementary provisions are many, and need a reference saying why.
func (s *Service) DraftEstimate(ctx context.Context, tenant, actor string, fiscalYear int, kind EstimateKind, reference string,
	amounts map[int64]decimal.Decimal) (Estimate, error) {
	switch kind {
	case BE, RE:
	case Supplementary:
		if strings.TrimSpace(reference) == "" {
			return Estimate{}, invalid("reference", "a supplementary provision names its sanction or says why it is needed")
		}
	default:
		return Estimate{}, invalid("kind", "must be be, re or supplementary")
	}
	var id int64
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		row, err := q.BudgetEstimateInsert(ctx, dbq.BudgetEstimateInsertParams{TenantID: tenant, FiscalYear: int32(fiscalYear),
			Kind: string(kind), Reference: reference, DraftedBy: actor})
		if db.UniqueViolation(err) != "" {
			return &ledger.ExistsError{What: fmt.Sprintf("a %s for %s that is not rejected", strings.ToUpper(string(kind)), ledger.FiscalYearLabel(fiscalYear))}
		}
		if err != nil {
			return fmt.Errorf("insert estimate: %w", err)
		}
		id = row.ID
		return setAmounts(ctx, q, tenant, row, amounts)
	})
	if err != nil {
		return Estimate{}, err
	}
	return s.Estimate(ctx, tenant, id)
}

// SetAmounts sets amounts of a draft estimate, line by line.
func (s *Service) SetAmounts(ctx context.Context, tenant string, id int64, amounts map[int64]decimal.Decimal) (Estimate, error) {
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		e, err := lockEstimate(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		if EstimateStatus(e.Status) != Draft {
			return refused("estimate_id", "estimate %d is %s: only a draft's amounts may change", id, e.Status)
		}
		return setAmounts(ctx, q, tenant, e, amounts)
	})
	if err != nil {
		return Estimate{}, err
	}
	return s.Estimate(ctx, tenant, id)
}

func setAmounts(ctx context.Context, q *dbq.Queries, tenant string, e dbq.BudgetEstimate, amounts map[int64]decimal.Decimal) error {
	if len(amounts) == 0 {
		return nil
	}
	arg := dbq.BudgetEstimateAmountUpsertManyParams{TenantID: tenant, EstimateID: e.ID}
	var vs []ledger.FieldViolation
	for id, a := range amounts {
		if v := validAmount(fmt.Sprintf("amounts[%d]", id), a, false); v != nil {
			vs = append(vs, *v)
		}
		arg.LineIds = append(arg.LineIds, id)
		arg.Amounts = append(arg.Amounts, a)
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	lines, err := q.BudgetLineGetMany(ctx, dbq.BudgetLineGetManyParams{TenantID: tenant, Ids: arg.LineIds})
	if err != nil {
		return fmt.Errorf("read lines: %w", err)
	}
	year := map[int64]int32{}
	for _, l := range lines {
		year[l.ID] = l.FiscalYear
	}
	for _, id := range arg.LineIds {
		y, ok := year[id]
		switch {
		case !ok:
			return &ledger.NotFoundError{What: fmt.Sprintf("budget line %d", id)}
		case y != e.FiscalYear:
			return invalid(fmt.Sprintf("amounts[%d]", id), "line %d is of %s, the estimate of %s", id,
				ledger.FiscalYearLabel(int(y)), ledger.FiscalYearLabel(int(e.FiscalYear)))
		}
	}
	if err := q.BudgetEstimateAmountUpsertMany(ctx, arg); err != nil {
		return fmt.Errorf("set estimate amounts: %w", err)
	}
	return nil
}

// SubmitEstimate sends a draft for approval.
func (s *Service) SubmitEstimate(ctx context.Context, tenant, actor string, id int64) (Estimate, error) {
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		e, err := lockEstimate(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		if EstimateStatus(e.Status) != Draft {
			return refused("estimate_id", "estimate %d is already %s", id, e.Status)
		}
		_, err = q.BudgetEstimateSubmit(ctx, dbq.BudgetEstimateSubmitParams{TenantID: tenant, ID: id,
			SubmittedBy: pgtype.Text{String: actor, Valid: true}})
		return err
	})
	if err != nil {
		return Estimate{}, err
	}
	return s.Estimate(ctx, tenant, id)
}

// ApproveEstimate approves a submitted estimate as checker, who must be
// neither its drafter nor its submitter (the approver role is checked at the
// edge). Its amounts take effect on their lines in the same transaction: a
// BE sets each line's BE, an RE its RE, a supplementary provision adds to
// its supplementary provision.
func (s *Service) ApproveEstimate(ctx context.Context, tenant, checker string, id int64) (Estimate, error) {
	return s.decide(ctx, tenant, checker, id, Approved, "")
}

// RejectEstimate refuses a submitted estimate with a note; a BE or RE may
// then be drafted again.
func (s *Service) RejectEstimate(ctx context.Context, tenant, checker string, id int64, note string) (Estimate, error) {
	if strings.TrimSpace(note) == "" {
		return Estimate{}, invalid("note", "is required: say why the estimate is rejected")
	}
	return s.decide(ctx, tenant, checker, id, Rejected, note)
}

func (s *Service) decide(ctx context.Context, tenant, checker string, id int64, status EstimateStatus, note string) (Estimate, error) {
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		e, err := lockEstimate(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		switch {
		case EstimateStatus(e.Status) != Submitted:
			return refused("estimate_id", "estimate %d is %s: only a submitted estimate is decided", id, e.Status)
		case checker == e.DraftedBy || checker == e.SubmittedBy.String:
			return &ledger.PreconditionError{Field: "estimate_id", Kind: ledger.ErrSelfApproval,
				Reason: fmt.Sprintf("%s drafted or submitted estimate %d and may not decide it: another approver must", checker, id)}
		}
		if status == Approved {
			// The lines the estimate sets are locked first, in id order, as a
			// charge locks them.
			amounts, err := q.BudgetEstimateAmountsOf(ctx, dbq.BudgetEstimateAmountsOfParams{TenantID: tenant, EstimateIds: []int64{id}})
			if err != nil {
				return fmt.Errorf("read estimate amounts: %w", err)
			}
			ids := make([]int64, len(amounts))
			for i, a := range amounts {
				ids[i] = a.LineID
			}
			if _, err := lockLines(ctx, q, tenant, ids); err != nil {
				return err
			}
			if err := q.BudgetLineSetEstimate(ctx, dbq.BudgetLineSetEstimateParams{TenantID: tenant, EstimateID: id, Kind: e.Kind}); err != nil {
				return fmt.Errorf("apply estimate: %w", err)
			}
		}
		_, err = q.BudgetEstimateDecide(ctx, dbq.BudgetEstimateDecideParams{TenantID: tenant, ID: id, Status: string(status),
			DecidedBy: pgtype.Text{String: checker, Valid: true}, DecisionNote: note})
		return err
	})
	if err != nil {
		return Estimate{}, err
	}
	return s.Estimate(ctx, tenant, id)
}

func lockEstimate(ctx context.Context, q *dbq.Queries, tenant string, id int64) (dbq.BudgetEstimate, error) {
	e, err := q.BudgetEstimateGetForUpdate(ctx, dbq.BudgetEstimateGetForUpdateParams{TenantID: tenant, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return e, &ledger.NotFoundError{What: fmt.Sprintf("estimate %d", id)}
	}
	if err != nil {
		return e, fmt.Errorf("lock estimate: %w", err)
	}
	return e, nil
}

// Estimate reads one estimate with its amounts.
func (s *Service) Estimate(ctx context.Context, tenant string, id int64) (Estimate, error) {
	var out []Estimate
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.BudgetEstimateGetMany(ctx, dbq.BudgetEstimateGetManyParams{TenantID: tenant, Ids: []int64{id}})
		if err != nil {
			return fmt.Errorf("read estimate: %w", err)
		}
		out, err = withAmounts(ctx, q, tenant, rows)
		return err
	})
	if err != nil {
		return Estimate{}, err
	}
	if len(out) == 0 {
		return Estimate{}, &ledger.NotFoundError{What: fmt.Sprintf("estimate %d", id)}
	}
	return out[0], nil
}

// Estimates lists a year's estimates, oldest first.
func (s *Service) Estimates(ctx context.Context, tenant string, fiscalYear int) ([]Estimate, error) {
	var out []Estimate
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.BudgetEstimateList(ctx, dbq.BudgetEstimateListParams{TenantID: tenant, FiscalYear: int32(fiscalYear)})
		if err != nil {
			return fmt.Errorf("list estimates: %w", err)
		}
		out, err = withAmounts(ctx, q, tenant, rows)
		return err
	})
	return out, err
}

func withAmounts(ctx context.Context, q *dbq.Queries, tenant string, rows []dbq.BudgetEstimate) ([]Estimate, error) {
	out := make([]Estimate, len(rows))
	ids := make([]int64, len(rows))
	at := map[int64]int{}
	for i, r := range rows {
		out[i] = Estimate{ID: r.ID, FiscalYear: int(r.FiscalYear), Kind: EstimateKind(r.Kind), Reference: r.Reference,
			Status: EstimateStatus(r.Status), DraftedBy: r.DraftedBy, SubmittedBy: r.SubmittedBy.String, DecidedBy: r.DecidedBy.String,
			DecidedAt: r.DecidedAt, DecisionNote: r.DecisionNote, Amounts: map[int64]decimal.Decimal{}}
		ids[i] = r.ID
		at[r.ID] = i
	}
	amounts, err := q.BudgetEstimateAmountsOf(ctx, dbq.BudgetEstimateAmountsOfParams{TenantID: tenant, EstimateIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read estimate amounts: %w", err)
	}
	for _, a := range amounts {
		out[at[a.EstimateID]].Amounts[a.LineID] = a.Amount
	}
	return out, nil
}
