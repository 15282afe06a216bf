package opening

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receiptdoc"
)

// line is a checked row of an opening trial balance. A receivable row also
// carries its consumer's service and ward and the head its arrears go
// under.
type line struct {
	rowNo                          int
	account, fund, function, party string
	service, head, ward            string
	debit, credit                  decimal.Decimal
}

// masters is what a trial balance is checked against.
type masters struct {
	kind      map[string]string // account code -> I, E, L or A
	postable  map[string]bool
	funds     map[string]bool
	functions map[string]bool
	heads     []billing.TaxHead
	consumers map[string]billing.Consumer
}

// maxAmount keeps every amount and total inside numeric(18,2).
var maxAmount = decimal.New(1, 15)

// demandReceivable reports whether account is a receivable the DCB keeps
// by consumer: the property-tax (4311), cess (4312) and fee and user-charge
// (4313) receivables, and any head a tax head accrues to.
func (m *masters) demandReceivable(account string) bool {
	for _, p := range []string{"4311", "4312", "4313"} {
		if strings.HasPrefix(account, p) {
			return true
		}
	}
	return slices.ContainsFunc(m.heads, func(h billing.TaxHead) bool { return h.ReceivableFor(true) == account })
}

// headFor picks the tax head a receivable row's arrears are kept under:
// the one the row names, which must be of the consumer's service and keep
// its arrears on the row's account (TaxHead.ReceivableFor: property tax's
// on 4311004, the arrears head, since on the opening day every due is an
// arrear); else the service's principal head there (a
// tax or fee head; of several, the one apportioned last, i.e. with the
// highest priority number, then the first by code).
func (m *masters) headFor(service, account, named string) (string, string) {
	var best *billing.TaxHead
	for i, h := range m.heads {
		if h.Service != service {
			continue
		}
		if named != "" {
			if h.Code != named {
				continue
			}
			switch {
			case h.ReceivableFor(true) != account:
				return "", fmt.Sprintf("head %s of %s keeps its arrears on %s, not %s", named, service, h.ReceivableFor(true), account)
			case h.Category == billing.Rebate || h.Category == billing.Advance || h.Category == billing.RoundOff:
				return "", fmt.Sprintf("head %s is a %s head, which carries no arrears", named, h.Category)
			}
			return h.Code, ""
		}
		if h.ReceivableFor(true) != account || (h.Category != billing.Tax && h.Category != billing.Fee) {
			continue
		}
		if best == nil || h.Priority > best.Priority || (h.Priority == best.Priority && h.Code < best.Code) {
			best = &m.heads[i]
		}
	}
	switch {
	case named != "":
		return "", fmt.Sprintf("%s is not a tax head of %s", named, service)
	case best == nil:
		return "", fmt.Sprintf("no tax or fee head of %s keeps its arrears on %s", service, account)
	}
	return best.Code, ""
}

