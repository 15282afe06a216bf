package reports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/ledger"
)

// receivableHeads maps each service's tax head to its receivable account.
func (s *Service) receivableHeads(ctx context.Context, tenant string) (map[string]string, error) {
	heads, err := s.src.Billing.TaxHeads(ctx, tenant, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(heads))
	for _, h := range heads {
		out[h.Service+"/"+h.Code] = h.ReceivableAccount
	}
	return out, nil
}

// receivableTie ties a demand register's balance to the receivable
// accounts its heads post to, and their arrears heads (a closed year's
// unpaid property tax is on 4311004), as of To.
func (s *Service) receivableTie(ctx context.Context, tenant string, q RegisterQuery, name string, book decimal.Decimal, heads map[string]string) (RegisterTie, error) {
	bal, err := s.ledgerBalances(ctx, tenant, q.To)
	if err != nil {
		return RegisterTie{}, err
	}
	var accounts []string
	for _, h := range heads {
		for _, a := range []string{h, billing.ArrearsAccountOf(h)} {
			if a != "" && !slices.Contains(accounts, a) {
				accounts = append(accounts, a)
			}
		}
	}
	slices.Sort(accounts)
	books := decimal.Zero
	for _, a := range accounts {
		books = books.Add(bal[a])
	}
	return tie(name, accounts, book, books), nil
}

// dcb is billing's demand, collection and balance register for the fiscal
// year of To (earlier years are arrears), each row naming the receivable
// account of its head; its balance is tied to those accounts. The register
// is read as it stands: To should be on or after the last collection.
func (s *Service) dcb(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Billing == nil {
		return Register{}, errSourceMissing
	}
	rows, err := s.src.Billing.DcbRegister(ctx, tenant, "", ledger.FiscalYearOf(q.To))
	if err != nil {
		return Register{}, err
	}
	heads, err := s.receivableHeads(ctx, tenant)
	if err != nil {
		return Register{}, err
	}
	r := Register{Title: "Demand, collection and balance register", Columns: []Column{{"Ward", ColText}, {"Service", ColText},
		{"Head", ColText}, {"Year", ColNumber}, {"Arrears / current", ColText}, {"Demand", ColMoney}, {"Adjustments", ColMoney},
		{"Collection", ColMoney}, {"Balance", ColMoney}}}
	var d, a, c, b decimal.Decimal
	for _, x := range rows {
		when := "current"
		if x.Arrears {
			when = "arrears"
		}
		r.Rows = append(r.Rows, RegisterRow{Cells: []string{x.Ward, x.Service, x.Head, strconv.Itoa(x.FiscalYear), when,
			amt(x.Demand), amt(x.Adjustments), amt(x.Collection), amt(x.Balance)}, AccountCode: heads[x.Service+"/"+x.Head]})
		d, a, c, b = d.Add(x.Demand), a.Add(x.Adjustments), c.Add(x.Collection), b.Add(x.Balance)
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: []string{"Total", "", "", "", "", amt(d), amt(a), amt(c), amt(b)}, Total: true})
	t, err := s.receivableTie(ctx, tenant, q, "DCB balance against the receivable heads", b, heads)
	if err != nil {
		return Register{}, err
	}
	r.Ties = []RegisterTie{t}
	return r, nil
}

// ageingBands are the receivables ageing columns, by how many fiscal years
// before To's the demand was raised.
var ageingBands = []string{"Current year", "1 year", "2 years", "3 years and more"}

// receivablesAgeing is the DCB's balances by service and head, aged by the
// fiscal year of their demand; its total is tied to the receivable heads.
func (s *Service) receivablesAgeing(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Billing == nil {
		return Register{}, errSourceMissing
	}
	fy := ledger.FiscalYearOf(q.To)
	rows, err := s.src.Billing.DcbRegister(ctx, tenant, "", fy)
	if err != nil {
		return Register{}, err
	}
	heads, err := s.receivableHeads(ctx, tenant)
	if err != nil {
		return Register{}, err
	}
	type key struct{ service, head string }
	by := map[key][]decimal.Decimal{}
	var keys []key
	for _, x := range rows {
		k := key{x.Service, x.Head}
		if by[k] == nil {
			by[k] = make([]decimal.Decimal, len(ageingBands)+1)
			keys = append(keys, k)
		}
		band := min(max(fy-x.FiscalYear, 0), len(ageingBands)-1)
		by[k][band] = by[k][band].Add(x.Balance)
		by[k][len(ageingBands)] = by[k][len(ageingBands)].Add(x.Balance)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.service != b.service {
			return strings.Compare(a.service, b.service)
		}
		return strings.Compare(a.head, b.head)
	})
	r := Register{Title: "Receivables ageing", Columns: []Column{{"Service", ColText}, {"Head", ColText}, {"Account", ColText}}}
	for _, b := range ageingBands {
		r.Columns = append(r.Columns, Column{b, ColMoney})
	}
	r.Columns = append(r.Columns, Column{"Total", ColMoney})
	totals := make([]decimal.Decimal, len(ageingBands)+1)
	for _, k := range keys {
		acc := heads[k.service+"/"+k.head]
		cells := []string{k.service, k.head, acc}
		for i, v := range by[k] {
			cells = append(cells, amt(v))
			totals[i] = totals[i].Add(v)
		}
		r.Rows = append(r.Rows, RegisterRow{Cells: cells, AccountCode: acc})
	}
	cells := []string{"Total", "", ""}
	for _, v := range totals {
		cells = append(cells, amt(v))
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: cells, Total: true})
	t, err := s.receivableTie(ctx, tenant, q, "Receivables against the receivable heads", totals[len(ageingBands)], heads)
	if err != nil {
		return Register{}, err
	}
	r.Ties = []RegisterTie{t}
	return r, nil
}

