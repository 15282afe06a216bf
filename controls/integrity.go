package controls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// chain recomputes the tenant's hash chain (ledger.Verify): a breach fails,
// naming the first voucher that no longer matches.
func (s *Service) chain(ctx context.Context, tenant string, _ time.Time) ([]Check, error) {
	v, err := s.ledger.Verify(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("verify chain: %w", err)
	}
	c := Check{Name: CheckHashChain, Title: "Voucher hash chain verified"}
	if v.Breach != nil {
		c.Status = Failed
		c.Summary = fmt.Sprintf("the chain breaks at voucher %s (position %d) after %d vouchers checked", v.Breach.Number, v.Breach.ChainSeq, v.Checked)
		c.Rows = []Row{{RefKind: RefVoucher, Ref: v.Breach.Number, Detail: v.Breach.Reason}}
		return []Check{c}, nil
	}
	c.Summary = fmt.Sprintf("%d vouchers checked, the chain is intact", v.Checked)
	return []Check{c}, nil
}

// periods lists, per fiscal year up to asOf's, which periods are closed. A
// year that ended before asOf with a period still open wants attention.
func (s *Service) periods(ctx context.Context, tenant string, asOf time.Time) ([]Check, error) {
	var ps []dbq.ControlPeriodsRow
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		ps, err = dbq.New(tx).ControlPeriods(ctx, dbq.ControlPeriodsParams{TenantID: tenant, AsOf: asOf})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read periods: %w", err)
	}
	c := Check{Name: CheckPeriods, Title: "Periods closed"}
	type year struct {
		closed, open []string
		ends         time.Time
	}
	var order []int32
	years := map[int32]*year{}
	for _, p := range ps {
		y, ok := years[p.FiscalYear]
		if !ok {
			y = &year{}
			years[p.FiscalYear] = y
			order = append(order, p.FiscalYear)
		}
		name := p.StartsOn.Format("Jan 2006")
		if p.Closed {
			y.closed = append(y.closed, name)
		} else {
			y.open = append(y.open, name)
		}
		y.ends = p.EndsOn
	}
	var summary []string
	for _, fy := range order {
		y := years[fy]
		detail := fmt.Sprintf("%d of %d periods closed", len(y.closed), len(y.closed)+len(y.open))
		if len(y.closed) > 0 {
			detail += " (" + strings.Join(y.closed, ", ") + ")"
		}
		if !y.ends.IsZero() && y.ends.Before(asOf) && len(y.open) > 0 {
			c.Status = Attention
			detail += "; the year has ended with " + strings.Join(y.open, ", ") + " still open"
		}
		c.Rows = append(c.Rows, Row{RefKind: RefPeriod, Ref: fmt.Sprintf("%d", fy), Detail: detail})
		summary = append(summary, fmt.Sprintf("%s: %d closed", ledger.FiscalYearLabel(int(fy)), len(y.closed)))
	}
	c.Summary = strings.Join(summary, "; ")
	if c.Summary == "" {
		c.Summary = "no fiscal year opened"
	}
	return []Check{c}, nil
}

// fourEyes lists every approval given by its own maker: posted voucher
// drafts, demand amendments, expenditure bills and gateway refunds. The
// schema's CHECK constraints forbid each, so the list proves there are none.
func (s *Service) fourEyes(ctx context.Context, tenant string, _ time.Time) ([]Check, error) {
	var (
		bad    []dbq.ControlFourEyesBreachesRow
		counts dbq.ControlFourEyesCountsRow
	)
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if bad, err = q.ControlFourEyesBreaches(ctx, tenant); err != nil {
			return err
		}
		counts, err = q.ControlFourEyesCounts(ctx, tenant)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("check maker and checker: %w", err)
	}
	c := Check{Name: CheckFourEyes, Title: "Approvals by someone other than their maker"}
	for _, b := range bad {
		c.Rows = append(c.Rows, Row{RefKind: RefApproval, Ref: fmt.Sprintf("%s/%d", b.Kind, b.ID),
			Detail: fmt.Sprintf("made and approved by %s", b.Maker)})
	}
	checked := counts.Drafts + counts.Amendments + counts.Bills + counts.Refunds
	c.Summary = fmt.Sprintf("%d decisions checked (%d voucher drafts, %d amendments, %d bills, %d refunds), none by their maker",
		checked, counts.Drafts, counts.Amendments, counts.Bills, counts.Refunds)
	if len(bad) > 0 {
		c.Status = Failed
		c.Summary = fmt.Sprintf("%d of %d decisions were made by their maker", len(bad), checked)
	}
	return []Check{c}, nil
}
