package assets

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// depreciable is what the straight-line charge of one asset depends on.
type depreciable struct {
	putToUse      time.Time
	depreciatedTo *time.Time
	gross         decimal.Decimal // cost and revaluation
	residual      decimal.Decimal
	accumulated   decimal.Decimal
	terms         Terms // a life, or a rate
}

var daysInYear = decimal.NewFromInt(365)

// charge is the straight-line depreciation of d from the day after it was
// last charged (or from the day it was put to use) through the day
// through, both days counted: (gross - residual) / life a year, or rate
// percent of gross (its cost, with any revaluation) a year, pro rata by
// days over a 365-day year, rounded half-up to the paisa, and never more
// than takes it to its residual value.
func charge(d depreciable, through time.Time) decimal.Decimal {
	from := d.putToUse
	if d.depreciatedTo != nil {
		from = d.depreciatedTo.AddDate(0, 0, 1)
	}
	if from.After(through) || !d.terms.Set() {
		return decimal.Zero
	}
	days := decimal.NewFromInt(int64(through.Sub(from).Hours()/24) + 1)
	base := d.gross.Sub(d.residual)
	var amount decimal.Decimal
	if d.terms.UsefulLifeYears > 0 {
		amount = base.Mul(days).Div(daysInYear.Mul(decimal.NewFromInt(int64(d.terms.UsefulLifeYears)))).Round(2)
	} else {
		amount = d.gross.Mul(d.terms.RatePercent).Mul(days).Div(daysInYear.Mul(hundred)).Round(2)
	}
	left := base.Sub(d.accumulated)
	if amount.GreaterThan(left) {
		amount = left
	}
	if amount.IsNegative() {
		return decimal.Zero
	}
	return amount
}

// Run is a depreciation run.
type Run struct {
	ID          int64
	ThroughDate time.Time
	Total       decimal.Decimal
	Assets      int
	VoucherID   int64 // 0 when it charged nothing
	RunBy       string
	// Replayed: a run through this date existed, and is returned as it was.
	Replayed bool
}

// Depreciate charges every depreciable asset in use for the days since it
// was last charged (or put to use) through the day through: one journal,
// Dr the classes' depreciation heads, Cr their accumulated-depreciation
// heads, by fund and function. It is idempotent: a run through a date
// already run returns that run and posts nothing, and an asset is never
// charged twice for a day whatever dates runs are given. Land and any other
// class not depreciated is skipped.
func (s *Service) Depreciate(ctx context.Context, tenant, actor string, through time.Time) (Run, error) {
	if through.IsZero() {
		return Run{}, invalid("through_date", "is required")
	}
	var out Run
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = s.depreciateTx(ctx, tx, tenant, actor, through)
		return err
	})
	return out, err
}

// depreciateTx is Depreciate in the caller's transaction, scoped to tenant.
func (s *Service) depreciateTx(ctx context.Context, tx pgx.Tx, tenant, actor string, through time.Time) (Run, error) {
	var out Run
	err := func() error {
		q := dbq.New(tx)
		if err := q.DepreciationRunLock(ctx, tenant); err != nil {
			return fmt.Errorf("lock depreciation: %w", err)
		}
		prev, err := q.DepreciationRunByDate(ctx, dbq.DepreciationRunByDateParams{TenantID: tenant, ThroughDate: through})
		switch {
		case err == nil:
			out = runOf(prev)
			out.Replayed = true
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("look up run: %w", err)
		}
		st, err := stateTerms(ctx, q, tenant)
		if err != nil {
			return err
		}
		rows, err := q.AssetDepreciableLock(ctx, dbq.AssetDepreciableLockParams{TenantID: tenant, ThroughDate: through})
		if err != nil {
			return fmt.Errorf("lock assets: %w", err)
		}
		type key struct{ expense, accumulated, fund, function string }
		byKey := map[key]decimal.Decimal{}
		upd := dbq.AssetDepreciateManyParams{TenantID: tenant, ThroughDate: through}
		total := decimal.Zero
		for _, r := range rows {
			terms := resolve(r.ClassCode, Terms{UsefulLifeYears: int(r.UsefulLifeYears.Int32), RatePercent: r.RatePercent}, st)
			if !terms.Set() {
				// SaveClass refuses such a class; one written around it stops the run.
				return stateError("class %s of asset %s has no useful life or rate, and no default gives one", r.ClassCode, r.Code)
			}
			amt := charge(depreciable{putToUse: *r.PutToUseOn, depreciatedTo: r.DepreciatedTo, gross: r.Cost.Add(r.Revaluation),
				residual: r.ResidualValue, accumulated: r.Accumulated, terms: terms}, through)
			// Every asset examined is charged to the date, even with nothing
			// left to charge, so no later run looks at these days again.
			upd.Ids = append(upd.Ids, r.ID)
			upd.Amounts = append(upd.Amounts, amt)
			if amt.IsPositive() {
				k := key{r.DepreciationAccount.String, r.AccumulatedAccount.String, r.FundCode, r.FunctionCode}
				byKey[k] = byKey[k].Add(amt)
				total = total.Add(amt)
			}
		}
		var vid int64
		if total.IsPositive() {
			keys := make([]key, 0, len(byKey))
			for k := range byKey {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				a, b := keys[i], keys[j]
				return a.expense+a.fund+a.function+a.accumulated < b.expense+b.fund+b.function+b.accumulated
			})
			v := ledger.Voucher{Type: ledger.Journal, Date: through, IdempotencyKey: "depreciation:" + through.Format(time.DateOnly),
				SourceRef: "DEPRECIATION/" + through.Format(time.DateOnly),
				Narration: fmt.Sprintf("Depreciation (straight line) through %s", through.Format(time.DateOnly))}
			for _, k := range keys {
				v.Lines = append(v.Lines,
					ledger.Line{AccountCode: k.expense, FundCode: k.fund, FunctionCode: k.function, Debit: byKey[k]},
					ledger.Line{AccountCode: k.accumulated, FundCode: k.fund, FunctionCode: k.function, Credit: byKey[k]})
			}
			if vid, err = s.post(ctx, tx, tenant, actor, v); err != nil {
				return err
			}
		}
		if len(upd.Ids) > 0 {
			if err := q.AssetDepreciateMany(ctx, upd); err != nil {
				return fmt.Errorf("charge assets: %w", err)
			}
			if err := q.AssetEventInsertMany(ctx, dbq.AssetEventInsertManyParams{TenantID: tenant, AssetIds: upd.Ids, Amounts: upd.Amounts,
				Kind: "depreciation", EventDate: through, VoucherID: vid, Detail: "run through " + through.Format(time.DateOnly), Actor: actor}); err != nil {
				return fmt.Errorf("record depreciation: %w", err)
			}
		}
		arg := dbq.DepreciationRunInsertParams{TenantID: tenant, ThroughDate: through, Total: total, Assets: int32(len(upd.Ids)), RunBy: actor}
		arg.VoucherID.Int64, arg.VoucherID.Valid = vid, vid != 0
		run, err := q.DepreciationRunInsert(ctx, arg)
		if err != nil {
			return fmt.Errorf("record run: %w", err)
		}
		out = runOf(run)
		return nil
	}()
	return out, err
}

func runOf(r dbq.DepreciationRun) Run {
	return Run{ID: r.ID, ThroughDate: r.ThroughDate, Total: r.Total, Assets: int(r.Assets), VoucherID: r.VoucherID.Int64, RunBy: r.RunBy}
}
