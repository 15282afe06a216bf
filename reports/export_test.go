package reports_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/munimhq/munim/reports"
)

func TestBalanceSheetExportsAsXLSXWithNumbersAndSchedules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	f, err := b.reports.Export(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")}, reports.KindBalanceSheet, reports.XLSX)
	require.NoError(t, err)
	assert.Equal(t, "uk.dehradun-balance_sheet-2026-05-31.xlsx", f.Name)
	x, err := excelize.OpenReader(bytes.NewReader(f.Content))
	require.NoError(t, err)
	defer x.Close()

	sheets := x.GetSheetList()
	assert.Equal(t, "Balance sheet", sheets[0])
	assert.Subset(t, sheets, []string{"B-1", "B-4", "B-9", "B-11", "B-12", "B-17", "B-18", "B-20"}, "one sheet per schedule")
	ulb, _ := x.GetCellValue("B-17", "A1")
	assert.Equal(t, "Dehradun Municipal Corporation", ulb)
	header, _ := x.GetCellValue("B-17", "C4")
	assert.Equal(t, "31-05-2026", header)
	panes, err := x.GetPanes("B-17")
	require.NoError(t, err)
	assert.True(t, panes.Freeze, "the header row is frozen")
	assert.Equal(t, 4, panes.YSplit)

	// B-17's first row is 4311001: a number cell holding the exact decimal,
	// shown with Indian grouping. (excelize's own rendering of that format
	// is not Excel's, so the format itself is what is checked.)
	code, _ := x.GetCellValue("B-17", "A5")
	assert.Equal(t, "4311001", code)
	raw, err := x.GetCellValue("B-17", "C5", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "78300.25", raw)
	typ, err := x.GetCellType("B-17", "C5")
	require.NoError(t, err)
	assert.Contains(t, []excelize.CellType{excelize.CellTypeNumber, excelize.CellTypeUnset}, typ, "not a string cell")
	style, err := x.GetCellStyle("B-17", "C5")
	require.NoError(t, err)
	s, err := x.GetStyle(style)
	require.NoError(t, err)
	require.NotNil(t, s.CustomNumFmt)
	assert.Contains(t, *s.CustomNumFmt, `[>=10000000]##\,##\,##\,##0.00`)

	// The face: totals of both sides, equal.
	rows, err := x.GetRows("Balance sheet", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	totals := map[string][]string{}
	for _, r := range rows {
		if len(r) == 4 && (r[1] == "Total liabilities" || r[1] == "Total assets") {
			totals[r[1]] = r[2:]
		}
	}
	assert.Equal(t, []string{"999300.50", "575000.00"}, totals["Total assets"], "the decimals' own text, to the paisa")
	assert.Equal(t, totals["Total assets"], totals["Total liabilities"])
}

func TestStatementsExportAsCSV(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	f, err := b.reports.Export(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")}, reports.KindIncomeExpenditure, reports.CSV)
	require.NoError(t, err)
	assert.Equal(t, "text/csv; charset=utf-8", f.MediaType)
	records, err := csv.NewReader(bytes.NewReader(f.Content)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"section", "code", "particulars", "01-04-2026 to 31-05-2026", "01-04-2025 to 31-03-2026"}, records[0])
	assert.Contains(t, records, []string{"Income and expenditure", "I-1", "Tax revenue", "119500.50", "90000.00"})
	assert.Contains(t, records, []string{"I-1", "1109004", "Tax Remission and Refund-Rebate for Early Payment", "-500.00", "0.00"})
	assert.Contains(t, records, []string{"Income and expenditure", "", "Net balance being surplus (deficit) carried over to municipal fund", "117732.61", "65000.00"})
}

func TestStatementsExportAsPDF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	cases := []struct {
		kind reports.Kind
		want []string
	}{
		{reports.KindBalanceSheet, []string{"Dehradun Municipal Corporation", "Balance sheet", "As at 31 May 2026",
			"Total assets 9,99,300.50 5,75,000.00", "Schedule B-17: Sundry Debtors (Receivables) (431)", "4311001", "78,300.25",
			"Accountant Chief Accounts Officer Commissioner / Executive Officer", "Page 1 of"}},
		{reports.KindReceiptsPayments, []string{"Receipts and payments account", "Closing balance of cash and bank 6,17,000.25 5,35,000.00"}},
		{reports.KindCashFlow, []string{"Cash flow statement", "Net increase (decrease) in cash and bank (A + B + C) 82,000.25 5,35,000.00"}},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			f, err := b.reports.Export(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")}, c.kind, reports.PDF)
			require.NoError(t, err)
			assert.Equal(t, "application/pdf", f.MediaType)
			text := pdfText(t, f.Content)
			for _, w := range c.want {
				assert.Contains(t, text, w)
			}
		})
	}
}
