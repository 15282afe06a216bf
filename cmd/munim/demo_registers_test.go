package main

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
)

// demoRegisterClient serves the report service over the demo's books.
func demoRegisterClient(t *testing.T, d demoWorld) reportsv1connect.ReportServiceClient {
	t.Helper()
	svc := reports.NewService(d.pool, d.app.ledger).WithSources(d.app.reportSources())
	mux := http.NewServeMux()
	mux.Handle(reports.NewHandler(svc, nil, d.log))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return reportsv1connect.NewReportServiceClient(srv.Client(), srv.URL)
}

// demoRegisterRequests are the demo's registers with their parameters: the books
// over the year so far, the others as at the year's end.
var demoRegisterRequests = []*reportsv1.GetRegisterRequest{
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_DAY_BOOK, From: "2026-10-01", To: "2026-10-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_CASH_BOOK, From: "2026-04-01", To: "2026-11-30"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_BOOK, AccountCode: "4502101", From: "2026-04-01", To: "2026-11-30"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_DCB, To: "2027-03-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_RECEIVABLES_AGEING, To: "2027-03-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_ADVANCE_COLLECTIONS, To: "2026-11-30"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_DEPOSITS, To: "2027-03-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_CREDITORS, To: "2027-03-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_BUDGET_VARIANCE, To: "2026-11-30"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_ASSET_REGISTER, To: "2027-03-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_DEPRECIATION_SCHEDULE, To: "2027-03-31"},
	{Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_RECONCILIATION, AccountCode: "4502101", To: "2026-11-30"},
}

