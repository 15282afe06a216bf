package reports

import (
	"context"
	"time"
)

// BalanceSheet is the NMAM balance sheet as of a month end. Liabilities
// are credit balances, positive; assets debit balances, positive (contra
// heads, such as accumulated depreciation, negative). The comparatives are
// the previous fiscal year's closing figures.
type BalanceSheet struct {
	TenantID, ULBName, FundCode string
	FiscalYear                  int
	AsOf, PreviousAsOf          time.Time
	Liabilities, Assets         []Figure
	TotalLiabilities            Figure
	TotalAssets                 Figure
	Schedules                   []Schedule
}

// Balanced reports whether assets equal liabilities in both years, to the
// paisa.
func (bs *BalanceSheet) Balanced() bool {
	return bs.TotalAssets.Amounts.Equal(bs.TotalLiabilities.Amounts)
}

// InterFund is the inter-fund line among the liabilities: what the funds
// drawn owe each other, zero when there is none. Drawn for every fund
// (no FundCode) it must be zero, for every voucher balances: a non-zero
// figure there means the maintained balances do not sum to zero, which the
// line would otherwise hide, as Balanced counts it among the liabilities.
func (bs *BalanceSheet) InterFund() Amounts {
	for _, f := range bs.Liabilities {
		if f.Label == interFundLabel && f.MajorHead == "" {
			return f.Amounts
		}
	}
	return Amounts{}
}

// Schedule returns the schedule of a code ("B-17"), if it has rows.
func (bs *BalanceSheet) Schedule(code string) (Schedule, bool) {
	for _, s := range bs.Schedules {
		if s.Code == code {
			return s, true
		}
	}
	return Schedule{}, false
}

// The derived rows of the municipal fund schedule, and the inter-fund line.
const (
	yearSurplusName    = "Excess of income over expenditure of the year (not yet closed)"
	earlierSurplusName = "Excess of income over expenditure of earlier years (not yet closed)"
	interFundLabel     = "Inter-fund balances (net)"
	derivedFromIE      = "income_expenditure"
)

// BalanceSheet draws the balance sheet of r from the maintained balances.
func (s *Service) BalanceSheet(ctx context.Context, r Request) (BalanceSheet, error) {
	b, err := s.readBalances(ctx, r)
	if err != nil {
		return BalanceSheet{}, err
	}
	return buildBalanceSheet(b)
}

func buildBalanceSheet(b balancesRead) (BalanceSheet, error) {
	bs := BalanceSheet{TenantID: b.tenant, ULBName: b.ulbName, FundCode: b.fund, FiscalYear: b.fiscalYear,
		AsOf: b.asOf, PreviousAsOf: b.previousEnd()}
	rowsOf := map[string][]ScheduleRow{}
	var yearSurplus, earlierSurplus, all Amounts
	for _, r := range b.rows {
		h, err := classify(r.AccountCode)
		if err != nil {
			return BalanceSheet{}, err
		}
		closing := Amounts{Current: r.Closing, Previous: r.PreviousClosing}
		all = all.add(closing)
		switch h.Side {
		case Income, Expenditure:
			// Not yet closed to the municipal fund: shown there, credit positive.
			year := Amounts{Current: r.YearMovement, Previous: r.PreviousYearMovement}
			yearSurplus = yearSurplus.sub(year)
			earlierSurplus = earlierSurplus.sub(closing.sub(year))
			continue
		case Liabilities:
			closing = closing.neg()
		}
		if closing.IsZero() {
			continue
		}
		rowsOf[h.Major] = append(rowsOf[h.Major], ScheduleRow{AccountCode: r.AccountCode, AccountName: r.AccountName, Amounts: closing})
	}
	if !yearSurplus.IsZero() {
		rowsOf[municipalFund] = append(rowsOf[municipalFund], ScheduleRow{AccountName: yearSurplusName, DerivedFrom: derivedFromIE, Amounts: yearSurplus})
	}
	if !earlierSurplus.IsZero() {
		rowsOf[municipalFund] = append(rowsOf[municipalFund], ScheduleRow{AccountName: earlierSurplusName, DerivedFrom: derivedFromIE, Amounts: earlierSurplus})
	}
	bs.TotalLiabilities = Figure{Label: "Total liabilities"}
	bs.TotalAssets = Figure{Label: "Total assets"}
	for _, h := range heads {
		if h.Side != Liabilities && h.Side != Assets {
			continue
		}
		sc := Schedule{Code: h.Schedule, MajorHead: h.Major, Name: b.scheduleName(h), Rows: rowsOf[h.Major]}
		for _, r := range sc.Rows {
			sc.Total = sc.Total.add(r.Amounts)
		}
		f := Figure{Label: h.Label, MajorHead: h.Major, Schedules: []string{h.Schedule}, Accounts: sc.accounts(), Amounts: sc.Total}
		if h.Side == Liabilities {
			bs.Liabilities = append(bs.Liabilities, f)
			bs.TotalLiabilities.Amounts = bs.TotalLiabilities.add(f.Amounts)
		} else {
			bs.Assets = append(bs.Assets, f)
			bs.TotalAssets.Amounts = bs.TotalAssets.add(f.Amounts)
		}
		if len(sc.Rows) > 0 {
			bs.Schedules = append(bs.Schedules, sc)
		}
	}
	// Each voucher balances, but not necessarily within one fund: what one
	// fund lent another (debit positive) keeps a fund's sheet from balancing
	// on its own, and is shown as such. Across all funds it is zero.
	if !all.IsZero() {
		f := Figure{Label: interFundLabel, Amounts: all}
		bs.Liabilities = append(bs.Liabilities, f)
		bs.TotalLiabilities.Amounts = bs.TotalLiabilities.add(f.Amounts)
	}
	return bs, nil
}
