package opening_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/opening"
	"github.com/munimhq/munim/receipts"
)

// An accountant's CSV opening trial balance, approved by another person,
// becomes one opening voucher whose trial balance is the file's; the
// receivables become the consumers' opening arrears in the DCB, tied to the
// control accounts; and a later counter collection against them keeps the
// tie.
func TestCSVOpeningBalancesPostOneVoucherAndOpenTheArrears(t *testing.T) {
	t.Parallel()
	b := setup(t)
	imp, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", goodCSV))
	require.NoError(t, err)
	assert.Equal(t, "pending", imp.Status)
	assert.Equal(t, opening.CSV, imp.Format)
	assert.Equal(t, 9, imp.Rows)
	assert.Equal(t, "520126.17", imp.TotalDebit.StringFixed(2))
	assert.Zero(t, count(t, b, "vouchers"), "a pending import posts nothing")
	assert.Zero(t, count(t, b, "demands"))

	approved, err := b.opening.Approve(b.ctx, tenant, "asha", imp.ID)
	require.NoError(t, err)
	assert.Equal(t, "approved", approved.Status)
	assert.Equal(t, "asha", approved.DecidedBy)
	require.NotZero(t, approved.VoucherID)
	assert.Equal(t, 1, count(t, b, "vouchers"), "approval posts exactly one voucher")

	v, err := b.ledger.Voucher(b.ctx, tenant, approved.VoucherID)
	require.NoError(t, err)
	assert.Equal(t, ledger.Journal, v.Type)
	assert.Equal(t, asOf, v.Date)
	assert.Contains(t, v.Narration, "Opening balances as at 01-04-2026")
	assert.Len(t, v.Lines, 9)
	assert.Equal(t, "520126.17", v.Total.StringFixed(2))

	assert.Equal(t, map[string]string{
		"4502101": "500000.00", "4501001": "12345.67", "4311004": "4980.50", "4313001": "800.00", "4313002": "2000.00",
		"3501001": "-10000.00", "3101001": "-510126.17",
	}, balances(t, b), "the trial balance on the opening day is the file's")

	// The receivables are the consumers' opening arrears: one demand per
	// consumer and service, for 2025-26, with the opening voucher as accrual.
	dcb, err := b.billing.DcbRegister(b.ctx, tenant, "", 2026)
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range dcb {
		assert.True(t, r.Arrears, "%+v", r)
		assert.Equal(t, 2025, r.FiscalYear)
		got[r.Ward+" "+r.Service+" "+r.Head] = r.Demand.StringFixed(2) + "/" + r.Balance.StringFixed(2)
	}
	assert.Equal(t, map[string]string{
		"W04 property_tax PT": "4800.50/4800.50", "W04 property_tax LIB_CESS": "180.00/180.00",
		"W05 water WATER": "800.00/800.00", "W06 trade_licence TL_FEE": "2000.00/2000.00",
	}, got)
	assertTied(t, b)

	dues, err := b.billing.Dues(b.ctx, tenant, "PT-1", "")
	require.NoError(t, err)
	require.Len(t, dues.Demands, 1)
	assert.Equal(t, billing.FromOpening, dues.Demands[0].Source)
	assert.Equal(t, approved.VoucherID, dues.Demands[0].VoucherID)
	assert.Equal(t, "3780.00", dues.Total.StringFixed(2))

	// A counter collection against an opening arrear settles it like any
	// other demand's, and the DCB still ties.
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", receipts.PaymentInput{IdempotencyKey: "c-1", Mode: receipts.Cash,
		Amount: decimal.RequireFromString("1000.00"), PayerName: "Owner PT-1",
		Items: []receipts.ItemInput{{Service: billing.PropertyTax, ConsumerCode: "PT-1", Amount: decimal.RequireFromString("1000.00")}}})
	require.NoError(t, err)
	assert.Equal(t, "1000.00", r.Amount.StringFixed(2))
	dues, err = b.billing.Dues(b.ctx, tenant, "PT-1", "")
	require.NoError(t, err)
	assert.Equal(t, "2780.00", dues.Total.StringFixed(2))
	tb, err := b.ledger.TrialBalance(b.ctx, tenant, r.Date, "")
	require.NoError(t, err)
	for _, row := range tb.Rows {
		if row.AccountCode == "4311004" {
			assert.Equal(t, "3980.50", row.Closing.StringFixed(2), "the collection credits the arrears head the arrear opened on")
		}
	}
	assertTied(t, b)
}