// Every register of the demo ULB ties to its control heads in the ledger
// to the paisa, every entry names what is behind it, and each exports as
// XLSX (money as numbers), CSV and PDF that read back.
func TestDemoRegistersTieToTheLedgerAndExport(t *testing.T) {
	t.Parallel()
	d := seededDemo(t)
	c := demoRegisterClient(t, d)
	for _, req := range demoRegisterRequests {
		req.TenantId = demoTenant
		res, err := c.GetRegister(d.ctx, connect.NewRequest(req))
		require.NoError(t, err, req.Kind.String())
		reg := res.Msg.GetTable()
		require.NotNil(t, reg, req.Kind.String())
		require.NotEmpty(t, reg.Ties, req.Kind.String())
		for _, tie := range reg.Ties {
			assert.True(t, tie.Tied, "%s: %s: register %s, ledger %s", req.Kind, tie.Name, tie.Book, tie.Ledger)
		}
		entries := 0
		for _, row := range reg.Rows {
			require.Len(t, row.Cells, len(reg.Columns), req.Kind.String())
			if !row.Total {
				entries++
				assert.True(t, row.VoucherId != 0 || row.AccountCode != "" || row.Party != "", "%s: a row with nothing behind it: %v", req.Kind, row.Cells)
			}
		}
		t.Logf("%s: %d entries, ties %v", req.Kind, entries, reg.Ties)

		for _, format := range []reportsv1.ExportFormat{reportsv1.ExportFormat_EXPORT_FORMAT_XLSX, reportsv1.ExportFormat_EXPORT_FORMAT_CSV, reportsv1.ExportFormat_EXPORT_FORMAT_PDF} {
			exp, err := c.ExportReport(d.ctx, connect.NewRequest(&reportsv1.ExportReportRequest{TenantId: demoTenant, Format: format, Register: req}))
			require.NoError(t, err, "%s %s", req.Kind, format)
			checkRegisterExport(t, req.Kind, format, reg, exp.Msg.Content)
		}
	}

	// October's day book a few vouchers a page: the pages hold every line of
	// the whole once, and each balances.
	whole, err := c.GetRegister(d.ctx, connect.NewRequest(&reportsv1.GetRegisterRequest{TenantId: demoTenant,
		Kind: reportsv1.RegisterKind_REGISTER_KIND_DAY_BOOK, From: "2026-10-01", To: "2026-10-31", PageSize: 1000}))
	require.NoError(t, err)
	require.Empty(t, whole.Msg.NextPageToken)
	page := &reportsv1.GetRegisterRequest{TenantId: demoTenant, Kind: reportsv1.RegisterKind_REGISTER_KIND_DAY_BOOK,
		From: "2026-10-01", To: "2026-10-31", PageSize: 7}
	var paged []*reportsv1.RegisterRow
	pages := 0
	for {
		res, err := c.GetRegister(d.ctx, connect.NewRequest(page))
		require.NoError(t, err)
		pages++
		assert.True(t, res.Msg.GetTable().Ties[0].Tied, "page %d", pages)
		for _, row := range res.Msg.GetTable().Rows {
			if !row.Total {
				paged = append(paged, row)
			}
		}
		if res.Msg.NextPageToken == "" {
			break
		}
		page.PageToken = res.Msg.NextPageToken
	}
	wholeRows := whole.Msg.GetTable().Rows
	require.Len(t, paged, len(wholeRows)-1, "every line but the total")
	for i, row := range paged {
		assert.Equal(t, wholeRows[i].VoucherId, row.VoucherId)
		assert.Equal(t, wholeRows[i].Cells, row.Cells)
	}
	assert.Greater(t, pages, 2)

	// The general ledger and the trial balance keep their typed shapes on the
	// wire, and export as tables like the others.
	for _, req := range []*reportsv1.GetRegisterRequest{
		{TenantId: demoTenant, Kind: reportsv1.RegisterKind_REGISTER_KIND_GENERAL_LEDGER, AccountCode: "4311001", From: "2026-04-01", To: "2026-11-30"},
		{TenantId: demoTenant, Kind: reportsv1.RegisterKind_REGISTER_KIND_TRIAL_BALANCE, To: "2026-11-30"},
	} {
		for _, format := range []reportsv1.ExportFormat{reportsv1.ExportFormat_EXPORT_FORMAT_XLSX, reportsv1.ExportFormat_EXPORT_FORMAT_CSV, reportsv1.ExportFormat_EXPORT_FORMAT_PDF} {
			exp, err := c.ExportReport(d.ctx, connect.NewRequest(&reportsv1.ExportReportRequest{TenantId: demoTenant, Format: format, Register: req}))
			require.NoError(t, err, "%s %s", req.Kind, format)
			assert.NotEmpty(t, exp.Msg.Content)
			if format == reportsv1.ExportFormat_EXPORT_FORMAT_CSV {
				r := csv.NewReader(bytes.NewReader(exp.Msg.Content))
				r.FieldsPerRecord = -1
				recs, err := r.ReadAll()
				require.NoError(t, err)
				last := recs[len(recs)-1]
				assert.Equal(t, "yes", last[len(last)-1], "%s: its last tie holds", req.Kind)
			}
		}
	}

	// A hand-made journal to the property-tax receivable, which no demand
	// explains, shows as a difference in the DCB's tie.
	_, err = d.app.ledger.Post(d.ctx, demoTenant, "test", []ledger.Voucher{{Type: ledger.Journal, Date: ledger.Date(2026, time.November, 20),
		Narration: "PT receivable raised by hand", IdempotencyKey: "registers-by-hand", Lines: []ledger.Line{
			{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Debit: decimal.RequireFromString("1234.56")},
			{AccountCode: "1100101", FundCode: "01", FunctionCode: "9091", Credit: decimal.RequireFromString("1234.56")}}}})
	require.NoError(t, err)
	res, err := c.GetRegister(d.ctx, connect.NewRequest(&reportsv1.GetRegisterRequest{TenantId: demoTenant,
		Kind: reportsv1.RegisterKind_REGISTER_KIND_DCB, To: "2027-03-31"}))
	require.NoError(t, err)
	tie := res.Msg.GetTable().Ties[0]
	assert.False(t, tie.Tied)
	assert.Equal(t, "1234.56", tie.Difference)
}

