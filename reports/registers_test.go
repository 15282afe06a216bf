package reports_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
)

func withParty(l ledger.Line, party string) ledger.Line {
	l.Party = party
	return l
}

// postDeposits adds, to the scenario, deposits and advances held for named
// parties, one of them partly returned.
func postDeposits(t *testing.T, b bundle) {
	t.Helper()
	_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{
		voucher("dep-1", "2026-05-05", "EMD, road tender", dr("4502101", "01", "25000.00"), withParty(cr("3401001", "01", "25000.00"), "SUP-7")),
		voucher("dep-2", "2026-05-06", "EMD, drains tender", dr("4502101", "01", "18000.00"), withParty(cr("3401001", "01", "18000.00"), "SUP-9")),
		voucher("dep-3", "2026-05-20", "EMD returned, drains tender", withParty(dr("3401001", "01", "18000.00"), "SUP-9"), cr("4502101", "01", "18000.00")),
		voucher("adv-1", "2026-05-21", "advance PT", dr("4501001", "01", "750.40"), withParty(cr("3504101", "01", "750.40"), "PROP-12")),
	})
	require.NoError(t, err)
}

func rowFor(r reports.Register, party string) (reports.RegisterRow, bool) {
	for _, row := range r.Rows {
		if row.Party == party && !row.Total {
			return row, true
		}
	}
	return reports.RegisterRow{}, false
}

// The books run from an opening to a closing balance that is the head's
// maintained balance; the sub-ledger registers list each party's balance
// and add up to their heads.
func TestBooksAndSubLedgersTieToTheirHeads(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	postDeposits(t, b)

	cash, err := b.reports.Register(b.ctx, tenant, reports.RegisterQuery{Kind: reports.CashBook, From: day("2026-04-01"), To: day("2026-05-31")})
	require.NoError(t, err)
	assert.Equal(t, "Dehradun Municipal Corporation", cash.ULBName)
	require.True(t, cash.Tied(), "%+v", cash.Ties)
	assert.Equal(t, "82750.65", cash.Ties[0].Book.StringFixed(2), "cash on hand: 80,000.25 collected, 2,000 and 750.40 in advance")
	assert.Equal(t, []string{"2026-04-01", "", "Opening balance", "", "", "", "0.00"}, cash.Rows[0].Cells)
	for _, row := range cash.Rows {
		if !row.Total {
			assert.NotZero(t, row.VoucherID, "a book entry names its voucher: %v", row.Cells)
		}
	}

	bank, err := b.reports.Register(b.ctx, tenant, reports.RegisterQuery{Kind: reports.BankBook, AccountCode: "4502101", From: day("2026-04-01"), To: day("2026-06-30")})
	require.NoError(t, err)
	require.True(t, bank.Tied())
	assert.Equal(t, "535000.00", bank.Rows[0].Cells[6], "brought forward from 2025-26")
	assert.Equal(t, "460000.01", bank.Ties[0].Book.StringFixed(2), "535,000 + 25,000 EMD - 99,999.99 salaries (18,000 returned in the month it came)")

	deps, err := b.reports.Register(b.ctx, tenant, reports.RegisterQuery{Kind: reports.Deposits, To: day("2026-05-31")})
	require.NoError(t, err)
	require.True(t, deps.Tied())
	row, ok := rowFor(deps, "SUP-7")
	require.True(t, ok)
	assert.Equal(t, "25000.00", row.Cells[3])
	assert.Equal(t, "3401001", row.AccountCode)
	_, ok = rowFor(deps, "SUP-9")
	assert.False(t, ok, "a deposit returned in full is not held")
	early, err := b.reports.Register(b.ctx, tenant, reports.RegisterQuery{Kind: reports.Deposits, To: day("2026-05-10")})
	require.NoError(t, err)
	_, ok = rowFor(early, "SUP-9")
	assert.True(t, ok, "before its return the second deposit was held")
	assert.Equal(t, "43000.00", early.Ties[0].Book.StringFixed(2))

	adv, err := b.reports.Register(b.ctx, tenant, reports.RegisterQuery{Kind: reports.AdvanceCollections, To: day("2026-05-31")})
	require.NoError(t, err)
	require.True(t, adv.Tied())
	assert.Equal(t, "2750.40", adv.Ties[0].Book.StringFixed(2), "the party's 750.40 and 2,000 booked without a party")
	row, ok = rowFor(adv, "PROP-12")
	require.True(t, ok)
	assert.Equal(t, "750.40", row.Cells[3])
}

