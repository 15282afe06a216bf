package yearend

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// maxArrearsLines bounds one arrears voucher; a large ULB's move is split.
const maxArrearsLines = 5000

// arrearsHeads are the receivable heads whose dues move to arrears.
var arrearsHeads = []string{"4311001"}

// moveToArrearsTx moves, once per fiscal year, what fy's demands leave
// unpaid from each receivable head that has an arrears head (4311001) to
// that head (4311004), per fund, function, ward and consumer, by journal
// vouchers dated 31 March; and marks the year's demands in arrears, so
// that whatever touches them afterwards posts to the arrears head
// (billing.TaxHead.ReceivableFor). It returns the amount moved and the
// vouchers (none when the year was moved before or nothing is unpaid).
func (s *Service) moveToArrearsTx(ctx context.Context, tx pgx.Tx, tenant string, fy int, actor string) (decimal.Decimal, []ledger.Posted, error) {
	q := dbq.New(tx)
	done, err := q.ArrearsYearExists(ctx, dbq.ArrearsYearExistsParams{TenantID: tenant, FiscalYear: int32(fy)})
	if err != nil {
		return decimal.Zero, nil, fmt.Errorf("look up arrears: %w", err)
	}
	if done {
		return decimal.Zero, nil, nil
	}
	rows, err := q.ArrearsOutstanding(ctx, dbq.ArrearsOutstandingParams{TenantID: tenant, FiscalYear: int32(fy), Codes: arrearsHeads})
	if err != nil {
		return decimal.Zero, nil, fmt.Errorf("read unpaid demand: %w", err)
	}
	label := ledger.FiscalYearLabel(fy)
	on := ledger.Date(fy+1, time.March, 31)
	var vouchers []ledger.Voucher
	moved := decimal.Zero
	for _, r := range rows {
		if len(vouchers) == 0 || len(vouchers[len(vouchers)-1].Lines)+2 > maxArrearsLines {
			vouchers = append(vouchers, ledger.Voucher{Type: ledger.Journal, Date: on,
				IdempotencyKey: fmt.Sprintf("yearend:%d:arrears:%d", fy, len(vouchers)+1), SourceRef: "ARREARS/" + label,
				Narration: fmt.Sprintf("Unpaid demand of %s moved to arrears at the year end", label)})
		}
		v := &vouchers[len(vouchers)-1]
		to := billing.ArrearsAccountOf(r.ReceivableAccount)
		v.Lines = append(v.Lines,
			side(ledger.Line{AccountCode: to, FundCode: r.FundCode, FunctionCode: r.FunctionCode, FieldCode: r.Ward, Party: r.ConsumerCode}, r.Outstanding),
			side(ledger.Line{AccountCode: r.ReceivableAccount, FundCode: r.FundCode, FunctionCode: r.FunctionCode, FieldCode: r.Ward, Party: r.ConsumerCode}, r.Outstanding.Neg()))
		moved = moved.Add(r.Outstanding)
	}
	var posted []ledger.Posted
	if len(vouchers) > 0 {
		if posted, err = s.ledger.PostTx(ctx, tx, tenant, actor, vouchers); err != nil {
			return decimal.Zero, nil, fmt.Errorf("post the move to arrears: %w", err)
		}
	}
	if err := q.ArrearsYearInsert(ctx, dbq.ArrearsYearInsertParams{TenantID: tenant, FiscalYear: int32(fy), Moved: moved, MovedBy: actor}); err != nil {
		return decimal.Zero, nil, fmt.Errorf("record arrears: %w", err)
	}
	return moved, posted, nil
}