// creditorHeads are the creditor accounts expenditure bills credit.
var creditorHeads = []string{"3501001", "3501002"}

// creditors is each party's approved bills, payments and outstanding as of
// To, with the outstanding aged by bill date; its total is tied to the
// creditor heads.
func (s *Service) creditors(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Expenditure == nil {
		return Register{}, errSourceMissing
	}
	parties, err := s.src.Expenditure.PartyBalances(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	ageing, err := s.src.Expenditure.CreditorAgeing(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	aged := map[string][]decimal.Decimal{}
	for _, a := range ageing {
		aged[a.PartyCode] = a.Buckets
	}
	bands := len(expenditure.AgeingBuckets) + 1
	r := Register{Title: "Register of creditors", Columns: []Column{{"Party", ColText}, {"Name", ColText}, {"Kind", ColText},
		{"Billed", ColMoney}, {"Paid", ColMoney}, {"Outstanding", ColMoney}}}
	lo := 0
	for _, b := range expenditure.AgeingBuckets {
		r.Columns = append(r.Columns, Column{fmt.Sprintf("%d-%d days", lo, b), ColMoney})
		lo = b + 1
	}
	r.Columns = append(r.Columns, Column{fmt.Sprintf("Over %d days", lo-1), ColMoney})
	totals := make([]decimal.Decimal, 3+bands)
	for _, p := range parties {
		vals := append([]decimal.Decimal{p.Billed, p.Paid, p.Outstanding}, bucketsOr(aged[p.Code], bands)...)
		cells := []string{p.Code, p.Name, p.Kind}
		for i, v := range vals {
			cells = append(cells, amt(v))
			totals[i] = totals[i].Add(v)
		}
		r.Rows = append(r.Rows, RegisterRow{Cells: cells, Party: p.Code})
	}
	cells := []string{"Total", "", ""}
	for _, v := range totals {
		cells = append(cells, amt(v))
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: cells, Total: true})
	bal, err := s.ledgerBalances(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	r.Ties = []RegisterTie{tie("Outstanding against the creditor heads", creditorHeads, totals[2], sumHeads(bal, creditorHeads...).Neg())}
	return r, nil
}

func bucketsOr(b []decimal.Decimal, n int) []decimal.Decimal {
	if b != nil {
		return b
	}
	return make([]decimal.Decimal, n)
}

// budgetVariance is each budget line of To's fiscal year: its budget, the
// actual of each quarter, and the variance to date against an even
// phasing (the quarter containing To). The actuals the budget read are
// tied to the ledger's net debit on the lines' heads.
func (s *Service) budgetVariance(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Budget == nil {
		return Register{}, errSourceMissing
	}
	fy := ledger.FiscalYearOf(q.To)
	rows, err := s.src.Budget.QuarterlyVariance(ctx, tenant, fy)
	if err != nil {
		return Register{}, err
	}
	rep, err := s.src.Budget.BudgetVsActual(ctx, tenant, fy)
	if err != nil {
		return Register{}, err
	}
	qtr := (int(q.To.Month()) + 8) % 12 / 3 // April-June 0 ... January-March 3
	r := Register{Title: fmt.Sprintf("Budget variance, quarter %d of %s", qtr+1, ledger.FiscalYearLabel(fy)),
		Columns: []Column{{"Budget line", ColText}, {"Name", ColText}, {"Budget", ColMoney}, {"Q1 actual", ColMoney}, {"Q2 actual", ColMoney},
			{"Q3 actual", ColMoney}, {"Q4 actual", ColMoney}, {"Actual to date", ColMoney}, {"Target to date", ColMoney},
			{"Variance", ColMoney}, {"Variance %", ColNumber}}}
	totals := make([]decimal.Decimal, 8)
	for _, x := range rows {
		vals := []decimal.Decimal{x.Budget, x.Actual[0], x.Actual[1], x.Actual[2], x.Actual[3], x.Cumulative[qtr], x.Target[qtr], x.Variance[qtr]}
		cells := []string{x.Key, x.Name}
		for i, v := range vals {
			cells = append(cells, amt(v))
			totals[i] = totals[i].Add(v)
		}
		cells = append(cells, x.VariancePercent[qtr].StringFixed(2))
		r.Rows = append(r.Rows, RegisterRow{Cells: cells, AccountCode: accountOfKey(x.Key)})
	}
	cells := []string{"Total", ""}
	for _, v := range totals {
		cells = append(cells, amt(v))
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: append(cells, ""), Total: true})
	actual, books := decimal.Zero, decimal.Zero
	for _, l := range rep.Lines {
		actual, books = actual.Add(l.Actual), books.Add(l.Ledger)
	}
	r.Ties = []RegisterTie{tie("Budget actuals against the ledger's net debit on the budgeted heads", nil, actual, books)}
	return r, nil
}

// accountOfKey is the head (or group of heads) a budget line's key
// (head/function/fund) starts with.
func accountOfKey(key string) string {
	head, _, _ := strings.Cut(key, "/")
	return head
}

// assetRegister is every asset with its gross block, accumulated
// depreciation and net block; assets' own tie compares the register with
// the gross block (410), accumulated depreciation (411) and CWIP (412)
// heads as of To.
func (s *Service) assetRegister(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Assets == nil {
		return Register{}, errSourceMissing
	}
	list, err := s.src.Assets.Assets(ctx, tenant, "", "")
	if err != nil {
		return Register{}, err
	}
	r := Register{Title: "Register of fixed assets and depreciation schedule", Columns: []Column{{"Asset", ColText}, {"Name", ColText},
		{"Class", ColText}, {"Status", ColText}, {"Fund", ColText}, {"Acquired", ColDate}, {"Put to use", ColDate}, {"Depreciated to", ColDate},
		{"Gross block", ColMoney}, {"Accumulated depreciation", ColMoney}, {"Net block", ColMoney}}}
	var g, a, n decimal.Decimal
	for _, x := range list {
		if x.AcquiredOn.After(q.To) {
			continue
		}
		r.Rows = append(r.Rows, RegisterRow{Cells: []string{x.Code, x.Name, x.ClassCode, x.Status, x.FundCode, day(x.AcquiredOn),
			dayPtr(x.PutToUseOn), dayPtr(x.DepreciatedTo), amt(x.Gross()), amt(x.Accumulated), amt(x.NetBlock())}, Party: x.Code})
		g, a, n = g.Add(x.Gross()), a.Add(x.Accumulated), n.Add(x.NetBlock())
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: []string{"Total", "", "", "", "", "", "", "", amt(g), amt(a), amt(n)}, Total: true})
	t, err := s.src.Assets.Tie(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	for _, row := range t {
		if row.SubLedger.IsZero() && row.Ledger.IsZero() {
			continue // a class head no asset and no voucher has used
		}
		r.Ties = append(r.Ties, RegisterTie{Name: "Asset register " + row.Kind + " " + row.Account, Accounts: []string{row.Account},
			Book: row.SubLedger, Ledger: row.Ledger, Difference: row.Difference})
	}
	return r, nil
}

// bankReconciliation is payments' bank reconciliation statement of a bank
// head as of To: the books' balance, what the books have and the bank not,
// what the bank has and the books not, the bank's balance. It ties twice:
// the statement to the bank's balance, and its book balance to the head's
// maintained balance.
func (s *Service) bankReconciliation(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Payments == nil {
		return Register{}, errSourceMissing
	}
	brs, err := s.src.Payments.GetBankReconciliation(ctx, tenant, q.AccountCode, q.To)
	if err != nil {
		return Register{}, err
	}
	bal, err := s.ledgerBalances(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	r := Register{Title: "Bank reconciliation statement, " + q.AccountCode,
		Columns: []Column{{"Date", ColDate}, {"Reference", ColText}, {"Particulars", ColText}, {"Amount", ColMoney}}}
	r.Rows = append(r.Rows, RegisterRow{Cells: []string{day(q.To), "", "Balance as per books", amt(brs.BookBalance)}, AccountCode: q.AccountCode, Total: true})
	adjusted := brs.BookBalance
	for _, b := range brs.BooksNotInBank {
		net := b.Debit.Sub(b.Credit)
		adjusted = adjusted.Sub(net)
		r.Rows = append(r.Rows, RegisterRow{Section: "In the books, not yet in the bank", Cells: []string{day(b.Date), b.VoucherNumber,
			"Less: " + b.Narration, amt(net.Neg())}, VoucherID: b.VoucherID, AccountCode: q.AccountCode})
	}
	for _, b := range brs.BankNotInBooks {
		net := b.Credit.Sub(b.Debit)
		adjusted = adjusted.Add(net)
		r.Rows = append(r.Rows, RegisterRow{Section: "In the bank, not yet in the books", Cells: []string{day(b.Date), b.Reference,
			"Add: " + b.Narration, amt(net)}, AccountCode: q.AccountCode})
	}
	r.Rows = append(r.Rows, RegisterRow{Section: "Balance as per bank", Cells: []string{day(q.To), "", "Balance as per bank statement", amt(brs.BankBalance)}, Total: true})
	r.Ties = []RegisterTie{
		tie("Book balance on the statement against the bank head", []string{q.AccountCode}, brs.BookBalance, bal[q.AccountCode]),
		tie("Adjusted book balance against the bank's balance", []string{q.AccountCode}, adjusted, brs.BankBalance),
	}
	return r, nil
}
