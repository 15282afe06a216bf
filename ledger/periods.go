package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// PeriodInfo is one monthly period: period 1 is April, period 12 is March.
type PeriodInfo struct {
	FiscalYear, Period int
	StartsOn, EndsOn   time.Time
	Closed             bool
}

// OpenFiscalYearTx opens fiscal year fy (1 April fy to 31 March fy+1) with
// twelve open periods, in the caller's transaction.
func OpenFiscalYearTx(ctx context.Context, tx pgx.Tx, tenant string, fy int, actor string) ([]PeriodInfo, error) {
	if fy < 2000 || fy > 2100 {
		return nil, invalid("fiscal_year", "must be between 2000 and 2100")
	}
	q := dbq.New(tx)
	start := Date(fy, time.April, 1)
	err := q.FiscalYearInsert(ctx, dbq.FiscalYearInsertParams{TenantID: tenant, FiscalYear: int32(fy),
		StartsOn: start, EndsOn: Date(fy+1, time.March, 31), OpenedBy: actor})
	if db.UniqueViolation(err) != "" {
		return nil, &PreconditionError{Field: "fiscal_year", Kind: ErrPeriodState, Reason: fmt.Sprintf("fiscal year %s is already open", FiscalYearLabel(fy))}
	}
	if err != nil {
		return nil, fmt.Errorf("open fiscal year: %w", err)
	}
	rows := make([]dbq.PeriodInsertManyParams, 12)
	out := make([]PeriodInfo, 12)
	for i := range rows {
		s := start.AddDate(0, i, 0)
		e := s.AddDate(0, 1, -1)
		rows[i] = dbq.PeriodInsertManyParams{TenantID: tenant, FiscalYear: int32(fy), Period: int16(i + 1), StartsOn: s, EndsOn: e}
		out[i] = PeriodInfo{FiscalYear: fy, Period: i + 1, StartsOn: s, EndsOn: e}
	}
	err = db.WriterTx(ctx, tx, func() error {
		_, err := q.PeriodInsertMany(ctx, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create periods: %w", err)
	}
	return out, nil
}

// OpenFiscalYear opens fiscal year fy for tenant.
func (l *Ledger) OpenFiscalYear(ctx context.Context, tenant string, fy int, actor string) ([]PeriodInfo, error) {
	if err := l.requireTenant(ctx, tenant); err != nil {
		return nil, err
	}
	var out []PeriodInfo
	err := l.write(ctx, tenant, func(tx pgx.Tx, _ *dbq.Queries) error {
		var err error
		out, err = OpenFiscalYearTx(ctx, tx, tenant, fy, actor)
		return err
	})
	return out, err
}

// Periods lists a fiscal year's periods.
func (l *Ledger) Periods(ctx context.Context, tenant string, fy int) ([]PeriodInfo, error) {
	var rows []dbq.PeriodListRow
	err := l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		var err error
		rows, err = q.PeriodList(ctx, dbq.PeriodListParams{TenantID: tenant, FiscalYear: int32(fy)})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list periods: %w", err)
	}
	if len(rows) == 0 {
		return nil, &NotFoundError{What: fmt.Sprintf("fiscal year %s of tenant %q", FiscalYearLabel(fy), tenant)}
	}
	out := make([]PeriodInfo, len(rows))
	for i, r := range rows {
		out[i] = PeriodInfo{FiscalYear: int(r.FiscalYear), Period: int(r.Period), StartsOn: r.StartsOn, EndsOn: r.EndsOn, Closed: r.Closed}
	}
	return out, nil
}

// ClosePeriod stops posting into a period. It waits for postings already
// in flight in that period to commit (they hold it shared).
func (l *Ledger) ClosePeriod(ctx context.Context, tenant string, fy, period int, actor, reason string) (PeriodInfo, error) {
	return l.setPeriod(ctx, tenant, fy, period, true, actor, reason)
}

// ReopenPeriod allows posting into a closed period again.
func (l *Ledger) ReopenPeriod(ctx context.Context, tenant string, fy, period int, actor, reason string) (PeriodInfo, error) {
	return l.setPeriod(ctx, tenant, fy, period, false, actor, reason)
}

func (l *Ledger) setPeriod(ctx context.Context, tenant string, fy, period int, closed bool, actor, reason string) (PeriodInfo, error) {
	if reason == "" {
		return PeriodInfo{}, invalid("reason", "is required")
	}
	if period < 1 || period > 12 {
		return PeriodInfo{}, invalid("period", "must be 1 (April) to 12 (March)")
	}
	var out PeriodInfo
	err := l.write(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		p, err := q.PeriodGetForUpdate(ctx, dbq.PeriodGetForUpdateParams{TenantID: tenant, FiscalYear: int32(fy), Period: int16(period)})
		if errors.Is(err, pgx.ErrNoRows) {
			return &NotFoundError{What: fmt.Sprintf("period %d of fiscal year %s", period, FiscalYearLabel(fy))}
		}
		if err != nil {
			return fmt.Errorf("lock period: %w", err)
		}
		if p.Closed == closed {
			state := map[bool]string{true: "closed", false: "open"}[closed]
			return &PreconditionError{Field: "period", Kind: ErrPeriodState, Reason: fmt.Sprintf("period %d of %s is already %s", period, FiscalYearLabel(fy), state)}
		}
		if err := q.PeriodSetClosed(ctx, dbq.PeriodSetClosedParams{TenantID: tenant, FiscalYear: int32(fy), Period: int16(period), Closed: closed}); err != nil {
			return fmt.Errorf("set period: %w", err)
		}
		action := map[bool]string{true: "close", false: "reopen"}[closed]
		if _, err := q.PeriodEventInsert(ctx, dbq.PeriodEventInsertParams{TenantID: tenant, FiscalYear: int32(fy), Period: int16(period), Action: action, Actor: actor, Reason: reason}); err != nil {
			return fmt.Errorf("record period event: %w", err)
		}
		out = PeriodInfo{FiscalYear: fy, Period: period, StartsOn: p.StartsOn, EndsOn: p.EndsOn, Closed: closed}
		return nil
	})
	return out, err
}

func (l *Ledger) requireTenant(ctx context.Context, tenant string) error {
	err := l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		_, err := q.TenantGet(ctx, tenant)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return &NotFoundError{What: fmt.Sprintf("tenant %q", tenant)}
	}
	return err
}