// The day book comes a page of vouchers at a time; the pages together hold
// every line once, and each page's debits equal its credits.
func TestDayBookPagesThroughEveryVoucherOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	whole, err := b.reports.Register(b.ctx, tenant, reports.RegisterQuery{Kind: reports.DayBook, From: day("2026-04-01"), To: day("2026-06-30"), PageSize: 1000})
	require.NoError(t, err)
	require.Empty(t, whole.NextPageToken)
	require.True(t, whole.Tied())
	assert.Len(t, whole.Rows, 2*12+1, "twelve two-line vouchers and the total")

	q := reports.RegisterQuery{Kind: reports.DayBook, From: day("2026-04-01"), To: day("2026-06-30"), PageSize: 3}
	seen := map[int64]bool{}
	lines, pages := 0, 0
	for {
		page, err := b.reports.Register(b.ctx, tenant, q)
		require.NoError(t, err)
		pages++
		assert.True(t, page.Tied(), "page %d", pages)
		for _, row := range page.Rows {
			if row.Total {
				continue
			}
			lines++
			seen[row.VoucherID] = true
		}
		if page.NextPageToken == "" {
			break
		}
		q.PageToken = page.NextPageToken
	}
	assert.Equal(t, 4, pages)
	assert.Equal(t, 24, lines)
	assert.Len(t, seen, 12)
}

func registerClient(t *testing.T, b bundle) reportsv1connect.ReportServiceClient {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(reports.NewHandler(b.reports, nil, slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return reportsv1connect.NewReportServiceClient(srv.Client(), srv.URL)
}

// Bad register parameters are refused naming the field; a register whose
// sub-ledger service is not wired is Unimplemented, not empty.
func TestRegisterParametersAreChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := registerClient(t, b)
	for _, tc := range []struct {
		name  string
		req   *reportsv1.GetRegisterRequest
		code  connect.Code
		field string
	}{
		{"a bank book needs its bank head", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_BOOK, From: "2026-04-01", To: "2026-04-30"}, connect.CodeInvalidArgument, "account_code"},
		{"a bank book is of a bank head", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_BOOK, AccountCode: "4501001", From: "2026-04-01", To: "2026-04-30"}, connect.CodeInvalidArgument, "account_code"},
		{"a reconciliation needs its bank head", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_RECONCILIATION, To: "2026-04-30"}, connect.CodeInvalidArgument, "account_code"},
		{"a book runs forwards", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_DAY_BOOK, From: "2026-05-01", To: "2026-04-30"}, connect.CodeInvalidArgument, "to"},
		{"a book has a start", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_CASH_BOOK, To: "2026-04-30"}, connect.CodeInvalidArgument, "from"},
		{"a register has an end", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_DEPOSITS}, connect.CodeInvalidArgument, "to"},
		{"a date is a date", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_DEPOSITS, To: "2026-02-30"}, connect.CodeInvalidArgument, "to"},
		{"a sub-ledger not wired is not built", &reportsv1.GetRegisterRequest{Kind: reportsv1.RegisterKind_REGISTER_KIND_DCB, To: "2026-04-30"}, connect.CodeUnimplemented, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.TenantId = tenant
			_, err := c.GetRegister(b.ctx, connect.NewRequest(tc.req))
			require.Error(t, err)
			assert.Equal(t, tc.code, connect.CodeOf(err), err.Error())
			if tc.field != "" {
				assert.Contains(t, err.Error(), tc.field)
			}
		})
	}
	_, err := c.ExportReport(b.ctx, connect.NewRequest(&reportsv1.ExportReportRequest{TenantId: tenant, Format: reportsv1.ExportFormat_EXPORT_FORMAT_CSV,
		Register: &reportsv1.GetRegisterRequest{TenantId: "uk.haldwani", Kind: reportsv1.RegisterKind_REGISTER_KIND_DEPOSITS, To: "2026-04-30"}}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "a register of another tenant inside the request")
	assert.ErrorContains(t, err, "register.tenant_id")
}

