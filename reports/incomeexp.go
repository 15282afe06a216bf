package reports

import (
	"context"
	"time"
)

// IncomeExpenditure is the income and expenditure statement from the start
// of the fiscal year to a month end. Income is credit positive, expenditure
// debit positive; the comparatives are the whole previous fiscal year.
type IncomeExpenditure struct {
	TenantID, ULBName, FundCode string
	FiscalYear                  int
	From, To                    time.Time
	PreviousFrom, PreviousTo    time.Time
	Income                      []Figure
	TotalIncome                 Figure
	// Expenditure is 210 to 272: before prior-period items and transfers.
	Expenditure              []Figure
	TotalExpenditure         Figure
	SurplusBeforePriorPeriod Figure
	// PriorPeriodItems is 280, net, debit positive (deducted).
	PriorPeriodItems        Figure
	SurplusAfterPriorPeriod Figure
	TransferToReserves      Figure
	SurplusCarriedToFund    Figure
	Schedules               []Schedule
}

// IncomeExpenditure draws the income and expenditure statement of r from
// the maintained balances.
func (s *Service) IncomeExpenditure(ctx context.Context, r Request) (IncomeExpenditure, error) {
	b, err := s.readBalances(ctx, r)
	if err != nil {
		return IncomeExpenditure{}, err
	}
	return buildIncomeExpenditure(b)
}

func buildIncomeExpenditure(b balancesRead) (IncomeExpenditure, error) {
	ie := IncomeExpenditure{TenantID: b.tenant, ULBName: b.ulbName, FundCode: b.fund, FiscalYear: b.fiscalYear,
		From: b.yearStart, To: b.asOf, PreviousFrom: b.previousStart(), PreviousTo: b.previousEnd()}
	rowsOf := map[string][]ScheduleRow{}
	for _, r := range b.rows {
		h, err := classify(r.AccountCode)
		if err != nil {
			return IncomeExpenditure{}, err
		}
		year := beforeClosing(r)
		switch h.Side {
		case Income:
			year = year.neg()
		case Expenditure:
		default:
			continue
		}
		if year.IsZero() {
			continue
		}
		rowsOf[h.Major] = append(rowsOf[h.Major], ScheduleRow{AccountCode: r.AccountCode, AccountName: r.AccountName, Amounts: year})
	}
	ie.TotalIncome = Figure{Label: "Total income (A)"}
	ie.TotalExpenditure = Figure{Label: "Total expenditure (B)"}
	for _, h := range heads {
		if h.Side != Income && h.Side != Expenditure {
			continue
		}
		sc := Schedule{Code: h.Schedule, MajorHead: h.Major, Name: b.scheduleName(h), Rows: rowsOf[h.Major]}
		for _, r := range sc.Rows {
			sc.Total = sc.Total.add(r.Amounts)
		}
		if len(sc.Rows) > 0 {
			ie.Schedules = append(ie.Schedules, sc)
		}
		f := Figure{Label: h.Label, MajorHead: h.Major, Schedules: []string{h.Schedule}, Accounts: sc.accounts(), Amounts: sc.Total}
		switch {
		case h.Side == Income:
			ie.Income = append(ie.Income, f)
			ie.TotalIncome.Amounts = ie.TotalIncome.add(f.Amounts)
			ie.TotalIncome.Accounts = append(ie.TotalIncome.Accounts, f.Accounts...)
		case h.Major == priorPeriodHead:
			ie.PriorPeriodItems = f
		case h.Major == reservesHead:
			ie.TransferToReserves = f
		default:
			ie.Expenditure = append(ie.Expenditure, f)
			ie.TotalExpenditure.Amounts = ie.TotalExpenditure.add(f.Amounts)
			ie.TotalExpenditure.Accounts = append(ie.TotalExpenditure.Accounts, f.Accounts...)
		}
	}
	ie.SurplusBeforePriorPeriod = Figure{Label: "Gross surplus (deficit) of income over expenditure before prior period items (A - B)",
		Amounts: ie.TotalIncome.sub(ie.TotalExpenditure.Amounts)}
	ie.SurplusAfterPriorPeriod = Figure{Label: "Gross surplus (deficit) after prior period items",
		Amounts: ie.SurplusBeforePriorPeriod.sub(ie.PriorPeriodItems.Amounts)}
	ie.SurplusCarriedToFund = Figure{Label: "Net balance being surplus (deficit) carried over to municipal fund",
		Amounts: ie.SurplusAfterPriorPeriod.sub(ie.TransferToReserves.Amounts)}
	return ie, nil
}