// checkRegisterExport reads an export back: the XLSX's first sheet holds
// the register's first entry with money as numbers; the CSV's rows are the
// register's rows and ties; the PDF is a PDF.
func checkRegisterExport(t *testing.T, kind reportsv1.RegisterKind, format reportsv1.ExportFormat, reg *reportsv1.Register, content []byte) {
	t.Helper()
	switch format {
	case reportsv1.ExportFormat_EXPORT_FORMAT_XLSX:
		f, err := excelize.OpenReader(bytes.NewReader(content))
		require.NoError(t, err)
		defer f.Close()
		sheets := f.GetSheetList()
		assert.Equal(t, "Ties to the ledger", sheets[len(sheets)-1], kind.String())
		rows, err := f.GetRows(sheets[0])
		require.NoError(t, err)
		require.Greater(t, len(rows), 4, kind.String())
		assert.Equal(t, reg.Columns[0].Name, rows[3][0], kind.String())
		for i, col := range reg.Columns {
			if col.Kind != reportsv1.ColumnKind_COLUMN_KIND_MONEY || reg.Rows[0].Cells[i] == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, 5)
			typ, err := f.GetCellType(sheets[0], cell)
			require.NoError(t, err)
			assert.NotEqual(t, excelize.CellTypeSharedString, typ, "%s %s is a number", kind, cell)
			raw, err := f.GetCellValue(sheets[0], cell, excelize.Options{RawCellValue: true})
			require.NoError(t, err)
			assert.True(t, decimal.RequireFromString(raw).Equal(decimal.RequireFromString(reg.Rows[0].Cells[i])), "%s %s: %s", kind, cell, raw)
		}
	case reportsv1.ExportFormat_EXPORT_FORMAT_CSV:
		r := csv.NewReader(bytes.NewReader(content))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		require.NoError(t, err)
		data := 0
		for _, rec := range recs {
			if rec[0] != "section" {
				data++
			}
		}
		assert.Equal(t, len(reg.Rows)+len(reg.Ties), data, kind.String())
	case reportsv1.ExportFormat_EXPORT_FORMAT_PDF:
		assert.True(t, bytes.HasPrefix(content, []byte("%PDF-")), kind.String())
	}
}

// The demo's schedule of fixed assets adds up across and down: each head's
// gross block and depreciation brought forward, plus additions or the
// year's charge, less deductions or write-backs, is what is carried
// forward; the net block is gross less depreciation; the total row is the
// heads' sum; and the year's charge is the depreciation the demo ran.
func TestDemoDepreciationScheduleAddsUp(t *testing.T) {
	t.Parallel()
	d := seededDemo(t)
	res, err := demoRegisterClient(t, d).GetRegister(d.ctx, connect.NewRequest(&reportsv1.GetRegisterRequest{TenantId: demoTenant,
		Kind: reportsv1.RegisterKind_REGISTER_KIND_DEPRECIATION_SCHEDULE, To: "2027-03-31"}))
	require.NoError(t, err)
	reg := res.Msg.GetTable()
	num := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	sums := make([]decimal.Decimal, 10)
	var total []string
	for _, row := range reg.Rows {
		c := row.Cells
		if row.Total {
			total = c
			continue
		}
		assert.True(t, num(c[2]).Add(num(c[3])).Sub(num(c[4])).Equal(num(c[5])), "gross block of %s: %v", c[0], c)
		assert.True(t, num(c[6]).Add(num(c[7])).Sub(num(c[8])).Equal(num(c[9])), "depreciation of %s: %v", c[0], c)
		assert.True(t, num(c[5]).Sub(num(c[9])).Equal(num(c[11])), "net block of %s: %v", c[0], c)
		if row.Section == "Fixed assets" {
			for i := range sums {
				sums[i] = sums[i].Add(num(c[i+2]))
			}
		}
	}
	require.NotNil(t, total)
	for i, s := range sums {
		assert.Equal(t, s.StringFixed(2), total[i+2], "total of %s", reg.Columns[i+2].Name)
	}
	assert.True(t, num(total[7]).IsPositive(), "the demo's depreciation run charges the year: %v", total)
	assert.True(t, num(total[2]).IsPositive() && num(total[6]).IsPositive(), "the opening register imported on 1 April is brought forward, not added: %v", total)
}
