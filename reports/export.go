package reports

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
)

// Kind names an exportable statement.
type Kind string

// The exportable statements.
const (
	KindBalanceSheet      Kind = "balance_sheet"
	KindIncomeExpenditure Kind = "income_expenditure"
	KindReceiptsPayments  Kind = "receipts_payments"
	KindCashFlow          Kind = "cash_flow"
)

// Format is an export's file format.
type Format string

// The export formats.
const (
	PDF  Format = "pdf"
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

var mediaTypes = map[Format]string{
	PDF:  "application/pdf",
	XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	CSV:  "text/csv; charset=utf-8",
}

// File is an exported statement.
type File struct {
	Content   []byte
	MediaType string
	Name      string
}

// document is a statement laid out for export, whatever the format: the
// ULB's header, two amount columns (this year, the previous) and tables,
// the statement's face first and then one per schedule.
type document struct {
	ULBName, Title, Period string
	Current, Previous      string // the amount columns' headings
	Tables                 []table
}

// table is the face of a statement or one schedule: a sheet of the XLSX, a
// section of the PDF and the CSV.
//
// A register's table has Columns instead, and each row its Cells, one per
// column (money cells a decimal to the paisa).
type table struct {
	Name    string // the XLSX sheet: at most 31 characters
	Title   string
	Rows    []tableRow
	Columns []Column
}

// tableRow is a heading (no amounts) or a line with its two amounts, or a
// register's line of cells.
type tableRow struct {
	Code, Particulars string
	Amounts           *Amounts
	Strong            bool
	Cells             []string
}

func heading(s string) tableRow { return tableRow{Particulars: s, Strong: true} }

func figureRow(f Figure, strong bool) tableRow {
	a := f.Amounts
	return tableRow{Code: strings.Join(f.Schedules, ", "), Particulars: f.Label, Amounts: &a, Strong: strong}
}

func figureRows(fs []Figure) []tableRow {
	out := make([]tableRow, len(fs))
	for i, f := range fs {
		out[i] = figureRow(f, false)
	}
	return out
}

func scheduleTables(ss []Schedule) []table {
	out := make([]table, 0, len(ss))
	for _, s := range ss {
		t := table{Name: s.Code, Title: fmt.Sprintf("Schedule %s: %s (%s)", s.Code, s.Name, s.MajorHead)}
		for _, r := range s.Rows {
			a := r.Amounts
			t.Rows = append(t.Rows, tableRow{Code: r.AccountCode, Particulars: r.AccountName, Amounts: &a})
		}
		total := s.Total
		t.Rows = append(t.Rows, tableRow{Particulars: "Total", Amounts: &total, Strong: true})
		out = append(out, t)
	}
	return out
}

func dmy(t time.Time) string { return t.Format("02-01-2006") }

func fundNote(fund string) string {
	if fund == "" {
		return ""
	}
	return ", fund " + fund
}

func balanceSheetDocument(bs BalanceSheet) document {
	face := table{Name: "Balance sheet", Title: "Balance sheet"}
	face.Rows = append(face.Rows, heading("Liabilities"))
	face.Rows = append(face.Rows, figureRows(bs.Liabilities)...)
	face.Rows = append(face.Rows, figureRow(bs.TotalLiabilities, true), heading("Assets"))
	face.Rows = append(face.Rows, figureRows(bs.Assets)...)
	face.Rows = append(face.Rows, figureRow(bs.TotalAssets, true))
	return document{ULBName: bs.ULBName, Title: "Balance sheet",
		Period:  fmt.Sprintf("As at %s%s", bs.AsOf.Format("2 January 2006"), fundNote(bs.FundCode)),
		Current: dmy(bs.AsOf), Previous: dmy(bs.PreviousAsOf),
		Tables: append([]table{face}, scheduleTables(bs.Schedules)...)}
}

func incomeExpenditureDocument(ie IncomeExpenditure) document {
	face := table{Name: "Income and expenditure", Title: "Income and expenditure statement"}
	face.Rows = append(face.Rows, heading("Income"))
	face.Rows = append(face.Rows, figureRows(ie.Income)...)
	face.Rows = append(face.Rows, figureRow(ie.TotalIncome, true), heading("Expenditure"))
	face.Rows = append(face.Rows, figureRows(ie.Expenditure)...)
	face.Rows = append(face.Rows, figureRow(ie.TotalExpenditure, true),
		figureRow(ie.SurplusBeforePriorPeriod, true), figureRow(ie.PriorPeriodItems, false),
		figureRow(ie.SurplusAfterPriorPeriod, true), figureRow(ie.TransferToReserves, false),
		figureRow(ie.SurplusCarriedToFund, true))
	return document{ULBName: ie.ULBName, Title: "Income and expenditure statement",
		Period:  fmt.Sprintf("For the period %s to %s%s", ie.From.Format("2 January 2006"), ie.To.Format("2 January 2006"), fundNote(ie.FundCode)),
		Current: dmy(ie.From) + " to " + dmy(ie.To), Previous: dmy(ie.PreviousFrom) + " to " + dmy(ie.PreviousTo),
		Tables: append([]table{face}, scheduleTables(ie.Schedules)...)}
}

func receiptsPaymentsDocument(rp ReceiptsPayments) document {
	face := table{Name: "Receipts and payments", Title: "Receipts and payments account"}
	face.Rows = append(face.Rows, figureRow(rp.Opening, true), heading("Receipts"))
	face.Rows = append(face.Rows, figureRows(rp.Receipts)...)
	face.Rows = append(face.Rows, figureRow(rp.TotalReceipts, true), heading("Payments"))
	face.Rows = append(face.Rows, figureRows(rp.Payments)...)
	face.Rows = append(face.Rows, figureRow(rp.TotalPayments, true), figureRow(rp.Closing, true))
	return document{ULBName: rp.ULBName, Title: "Receipts and payments account",
		Period:  fmt.Sprintf("For the period %s to %s", rp.From.Format("2 January 2006"), rp.To.Format("2 January 2006")),
		Current: dmy(rp.From) + " to " + dmy(rp.To), Previous: dmy(rp.PreviousFrom) + " to " + dmy(rp.PreviousTo),
		Tables: append([]table{face}, scheduleTables(rp.Schedules)...)}
}

func cashFlowDocument(cf CashFlow) document {
	face := table{Name: "Cash flow", Title: "Cash flow statement (indirect method)"}
	face.Rows = append(face.Rows, heading("A. Cash flows from operating activities"))
	face.Rows = append(face.Rows, figureRows(cf.Operating)...)
	face.Rows = append(face.Rows, figureRow(cf.NetOperating, true), heading("B. Cash flows from investing activities"))
	face.Rows = append(face.Rows, figureRows(cf.Investing)...)
	face.Rows = append(face.Rows, figureRow(cf.NetInvesting, true), heading("C. Cash flows from financing activities"))
	face.Rows = append(face.Rows, figureRows(cf.Financing)...)
	face.Rows = append(face.Rows, figureRow(cf.NetFinancing, true), figureRow(cf.NetChange, true),
		figureRow(cf.Opening, false), figureRow(cf.Closing, true))
	return document{ULBName: cf.ULBName, Title: "Cash flow statement",
		Period:  fmt.Sprintf("For the period %s to %s%s", cf.From.Format("2 January 2006"), cf.To.Format("2 January 2006"), fundNote(cf.FundCode)),
		Current: dmy(cf.From) + " to " + dmy(cf.To), Previous: dmy(cf.PreviousFrom) + " to " + dmy(cf.PreviousTo),
		Tables: []table{face}}
}

// Export draws a statement and writes it in a format.
func (s *Service) Export(ctx context.Context, r Request, kind Kind, format Format) (File, error) {
	var (
		doc document
		err error
	)
	switch kind {
	case KindBalanceSheet:
		var bs BalanceSheet
		if bs, err = s.BalanceSheet(ctx, r); err == nil {
			doc = balanceSheetDocument(bs)
		}
	case KindIncomeExpenditure:
		var ie IncomeExpenditure
		if ie, err = s.IncomeExpenditure(ctx, r); err == nil {
			doc = incomeExpenditureDocument(ie)
		}
	case KindReceiptsPayments:
		var rp ReceiptsPayments
		if rp, err = s.ReceiptsPayments(ctx, r); err == nil {
			doc = receiptsPaymentsDocument(rp)
		}
	case KindCashFlow:
		var cf CashFlow
		if cf, err = s.CashFlow(ctx, r); err == nil {
			doc = cashFlowDocument(cf)
		}
	default:
		return File{}, invalid("kind", fmt.Sprintf("%q is not a statement", kind))
	}
	if err != nil {
		return File{}, err
	}
	return render(doc, format, fmt.Sprintf("%s-%s-%s", r.TenantID, kind, r.asOfLabel()))
}

// render writes a laid-out document in a format, as file name.format.
func render(doc document, format Format, name string) (File, error) {
	var buf bytes.Buffer
	var err error
	switch format {
	case XLSX:
		err = writeXLSX(&buf, doc)
	case CSV:
		err = writeCSV(&buf, doc)
	case PDF:
		err = writePDF(&buf, doc)
	default:
		return File{}, invalid("format", fmt.Sprintf("%q is not an export format", format))
	}
	if err != nil {
		return File{}, fmt.Errorf("export %s as %s: %w", name, format, err)
	}
	return File{Content: buf.Bytes(), MediaType: mediaTypes[format], Name: name + "." + string(format)}, nil
}

func (r Request) asOfLabel() string {
	if r.AsOf.IsZero() {
		return fmt.Sprintf("fy%d", r.FiscalYear)
	}
	return r.AsOf.Format(time.DateOnly)
}
