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

// series checks receipt numbers per series and fiscal year, and voucher
// serials per type and fiscal year, run 1..last with none missing. A
// missing number fails; cancelled (or dishonoured) receipts keep their
// numbers and are listed for attention; reversing vouchers are listed.
func (s *Service) series(ctx context.Context, tenant string, asOf time.Time) ([]Check, error) {
	rc := Check{Name: CheckReceiptSeries, Title: "Receipt series without gaps; cancelled receipts"}
	vc := Check{Name: CheckVoucherSeries, Title: "Voucher series without gaps; reversals"}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rs, err := q.ControlReceiptSeries(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read receipt series: %w", err)
		}
		var issued, missing, undone int64
		for _, r := range rs {
			issued += r.Issued
			missing += r.LastNumber - r.Issued
			undone += r.Cancelled + r.Dishonoured
		}
		if missing > 0 {
			gaps, err := q.ControlReceiptMissing(ctx, dbq.ControlReceiptMissingParams{TenantID: tenant, MaxRows: maxRows})
			if err != nil {
				return fmt.Errorf("find missing receipt numbers: %w", err)
			}
			for _, g := range gaps {
				rc.Rows = append(rc.Rows, Row{RefKind: RefSeries, Ref: fmt.Sprintf("%s/%d", g.Series, g.FiscalYear),
					Detail: fmt.Sprintf("receipt number %d of series %s, %s is missing", g.Serial, g.Series, ledger.FiscalYearLabel(int(g.FiscalYear)))})
			}
			rc.Status = Failed
		}
		cancelled, err := q.ControlReceiptsUndone(ctx, dbq.ControlReceiptsUndoneParams{TenantID: tenant, AsOf: asOf, MaxRows: maxRows})
		if err != nil {
			return fmt.Errorf("list cancelled receipts: %w", err)
		}
		for _, c := range cancelled {
			d := fmt.Sprintf("%s receipt %s on %s", c.Mode, c.Status, c.UndoneOn.Format(time.DateOnly))
			if c.UndoneBy != "" {
				d += " by " + c.UndoneBy
			}
			if c.UndoReason != "" {
				d += ": " + c.UndoReason
			}
			rc.Rows = append(rc.Rows, Row{RefKind: RefReceipt, Ref: c.Number, Detail: d, Date: c.ReceiptDate, Amount: c.Amount})
		}
		if len(cancelled) > 0 {
			rc.Status = max(rc.Status, Attention)
		}
		rc.Summary = fmt.Sprintf("%d receipts in %d series-years, %d numbers missing, %d cancelled or dishonoured",
			issued, len(rs), missing, undone)

		vs, err := q.ControlVoucherSeries(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read voucher series: %w", err)
		}
		var vIssued, vMissing, reversals int64
		var types []string
		for _, v := range vs {
			vIssued += v.Issued
			vMissing += v.LastNumber - v.Issued
			reversals += v.Reversals
			types = append(types, fmt.Sprintf("%s %d: %d", v.VoucherType, v.FiscalYear, v.LastNumber))
		}
		if vMissing > 0 {
			gaps, err := q.ControlVoucherMissing(ctx, dbq.ControlVoucherMissingParams{TenantID: tenant, MaxRows: maxRows})
			if err != nil {
				return fmt.Errorf("find missing voucher serials: %w", err)
			}
			for _, g := range gaps {
				vc.Rows = append(vc.Rows, Row{RefKind: RefSeries, Ref: fmt.Sprintf("%s/%d", g.VoucherType, g.FiscalYear),
					Detail: fmt.Sprintf("%s voucher serial %d of %s is missing", g.VoucherType, g.Serial, ledger.FiscalYearLabel(int(g.FiscalYear)))})
			}
			vc.Status = Failed
		}
		revs, err := q.ControlVoucherReversals(ctx, dbq.ControlVoucherReversalsParams{TenantID: tenant, AsOf: asOf, MaxRows: maxRows})
		if err != nil {
			return fmt.Errorf("list reversals: %w", err)
		}
		for _, r := range revs {
			vc.Rows = append(vc.Rows, Row{RefKind: RefVoucher, Ref: r.Number, Date: r.VoucherDate, Amount: r.Total,
				Detail: fmt.Sprintf("reverses %s: %s", r.ReversesNumber, r.ReversalReason)})
		}
		vc.Summary = fmt.Sprintf("%d vouchers (%s), %d serials missing, %d reversals", vIssued, strings.Join(types, ", "), vMissing, reversals)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []Check{rc, vc}, nil
}