// The same balances from the first sheet of an XLSX workbook (format told
// by the content), whole rupees as number cells, paise as text.
func TestXLSXOpeningBalancesAreReadFromTheFirstSheet(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"Account_Code", "Fund_Code", "Function_Code", "Debit", "Credit", "Party"},
		{"4502101", "01", "0200", 250000, nil, nil},
		{"4311004", "01", "9091", "1200.50", nil, "PT-2"},
		{"4313001", "01", "9092", 800, nil, "WC-1"},
		{nil, nil, nil, nil, nil, nil},
		{"3101001", "01", "0001", nil, "252000.50", nil},
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow(sheet, cell, &r))
	}
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))

	imp, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", opening.Request{AsOf: asOf, Content: buf.Bytes(), IdempotencyKey: "tb-x"})
	require.NoError(t, err)
	assert.Equal(t, opening.XLSX, imp.Format)
	assert.Equal(t, 4, imp.Rows, "the blank row is skipped")
	_, err = b.opening.Approve(b.ctx, tenant, "asha", imp.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"4502101": "250000.00", "4311004": "1200.50", "4313001": "800.00", "3101001": "-252000.50"}, balances(t, b))
	assertTied(t, b)
}

// An unbalanced file is refused naming both totals, and nothing is written.
func TestUnbalancedOpeningBalancesAreRefusedWithBothTotals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", withRows("4501001,01,0200,56.00,,,")))
	assert.Equal(t, []string{"content: totals differ: debit 5,20,182.17, credit 5,20,126.17 (difference 56.00)"}, violations(t, err))
	assert.Zero(t, count(t, b, "opening_imports"))
	assert.Zero(t, count(t, b, "opening_import_lines"))
	assert.Zero(t, count(t, b, "vouchers"))
}

// Each bad row is refused naming its row (as a spreadsheet numbers it) and
// column, and the rule it breaks. Each case's row is balanced by another
// good row, so that the row's own problem is the only one.
func TestBadOpeningRowsAreNamedByRowAndColumn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name, row, want string
	}{
		{"an account must be of the chart", "4311009,01,9091,10.00,,PT-1,", "rows[12].account_code: 4311009 is not an account of the chart"},
		{"only detailed heads take balances", "45021,01,0200,10.00,,,", "rows[12].account_code: 45021 is a group head"},
		{"income heads carry no opening balance", "1100101,01,9091,10.00,,,", "rows[12].account_code: 1100101 is an income or expenditure head"},
		{"the fund must exist", "4502101,09,0200,10.00,,,", "rows[12].fund_code: 09 is not a fund of this ULB"},
		{"the function must exist", "4502101,01,7777,10.00,,,", "rows[12].function_code: 7777 is not a function of this ULB"},
		{"an amount has at most two decimals", "4502101,01,0200,10.005,,,", "rows[12].debit: 10.005 has more than two decimals"},
		{"an amount is a plain number", "4502101,01,0200,\"1,000.00\",,,", "rows[12].debit: \"1,000.00\" is not an amount"},
		{"an amount is not negative", "4502101,01,0200,-10.00,,,", "rows[12].debit: -10.00 is negative"},
		{"one side only", "4502101,01,0200,10.00,10.00,,", "rows[13]: debit and credit both set"},
		{"a receivable names its consumer", "4311004,01,9091,10.00,,,", "rows[12].party: a receivable row on 4311004 names the consumer"},
		{"the consumer must be in the registers", "4311004,01,9091,10.00,,PT-404,", "rows[12].party: PT-404 is not a property, water connection or trade licence"},
		{"the consumer's service must accrue to the head", "4311004,01,9091,10.00,,WC-1,", "rows[12].party: WC-1 is a consumer of water, but no tax or fee head of water keeps its arrears on 4311004"},
		{"a consumer's head appears once", "4313001,01,9092,10.00,,WC-1,", "rows[12].party: WC-1 already has arrears under head WATER in row 7"},
		{"a named head must accrue to the account", "4313001,01,9092,10.00,,WC-1,TL_FEE", "rows[12].head: TL_FEE is not a tax head of water"},
		{"a receivable is a debit", "4311004,01,9091,,10.00,PT-2,LIB_CESS", "rows[12].credit: a receivable row is a debit"},
		{"property-tax arrears open on the arrears head", "4311001,01,9091,10.00,,PT-2,", "rows[12].party: PT-2 is a consumer of property_tax, but no tax or fee head of property_tax keeps its arrears on 4311001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Row 11 balances row 12's amount of 10.00 on whichever side.
			balance := "3101001,01,0001,,10.00,,"
			switch c.name {
			case "a receivable is a debit":
				balance = "3101001,01,0001,10.00,,,"
			case "one side only":
				balance = "3101001,01,0001,1.00,,,\n3101001,01,0001,,1.00,,"
			}
			_, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-"+c.name, withRows(balance, c.row)))
			vs := violations(t, err)
			require.Len(t, vs, 1, "%v", vs)
			assert.Contains(t, vs[0], c.want)
		})
	}
	assert.Zero(t, count(t, b, "opening_imports"))
}

