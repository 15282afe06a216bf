package reports

import (
	"context"
	"time"
)

// CashFlow is the cash flow statement by the indirect method, from the
// start of the fiscal year to a month end: the surplus, adjusted for
// non-cash items and the change in working capital, then investing and
// financing. It is computed from each head's movement in the maintained
// balances: every head but cash and bank falls in one group, so the groups
// add up to the change in cash and bank by double entry. Inflows positive.
type CashFlow struct {
	TenantID, ULBName, FundCode string
	FiscalYear                  int
	From, To                    time.Time
	PreviousFrom, PreviousTo    time.Time
	Operating, Investing        []Figure
	Financing                   []Figure
	NetOperating, NetInvesting  Figure
	NetFinancing                Figure
	NetChange                   Figure
	Opening, Closing            Figure
}

// Reconciles reports whether opening + net change = closing in both years.
func (cf *CashFlow) Reconciles() bool {
	return cf.Opening.add(cf.NetChange.Amounts).Equal(cf.Closing.Amounts)
}

// flowGroup is where a balance-sheet head's movement goes in the cash flow.
type flowGroup int

const (
	operating flowGroup = iota + 1
	investing
	financing
)

// flowLines places the balance-sheet heads (all but 450) and labels their
// movement. Income and expenditure make the surplus line; accumulated
// depreciation and provisions are the non-cash items added back.
var flowLines = []struct {
	group flowGroup
	label string
	major []string
}{
	{operating, "Transfers to or from the municipal fund", []string{"310"}},
	{operating, "Add: depreciation (non-cash)", []string{"411"}},
	{operating, "Add: provisions and write-offs (non-cash)", []string{"360", "432", "461"}},
	{operating, "(Increase) decrease in stock", []string{"430"}},
	{operating, "(Increase) decrease in receivables", []string{"431"}},
	{operating, "(Increase) decrease in prepaid expenses", []string{"440"}},
	{operating, "(Increase) decrease in loans, advances and deposits", []string{"460"}},
	{operating, "(Increase) decrease in other assets", []string{"470", "480"}},
	{operating, "Increase (decrease) in deposits received", []string{"340", "341"}},
	{operating, "Increase (decrease) in other liabilities", []string{"350"}},
	{investing, "Purchase of fixed assets and capital work-in-progress", []string{"410", "412"}},
	{investing, "(Purchase) sale of investments", []string{"420", "421"}},
	{financing, "Earmarked funds and reserves", []string{"311", "312"}},
	{financing, "Grants and contributions for specific purposes", []string{"320"}},
	{financing, "Loans raised (repaid)", []string{"330", "331"}},
}

// CashFlow draws the cash flow statement of r from the maintained balances.
func (s *Service) CashFlow(ctx context.Context, r Request) (CashFlow, error) {
	b, err := s.readBalances(ctx, r)
	if err != nil {
		return CashFlow{}, err
	}
	return buildCashFlow(b)
}

func buildCashFlow(b balancesRead) (CashFlow, error) {
	cf := CashFlow{TenantID: b.tenant, ULBName: b.ulbName, FundCode: b.fund, FiscalYear: b.fiscalYear, From: b.yearStart, To: b.asOf,
		PreviousFrom: b.previousStart(), PreviousTo: b.previousEnd()}
	surplus := Figure{Label: "Surplus (deficit) of income over expenditure"}
	cf.Opening = Figure{Label: "Cash and bank at the beginning of the period", MajorHead: cashHead}
	cf.Closing = Figure{Label: "Cash and bank at the end of the period", MajorHead: cashHead}
	inflow := map[string]Figure{}
	var all Amounts
	for _, r := range b.rows {
		h, err := classify(r.AccountCode)
		if err != nil {
			return CashFlow{}, err
		}
		// A head's movement, debit positive, is an outflow: inflow is its negative.
		// The year-end closing vouchers move no cash: left out.
		in := beforeClosing(r).neg()
		all = all.sub(in)
		switch {
		case h.Major == cashHead:
			cf.Opening.Accounts = append(cf.Opening.Accounts, r.AccountCode)
			cf.Closing.Accounts = append(cf.Closing.Accounts, r.AccountCode)
			cf.Opening.Amounts = cf.Opening.add(Amounts{Current: r.PreviousClosing, Previous: r.PreviousClosing.Sub(r.PreviousYearMovement)})
			cf.Closing.Amounts = cf.Closing.add(Amounts{Current: r.Closing, Previous: r.PreviousClosing})
		case h.Side == Income || h.Side == Expenditure:
			surplus.Amounts = surplus.add(in)
			surplus.Accounts = append(surplus.Accounts, r.AccountCode)
		default:
			f := inflow[h.Major]
			f.Amounts = f.add(in)
			f.Accounts = append(f.Accounts, r.AccountCode)
			inflow[h.Major] = f
		}
	}
	cf.Operating = append(cf.Operating, surplus)
	for _, fl := range flowLines {
		f := Figure{Label: fl.label}
		for _, m := range fl.major {
			f.Amounts = f.add(inflow[m].Amounts)
			f.Accounts = append(f.Accounts, inflow[m].Accounts...)
			h, _ := classify(m)
			f.Schedules = append(f.Schedules, h.Schedule)
		}
		if len(fl.major) == 1 {
			f.MajorHead = fl.major[0]
		}
		switch fl.group {
		case operating:
			cf.Operating = append(cf.Operating, f)
		case investing:
			cf.Investing = append(cf.Investing, f)
		case financing:
			cf.Financing = append(cf.Financing, f)
		}
	}
	// As in the balance sheet: one fund's cash also moves by what it lends
	// other funds or borrows from them.
	if !all.IsZero() {
		cf.Financing = append(cf.Financing, Figure{Label: "Inter-fund transfers (net)", Amounts: all})
	}
	sum := func(label string, fs []Figure) Figure {
		t := Figure{Label: label}
		for _, f := range fs {
			t.Amounts = t.add(f.Amounts)
		}
		return t
	}
	cf.NetOperating = sum("Net cash from operating activities (A)", cf.Operating)
	cf.NetInvesting = sum("Net cash from investing activities (B)", cf.Investing)
	cf.NetFinancing = sum("Net cash from financing activities (C)", cf.Financing)
	cf.NetChange = sum("Net increase (decrease) in cash and bank (A + B + C)", []Figure{cf.NetOperating, cf.NetInvesting, cf.NetFinancing})
	return cf, nil
}