// check reads every row against the masters and the rules, and returns
// the checked lines or every problem found, each naming the row (as the
// spreadsheet numbers it) and the column: rows[14].account_code.
func check(rows []row, m *masters) ([]line, decimal.Decimal, error) {
	var vs []ledger.FieldViolation
	lines := make([]line, 0, len(rows))
	var debits, credits decimal.Decimal
	amountsRead := true
	type demandKey struct{ consumer, head string }
	firstRow := map[demandKey]int{}
	for _, r := range rows {
		bad := func(col, format string, args ...any) {
			field := fmt.Sprintf("rows[%d]", r.no)
			if col != "" {
				field += "." + col
			}
			vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
		}
		l := line{rowNo: r.no, account: r.get("account_code"), fund: r.get("fund_code"), function: r.get("function_code"), party: r.get("party")}
		switch kind, known := m.kind[l.account]; {
		case l.account == "":
			bad("account_code", "is required")
		case !known:
			bad("account_code", "%s is not an account of the chart", l.account)
		case !m.postable[l.account]:
			bad("account_code", "%s is a group head: balances are brought in on detailed (7-digit) heads", l.account)
		case kind == "I" || kind == "E":
			bad("account_code", "%s is an income or expenditure head: income and expenditure heads cannot carry an opening balance (bring the year's result in on the municipal fund)", l.account)
		}
		switch {
		case l.fund == "":
			bad("fund_code", "is required")
		case !m.funds[l.fund]:
			bad("fund_code", "%s is not a fund of this ULB", l.fund)
		}
		switch {
		case l.function == "":
			bad("function_code", "is required")
		case !m.functions[l.function]:
			bad("function_code", "%s is not a function of this ULB", l.function)
		}
		amount := func(col string) (decimal.Decimal, bool) {
			s := r.get(col)
			if s == "" {
				return decimal.Zero, true
			}
			d, err := decimal.NewFromString(s)
			switch {
			case err != nil || strings.ContainsAny(s, "+eE"):
				bad(col, "%q is not an amount: write rupees such as 1234.50, without grouping commas", s)
			case d.IsNegative():
				bad(col, "%s is negative: put the balance in the other column", s)
			case !d.Equal(d.Round(2)):
				bad(col, "%s has more than two decimals", s)
			case d.GreaterThanOrEqual(maxAmount):
				bad(col, "%s is too large", s)
			default:
				return d, true
			}
			return decimal.Zero, false
		}
		var okDr, okCr bool
		l.debit, okDr = amount("debit")
		l.credit, okCr = amount("credit")
		switch {
		case !okDr || !okCr:
			amountsRead = false
		case l.debit.IsPositive() && l.credit.IsPositive():
			bad("", "debit and credit both set: a row carries one balance")
		case l.debit.IsZero() && l.credit.IsZero():
			bad("", "neither debit nor credit set: leave out a row with no balance")
		}
		debits, credits = debits.Add(l.debit), credits.Add(l.credit)

		if l.account != "" && m.postable[l.account] && m.demandReceivable(l.account) {
			c, known := m.consumers[l.party]
			switch {
			case l.party == "":
				bad("party", "a receivable row on %s names the consumer it is due from", l.account)
			case !known:
				bad("party", "%s is not a property, water connection or trade licence of the registers", l.party)
			default:
				l.service, l.ward = c.Service, c.Ward
				head, problem := m.headFor(c.Service, l.account, r.get("head"))
				if problem != "" {
					col := "head"
					if r.get("head") == "" {
						col = "party"
						problem = fmt.Sprintf("%s is a consumer of %s, but %s", l.party, c.Service, problem)
					}
					bad(col, "%s", problem)
					break
				}
				l.head = head
				k := demandKey{l.party, head}
				if first, dup := firstRow[k]; dup {
					bad("party", "%s already has arrears under head %s in row %d: one row per consumer and head", l.party, head, first)
				}
				firstRow[k] = r.no
			}
			if l.credit.IsPositive() {
				bad("credit", "a receivable row is a debit: a consumer's credit balance is an advance (e.g. 3504101)")
			}
		} else if r.get("head") != "" {
			bad("head", "only a receivable row names a tax head")
		}
		lines = append(lines, l)
	}
	if amountsRead && !debits.Equal(credits) {
		vs = append(vs, ledger.FieldViolation{Field: "content", Rule: fmt.Sprintf("totals differ: debit %s, credit %s (difference %s)",
			receiptdoc.FormatAmount(debits), receiptdoc.FormatAmount(credits), receiptdoc.FormatAmount(debits.Sub(credits).Abs()))})
	}
	if debits.GreaterThanOrEqual(maxAmount) {
		vs = append(vs, ledger.FieldViolation{Field: "content", Rule: "the total is too large"})
	}
	if len(vs) > 0 {
		return nil, decimal.Zero, &ledger.ValidationError{Violations: vs}
	}
	return lines, debits, nil
}