// A register exports as a PDF with the ULB, the register, its entries in
// Indian grouping, page numbers and the signatures; as a workbook with a
// sheet per section and its ties, money as numbers; and as CSV.
func TestRegisterExportsReadBack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	postDeposits(t, b)
	q := reports.RegisterQuery{Kind: reports.CashBook, From: day("2026-04-01"), To: day("2026-05-31")}

	pdf, err := b.reports.ExportRegister(b.ctx, tenant, q, reports.PDF)
	require.NoError(t, err)
	assert.Equal(t, "uk.dehradun-cash_book-2026-05-31.pdf", pdf.Name)
	text := pdfText(t, pdf.Content)
	for _, want := range []string{"Dehradun Municipal Corporation", "Cash book", "For the period 1 April 2026 to 31 May 2026",
		"4501001 Cash-Cash On Hand", "Opening balance", "80,000.25", "82,750.65", "Closing balance", "Ties to the ledger",
		"Page 1 of", "Chief Accounts Officer"} {
		assert.Contains(t, text, want)
	}

	xl, err := b.reports.ExportRegister(b.ctx, tenant, q, reports.XLSX)
	require.NoError(t, err)
	f, err := excelize.OpenReader(bytes.NewReader(xl.Content))
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{"4501001 Cash-Cash On Hand", "4501051 Cash-Cheques-in-hand", "Ties to the ledger"}, f.GetSheetList())
	assert.Equal(t, "Date", must(f.GetCellValue("4501001 Cash-Cash On Hand", "A4")))
	var closing string
	rows, err := f.GetRows("4501001 Cash-Cash On Hand", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	for _, r := range rows {
		if len(r) > 2 && r[2] == "Closing balance" {
			closing = r[6]
		}
	}
	assert.Equal(t, "82750.65", closing, "a number cell to the paisa")
	typ, err := f.GetCellType("4501001 Cash-Cash On Hand", "G5")
	require.NoError(t, err)
	assert.NotEqual(t, excelize.CellTypeSharedString, typ)
	panes, err := f.GetPanes("4501001 Cash-Cash On Hand")
	require.NoError(t, err)
	assert.True(t, panes.Freeze)
	assert.Equal(t, 4, panes.YSplit)

	c, err := b.reports.ExportRegister(b.ctx, tenant, reports.RegisterQuery{Kind: reports.Deposits, To: day("2026-05-31")}, reports.CSV)
	require.NoError(t, err)
	r := csv.NewReader(bytes.NewReader(c.Content))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"section", "Account", "Head", "Party", "Balance held"}, recs[0])
	assert.Equal(t, []string{"Register of deposits received", "3401001", "From Contractors Suppliers-Ernest Money Deposit", "SUP-7", "25000.00"}, recs[1])
	assert.Equal(t, "yes", recs[len(recs)-1][6], "the tie, last")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The contract asks an export for exactly one of a statement (with its
// period) and a register.
func TestExportRequestNamesOneStatementOrRegister(t *testing.T) {
	t.Parallel()
	reg := &reportsv1.GetRegisterRequest{TenantId: tenant, Kind: reportsv1.RegisterKind_REGISTER_KIND_DAY_BOOK, From: "2026-04-01", To: "2026-04-30"}
	period := &reportsv1.StatementPeriod{FiscalYear: 2026}
	for _, tc := range []struct {
		name string
		req  *reportsv1.ExportReportRequest
		ok   bool
	}{
		{"a statement with its period", &reportsv1.ExportReportRequest{Kind: reportsv1.ReportKind_REPORT_KIND_BALANCE_SHEET, Period: period}, true},
		{"a register", &reportsv1.ExportReportRequest{Register: reg}, true},
		{"both", &reportsv1.ExportReportRequest{Kind: reportsv1.ReportKind_REPORT_KIND_BALANCE_SHEET, Period: period, Register: reg}, false},
		{"neither", &reportsv1.ExportReportRequest{Period: period}, false},
		{"a statement without its period", &reportsv1.ExportReportRequest{Kind: reportsv1.ReportKind_REPORT_KIND_CASH_FLOW}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.TenantId, tc.req.Format = tenant, reportsv1.ExportFormat_EXPORT_FORMAT_CSV
			err := protovalidate.Validate(tc.req)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
