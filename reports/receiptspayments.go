package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/munimhq/munim/gen/dbq"
)

// cashHead is the major head of cash and bank balances.
const cashHead = "450"

// ReceiptsPayments is the receipts and payments account from the start of
// the fiscal year to a month end: cash and bank at the start, what came in
// and went out classified by the head on the other side of each voucher,
// and cash and bank at the end. The comparatives are the previous year's.
//
// It is the one statement that reads voucher lines (a cash book is made of
// vouchers, not balances), and only of vouchers touching cash or bank: see
// LineCashContra. Within a voucher, each other account's net credit is a
// receipt and its net debit a payment, so a voucher moving cash between
// banks (a contra) is neither, and receipts less payments is always the
// change in cash and bank.
type ReceiptsPayments struct {
	TenantID, ULBName        string
	FiscalYear               int
	From, To                 time.Time
	PreviousFrom, PreviousTo time.Time
	Opening                  Figure
	Receipts, Payments       []Figure
	TotalReceipts            Figure
	TotalPayments            Figure
	Closing                  Figure
	Schedules                []Schedule
}

// Reconciles reports whether opening + receipts - payments = closing in both years.
func (rp *ReceiptsPayments) Reconciles() bool {
	return rp.Opening.add(rp.TotalReceipts.Amounts).sub(rp.TotalPayments.Amounts).Equal(rp.Closing.Amounts)
}

// ReceiptsPayments draws the receipts and payments account of r, which may
// not name a fund: a voucher balances across funds, so one fund's cash
// cannot be explained by its own heads alone.
func (s *Service) ReceiptsPayments(ctx context.Context, r Request) (ReceiptsPayments, error) {
	if r.FundCode != "" {
		return ReceiptsPayments{}, invalid("period.fund_code", "the receipts and payments account is drawn for the whole ULB")
	}
	var cur, prev []dbq.LineCashContraRow
	b, err := s.readBalancesAnd(ctx, r, func(q *dbq.Queries, sp span) error {
		var err error
		if cur, err = q.LineCashContra(ctx, dbq.LineCashContraParams{TenantID: sp.tenant, FromDate: sp.yearStart, ToDate: sp.asOf}); err != nil {
			return fmt.Errorf("read cash vouchers: %w", err)
		}
		if prev, err = q.LineCashContra(ctx, dbq.LineCashContraParams{TenantID: sp.tenant, FromDate: sp.previousStart(), ToDate: sp.previousEnd()}); err != nil {
			return fmt.Errorf("read cash vouchers: %w", err)
		}
		return nil
	})
	if err != nil {
		return ReceiptsPayments{}, err
	}
	return buildReceiptsPayments(b, cur, prev)
}

func buildReceiptsPayments(b balancesRead, cur, prev []dbq.LineCashContraRow) (ReceiptsPayments, error) {
	rp := ReceiptsPayments{TenantID: b.tenant, ULBName: b.ulbName, FiscalYear: b.fiscalYear, From: b.yearStart, To: b.asOf,
		PreviousFrom: b.previousStart(), PreviousTo: b.previousEnd()}
	rp.Opening = Figure{Label: "Opening balance of cash and bank", MajorHead: cashHead}
	rp.Closing = Figure{Label: "Closing balance of cash and bank", MajorHead: cashHead}
	for _, r := range b.rows {
		if r.AccountCode[:3] != cashHead {
			continue
		}
		rp.Opening.Accounts = append(rp.Opening.Accounts, r.AccountCode)
		rp.Closing.Accounts = append(rp.Closing.Accounts, r.AccountCode)
		rp.Opening.Amounts = rp.Opening.add(Amounts{Current: r.PreviousClosing, Previous: r.PreviousClosing.Sub(r.PreviousYearMovement)})
		rp.Closing.Amounts = rp.Closing.add(Amounts{Current: r.Closing, Previous: r.PreviousClosing})
	}
	type sides struct{ in, out ScheduleRow }
	byAccount := map[string]*sides{}
	var order []string
	take := func(rows []dbq.LineCashContraRow, previous bool) {
		for _, r := range rows {
			sd, ok := byAccount[r.AccountCode]
			if !ok {
				sd = &sides{in: ScheduleRow{AccountCode: r.AccountCode, AccountName: r.AccountName},
					out: ScheduleRow{AccountCode: r.AccountCode, AccountName: r.AccountName}}
				byAccount[r.AccountCode] = sd
				order = append(order, r.AccountCode)
			}
			if previous {
				sd.in.Previous, sd.out.Previous = r.Receipts, r.Payments
			} else {
				sd.in.Current, sd.out.Current = r.Receipts, r.Payments
			}
		}
	}
	take(cur, false)
	take(prev, true)
	inOf, outOf := map[string][]ScheduleRow{}, map[string][]ScheduleRow{}
	for _, code := range order {
		sd := byAccount[code]
		h, err := classify(code)
		if err != nil {
			return ReceiptsPayments{}, err
		}
		if !sd.in.IsZero() {
			inOf[h.Major] = append(inOf[h.Major], sd.in)
		}
		if !sd.out.IsZero() {
			outOf[h.Major] = append(outOf[h.Major], sd.out)
		}
	}
	rp.TotalReceipts = Figure{Label: "Total receipts"}
	rp.TotalPayments = Figure{Label: "Total payments"}
	for _, h := range heads {
		for _, side := range []struct {
			prefix string
			rows   []ScheduleRow
			to     *[]Figure
			total  *Figure
		}{{"R", inOf[h.Major], &rp.Receipts, &rp.TotalReceipts}, {"P", outOf[h.Major], &rp.Payments, &rp.TotalPayments}} {
			if len(side.rows) == 0 {
				continue
			}
			sc := Schedule{Code: side.prefix + "-" + h.Major, MajorHead: h.Major, Name: b.scheduleName(h), Rows: side.rows}
			for _, r := range sc.Rows {
				sc.Total = sc.Total.add(r.Amounts)
			}
			rp.Schedules = append(rp.Schedules, sc)
			*side.to = append(*side.to, Figure{Label: h.Label, MajorHead: h.Major, Schedules: []string{sc.Code}, Accounts: sc.accounts(), Amounts: sc.Total})
			side.total.Amounts = side.total.add(sc.Total)
		}
	}
	return rp, nil
}