// Every problem of a file is reported at once, the totals among them.
func TestEveryProblemOfAFileIsReportedAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", withRows(
		"4311009,01,9091,10.00,,PT-1,", "2101001,01,0200,5.00,,,", "4311004,01,9091,7.12,,PT-404,", "3501001,01,0200,10.00,10.00,,")))
	vs := violations(t, err)
	require.Len(t, vs, 5, "%v", vs)
	assert.Contains(t, vs[0], "rows[11].account_code: 4311009 is not an account of the chart")
	assert.Contains(t, vs[1], "rows[12].account_code: 2101001 is an income or expenditure head")
	assert.Contains(t, vs[2], "rows[13].party: PT-404 is not a property")
	assert.Contains(t, vs[3], "rows[14]: debit and credit both set")
	assert.Equal(t, "content: totals differ: debit 5,20,158.29, credit 5,20,136.17 (difference 22.12)", vs[4])
}

// Totals are not compared while an amount cannot be read: the difference
// would mislead.
func TestTotalsWaitForEveryAmountToBeRead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", withRows("4502101,01,0200,10.005,,,")))
	assert.Equal(t, []string{"rows[11].debit: 10.005 has more than two decimals"}, violations(t, err))
}

// The importer may not approve (or reject) their own import; another
// approver may, once.
func TestMakerCannotDecideTheirOwnImport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	imp, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", goodCSV))
	require.NoError(t, err)
	_, err = b.opening.Approve(b.ctx, tenant, "ravi", imp.ID)
	require.ErrorIs(t, err, ledger.ErrSelfApproval)
	_, err = b.opening.Reject(b.ctx, tenant, "ravi", imp.ID, "typo")
	require.ErrorIs(t, err, ledger.ErrSelfApproval)
	assert.Zero(t, count(t, b, "vouchers"))

	rejected, err := b.opening.Reject(b.ctx, tenant, "asha", imp.ID, "the bank balance is as per the passbook, not the cash book")
	require.NoError(t, err)
	assert.Equal(t, "rejected", rejected.Status)
	_, err = b.opening.Approve(b.ctx, tenant, "asha", imp.ID)
	require.ErrorIs(t, err, opening.ErrDecided)
	assert.Zero(t, count(t, b, "vouchers"))
	_, err = b.opening.Approve(b.ctx, tenant, "asha", imp.ID+100)
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

// A retried import returns the first; the key with another file is a
// conflict.
func TestImportIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", goodCSV))
	require.NoError(t, err)
	again, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", goodCSV))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, 1, count(t, b, "opening_imports"))

	_, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", withRows("4501001,01,0200,1.00,,,", "3101001,01,0001,,1.00,,")))
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	other := csvRequest("tb-1", goodCSV)
	other.AsOf = ledger.Date(2027, time.April, 1)
	_, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", other)
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)

	// After approval a replay still answers with the import, now approved.
	_, err = b.opening.Approve(b.ctx, tenant, "asha", first.ID)
	require.NoError(t, err)
	again, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", goodCSV))
	require.NoError(t, err)
	assert.Equal(t, "approved", again.Status)
	assert.Equal(t, 1, count(t, b, "vouchers"))
}

