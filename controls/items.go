package controls

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// unreconciled lists, with their ages on asOf: bank statement lines no
// voucher matched (the BRS's unmatched side), the gateway reconciliation's
// open exceptions, and cash collected and not remitted. Any of them is an
// item for attention; cash collected on asOf itself is listed but is not
// yet late.
func (s *Service) unreconciled(ctx context.Context, tenant string, asOf time.Time) ([]Check, error) {
	bank := Check{Name: CheckBankUnmatched, Title: "Bank statement lines not reconciled"}
	gw := Check{Name: CheckGatewayOpen, Title: "Gateway reconciliation exceptions open"}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		lines, err := q.ControlBankLinesUnmatched(ctx, dbq.ControlBankLinesUnmatchedParams{TenantID: tenant, AsOf: asOf, MaxRows: maxRows})
		if err != nil {
			return fmt.Errorf("read unmatched bank lines: %w", err)
		}
		var total decimal.Decimal
		oldest := 0
		for _, l := range lines {
			amt, side := l.Credit, "credit"
			if l.Debit.IsPositive() {
				amt, side = l.Debit.Neg(), "debit"
			}
			age := ageDays(l.TxnDate, asOf)
			oldest = max(oldest, age)
			total = total.Add(amt)
			bank.Rows = append(bank.Rows, Row{RefKind: RefBankLine, Ref: l.Reference, Date: l.TxnDate, AgeDays: age, Amount: amt,
				Detail: fmt.Sprintf("%s %s on %s: %s", l.BankAccount, side, l.TxnDate.Format(time.DateOnly), l.Narration)})
		}
		bank.Summary = "every bank statement line is matched to a voucher"
		if len(lines) > 0 {
			bank.Status = Attention
			bank.Summary = fmt.Sprintf("%d lines unmatched (net %s), the oldest %d days", len(lines), total.StringFixed(2), oldest)
		}

		exc, err := q.PaymentExceptionList(ctx, dbq.PaymentExceptionListParams{TenantID: tenant, OpenOnly: true, MaxRows: maxRows})
		if err != nil {
			return fmt.Errorf("read gateway exceptions: %w", err)
		}
		oldest = 0
		for _, e := range exc {
			if e.RaisedAt.After(asOf.AddDate(0, 0, 1)) {
				continue
			}
			age := ageDays(e.RaisedAt, asOf)
			oldest = max(oldest, age)
			gw.Rows = append(gw.Rows, Row{RefKind: RefException, Ref: e.Reference, Date: e.RaisedAt, AgeDays: age, Amount: e.Amount,
				Detail: e.Kind + ": " + e.Detail})
		}
		gw.Summary = "no gateway payment, settlement or refund is unreconciled"
		if len(gw.Rows) > 0 {
			gw.Status = Attention
			gw.Summary = fmt.Sprintf("%d exceptions open, the oldest %d days", len(gw.Rows), oldest)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cash := Check{Name: CheckCashUnremitted, Title: "Cash collected and not remitted"}
	sum, err := s.receipts.CollectionSummary(ctx, tenant, asOf, asOf, "")
	if err != nil {
		return nil, fmt.Errorf("age cash in hand: %w", err)
	}
	late := 0
	for _, a := range sum.Unremitted {
		cash.Rows = append(cash.Rows, Row{RefKind: RefCashier, Ref: a.Cashier, Date: a.Day, AgeDays: a.AgeDays, Amount: a.Amount,
			Detail: fmt.Sprintf("%d cash receipts of %s not remitted", a.Receipts, a.Day.Format(time.DateOnly))})
		if a.AgeDays > 0 {
			late++
		}
	}
	cash.Summary = fmt.Sprintf("cash in hand %s", sum.CashInHand.StringFixed(2))
	if late > 0 {
		cash.Status = Attention
		cash.Summary = fmt.Sprintf("cash in hand %s, of it %d cashier-days' collections held past their day", sum.CashInHand.StringFixed(2), late)
	}
	return []Check{bank, gw, cash}, nil
}
