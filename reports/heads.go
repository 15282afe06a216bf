package reports

import (
	"fmt"
	"slices"
)

// Side is where a major head appears in the statements.
type Side int

// The sides: the two of the balance sheet and the two of the income and
// expenditure statement.
const (
	Liabilities Side = iota + 1
	Assets
	Income
	Expenditure
)

// head is one major head's place in the statements: its schedule and the
// label of its line.
type head struct {
	Major    string
	Schedule string
	Side     Side
	Label    string
}

// heads lists the NMAM major heads in the order the statements print them.
// Schedules are numbered one per major head in that order, as DESIGN.md
// numbers them (B-1 municipal fund 310 ... B-20 cash and bank 450; I-1 tax
// revenue 110 ... I-20 transfer to reserve funds 290). Contra heads (411,
// 432, 461) sit on the assets side with negative (credit) amounts.
var heads = []head{
	{"310", "B-1", Liabilities, "Municipal fund"},
	{"311", "B-2", Liabilities, "Earmarked funds"},
	{"312", "B-3", Liabilities, "Reserves"},
	{"320", "B-4", Liabilities, "Grants, contributions for specific purposes"},
	{"330", "B-5", Liabilities, "Secured loans"},
	{"331", "B-6", Liabilities, "Unsecured loans"},
	{"340", "B-7", Liabilities, "Deposits received"},
	{"341", "B-8", Liabilities, "Deposit works"},
	{"350", "B-9", Liabilities, "Other liabilities (sundry creditors)"},
	{"360", "B-10", Liabilities, "Provisions"},
	{"410", "B-11", Assets, "Fixed assets (gross block)"},
	{"411", "B-12", Assets, "Less: accumulated depreciation"},
	{"412", "B-13", Assets, "Capital work-in-progress"},
	{"420", "B-14", Assets, "Investments - general fund"},
	{"421", "B-15", Assets, "Investments - other funds"},
	{"430", "B-16", Assets, "Stock in hand (inventories)"},
	{"431", "B-17", Assets, "Sundry debtors (receivables)"},
	{"432", "B-18", Assets, "Less: accumulated provision against debtors"},
	{"440", "B-19", Assets, "Prepaid expenses"},
	{"450", "B-20", Assets, "Cash and bank balances"},
	{"460", "B-21", Assets, "Loans, advances and deposits"},
	{"461", "B-22", Assets, "Less: accumulated provision against loans, advances and deposits"},
	{"470", "B-23", Assets, "Other assets"},
	{"480", "B-24", Assets, "Miscellaneous expenditure (to the extent not written off)"},
	{"110", "I-1", Income, "Tax revenue"},
	{"120", "I-2", Income, "Assigned revenues and compensation"},
	{"130", "I-3", Income, "Rental income from municipal properties"},
	{"140", "I-4", Income, "Fees and user charges"},
	{"150", "I-5", Income, "Sale and hire charges"},
	{"160", "I-6", Income, "Revenue grants, contributions and subsidies"},
	{"170", "I-7", Income, "Income from investments"},
	{"171", "I-8", Income, "Interest earned"},
	{"180", "I-9", Income, "Other income"},
	{"210", "I-10", Expenditure, "Establishment expenses"},
	{"220", "I-11", Expenditure, "Administrative expenses"},
	{"230", "I-12", Expenditure, "Operations and maintenance"},
	{"240", "I-13", Expenditure, "Interest and finance charges"},
	{"250", "I-14", Expenditure, "Programme expenses"},
	{"260", "I-15", Expenditure, "Revenue grants, contributions and subsidies"},
	{"270", "I-16", Expenditure, "Provisions and write off"},
	{"271", "I-17", Expenditure, "Miscellaneous expenses"},
	{"272", "I-18", Expenditure, "Depreciation"},
	{"280", "I-19", Expenditure, "Prior period items (net)"},
	{"290", "I-20", Expenditure, "Transfer to reserve funds"},
}

// The heads the income and expenditure statement sets apart from the
// year's expenditure.
const (
	priorPeriodHead = "280"
	reservesHead    = "290"
	municipalFund   = "310"
)

// classify returns the statement place of a detailed, minor or major head
// by its first three digits.
func classify(code string) (head, error) {
	if len(code) < 3 {
		return head{}, fmt.Errorf("reports: account code %q is shorter than a major head", code)
	}
	i := slices.IndexFunc(heads, func(h head) bool { return h.Major == code[:3] })
	if i < 0 {
		return head{}, fmt.Errorf("reports: major head %s of account %s has no place in the statements", code[:3], code)
	}
	return heads[i], nil
}