// Books open once: after one import is approved, another is refused at
// import and at approval, and no second opening voucher is posted.
func TestBooksOpenOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-1", goodCSV))
	require.NoError(t, err)
	second, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-2", withRows("4501001,01,0200,1.00,,,", "3101001,01,0001,,1.00,,")))
	require.NoError(t, err)
	_, err = b.opening.Approve(b.ctx, tenant, "asha", first.ID)
	require.NoError(t, err)

	_, err = b.opening.Approve(b.ctx, tenant, "asha", second.ID)
	require.ErrorIs(t, err, opening.ErrAlreadyOpened)
	_, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-3", goodCSV))
	require.ErrorIs(t, err, opening.ErrAlreadyOpened)
	assert.Equal(t, 1, count(t, b, "vouchers"))
	assert.Equal(t, 4, count(t, b, "demands"))
}

// The opening day is 1 April of an opened year, before any voucher.
func TestTheOpeningDayIsTheFirstOfAnOpenedYearBeforeAnyVoucher(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mid := csvRequest("tb-1", goodCSV)
	mid.AsOf = ledger.Date(2026, time.May, 1)
	_, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", mid)
	assert.Equal(t, []string{"as_of: 2026-05-01 is not the first day of a fiscal year: the books open on Munim on 1 April"}, violations(t, err))

	unopened := csvRequest("tb-2", goodCSV)
	unopened.AsOf = ledger.Date(2027, time.April, 1)
	_, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", unopened)
	require.ErrorIs(t, err, ledger.ErrYearNotOpen)

	_, err = b.ledger.Post(b.ctx, tenant, "system", []ledger.Voucher{{Type: ledger.Journal, Date: ledger.Date(2026, time.April, 1),
		Narration: "a fee", IdempotencyKey: "v-1", Lines: []ledger.Line{
			{AccountCode: "4501001", FundCode: "01", FunctionCode: "0200", Debit: decimal.NewFromInt(10)},
			{AccountCode: "1401101", FundCode: "01", FunctionCode: "0200", Credit: decimal.NewFromInt(10)}}}})
	require.NoError(t, err)
	_, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-3", goodCSV))
	require.NoError(t, err, "a voucher on the opening day itself is the books' first day, not before it")

	_, err = b.ledger.OpenFiscalYear(b.ctx, tenant, 2025, "admin")
	require.NoError(t, err)
	_, err = b.ledger.Post(b.ctx, tenant, "system", []ledger.Voucher{{Type: ledger.Journal, Date: ledger.Date(2026, time.March, 31),
		Narration: "a fee", IdempotencyKey: "v-2", Lines: []ledger.Line{
			{AccountCode: "4501001", FundCode: "01", FunctionCode: "0200", Debit: decimal.NewFromInt(10)},
			{AccountCode: "1401101", FundCode: "01", FunctionCode: "0200", Credit: decimal.NewFromInt(10)}}}})
	require.NoError(t, err)
	_, err = b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest("tb-4", goodCSV))
	require.ErrorIs(t, err, opening.ErrBooksRunning)
}

func assertTied(t *testing.T, b bundle) {
	t.Helper()
	ties, err := b.billing.CheckDcbAgainstLedger(b.ctx, tenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(ties), "%+v", ties)
	assert.NotEmpty(t, ties)
}

// Two approvals of a tenant's two imports at once: one posts, the other is
// refused, and the books hold one opening voucher.
func TestConcurrentApprovalsOpenTheBooksOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var ids [2]int64
	for i, content := range []string{goodCSV, withRows("4501001,01,0200,1.00,,,", "3101001,01,0001,,1.00,,")} {
		imp, err := b.opening.ImportBalances(b.ctx, tenant, "ravi", csvRequest(fmt.Sprintf("tb-%d", i), content))
		require.NoError(t, err)
		ids[i] = imp.ID
	}
	var errs [2]error
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { _, errs[i] = b.opening.Approve(b.ctx, tenant, "asha", ids[i]) })
	}
	wg.Wait()
	if errs[0] != nil {
		errs[0], errs[1] = errs[1], errs[0]
	}
	require.NoError(t, errs[0])
	require.ErrorIs(t, errs[1], opening.ErrAlreadyOpened)
	assert.Equal(t, 1, count(t, b, "vouchers"))
	assert.Equal(t, 4, count(t, b, "demands"))
	assertTied(t, b)
}
