package budget

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// VoucherCheck is the appropriation check on vouchers posted straight to
// the ledger (LedgerService.PostVouchers, an approved voucher draft, a
// reversal): a ledger.PostCheck, which the binary gives the ledger. Each
// voucher's debits on expenditure heads are charged as actuals under the
// source "VOUCHER/<id>", as ChargeTx charges a bill: a block-mode line they
// would overspend refuses the posting (FailedPrecondition naming the line
// and the shortfall), a warn-mode line records the charge with its
// shortfall. A reversal releases what the voucher it reverses charged.
//
// Vouchers that expenditure, assets and the other domains post with
// ledger.PostTx never reach it: a bill is charged once, by ChargeTx.
type VoucherCheck struct {
	svc *Service
}

// VoucherCheck returns the ledger.PostCheck of s.
func (s *Service) VoucherCheck() *VoucherCheck { return &VoucherCheck{svc: s} }

var _ ledger.PostCheck = (*VoucherCheck)(nil)

// VoucherSource is the source under which voucher id's charges are kept.
func VoucherSource(id int64) string { return fmt.Sprintf("VOUCHER/%d", id) }

// CheckTx implements ledger.PostCheck.
func (c *VoucherCheck) CheckTx(ctx context.Context, tx pgx.Tx, tenant string, vs []ledger.Voucher) error {
	charges := make([][]Charge, len(vs))
	for i := range vs {
		if vs[i].Reverses() == 0 {
			charges[i] = voucherCharges(&vs[i])
		}
	}
	// Every line any of the vouchers touches, locked at once in id order:
	// ChargeTx and ReleaseTx lock again per voucher, which then takes no
	// lock out of order.
	q := dbq.New(tx)
	var ids []int64
	for i := range vs {
		if r := vs[i].Reverses(); r != 0 {
			rows, err := q.BudgetChargesOfSource(ctx, dbq.BudgetChargesOfSourceParams{TenantID: tenant, SourceRef: VoucherSource(r)})
			if err != nil {
				return fmt.Errorf("read charges: %w", err)
			}
			for _, row := range rows {
				ids = append(ids, row.LineID)
			}
			continue
		}
		fy := ledger.FiscalYearOf(vs[i].Date)
		for _, ch := range charges[i] {
			id, err := matchLine(ctx, q, tenant, fy, ch)
			if err != nil {
				return err
			}
			if id != 0 {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	if _, err := lockLines(ctx, q, tenant, slices.Compact(ids)); err != nil {
		return err
	}
	for i := range vs {
		v := &vs[i]
		if r := v.Reverses(); r != 0 {
			if err := c.svc.ReleaseTx(ctx, tx, tenant, v.Date, VoucherSource(r)); err != nil {
				return err
			}
			continue
		}
		if len(charges[i]) == 0 {
			continue
		}
		if _, err := c.svc.ChargeTx(ctx, tx, tenant, v.Date, VoucherSource(v.ID), charges[i]); err != nil {
			return voucherField(err, i)
		}
	}
	return nil
}

// voucherCharges is what v spends: its debits on expenditure heads.
func voucherCharges(v *ledger.Voucher) []Charge {
	var out []Charge
	for _, ln := range v.Lines {
		if ledger.IsExpenditure(ln.AccountCode) && ln.Debit.IsPositive() {
			out = append(out, Charge{AccountCode: ln.AccountCode, FunctionCode: ln.FunctionCode, FundCode: ln.FundCode, Amount: ln.Debit})
		}
	}
	return out
}

// voucherField names the voucher of the request a refusal is about.
func voucherField(err error, i int) error {
	if pe, ok := err.(*ledger.PreconditionError); ok {
		pe.Field = fmt.Sprintf("vouchers[%d]", i)
	}
	return err
}
