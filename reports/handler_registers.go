package reports

import (
	"context"
	"fmt"
	"time"

	"connectrpc.com/connect"

	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/ledger"
)

// registerKinds maps the contract's tabular register kinds to the domain's.
var registerKinds = map[reportsv1.RegisterKind]RegisterKind{
	reportsv1.RegisterKind_REGISTER_KIND_GENERAL_LEDGER:        GeneralLedger,
	reportsv1.RegisterKind_REGISTER_KIND_TRIAL_BALANCE:         TrialBalanceKind,
	reportsv1.RegisterKind_REGISTER_KIND_DAY_BOOK:              DayBook,
	reportsv1.RegisterKind_REGISTER_KIND_CASH_BOOK:             CashBook,
	reportsv1.RegisterKind_REGISTER_KIND_BANK_BOOK:             BankBook,
	reportsv1.RegisterKind_REGISTER_KIND_DCB:                   DCB,
	reportsv1.RegisterKind_REGISTER_KIND_RECEIVABLES_AGEING:    ReceivablesAgeing,
	reportsv1.RegisterKind_REGISTER_KIND_ADVANCE_COLLECTIONS:   AdvanceCollections,
	reportsv1.RegisterKind_REGISTER_KIND_DEPOSITS:              Deposits,
	reportsv1.RegisterKind_REGISTER_KIND_CREDITORS:             Creditors,
	reportsv1.RegisterKind_REGISTER_KIND_BUDGET_VARIANCE:       BudgetVariance,
	reportsv1.RegisterKind_REGISTER_KIND_ASSET_REGISTER:        AssetRegister,
	reportsv1.RegisterKind_REGISTER_KIND_DEPRECIATION_SCHEDULE: DepreciationSchedule,
	reportsv1.RegisterKind_REGISTER_KIND_BANK_RECONCILIATION:   BankReconciliation,
}

var columnKinds = map[ColumnKind]reportsv1.ColumnKind{
	ColText: reportsv1.ColumnKind_COLUMN_KIND_TEXT, ColDate: reportsv1.ColumnKind_COLUMN_KIND_DATE,
	ColMoney: reportsv1.ColumnKind_COLUMN_KIND_MONEY, ColNumber: reportsv1.ColumnKind_COLUMN_KIND_NUMBER,
}

// optionalDate parses a date field that may be empty.
func optionalDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ledger.ParseDate(field, s)
}

// registerQueryIn reads a register's parameters.
func registerQueryIn(m *reportsv1.GetRegisterRequest) (RegisterQuery, error) {
	kind, ok := registerKinds[m.GetKind()]
	if !ok {
		return RegisterQuery{}, invalid("kind", fmt.Sprintf("%s is not a register", m.GetKind()))
	}
	from, err := optionalDate("from", m.GetFrom())
	if err != nil {
		return RegisterQuery{}, err
	}
	to, err := optionalDate("to", m.GetTo())
	if err != nil {
		return RegisterQuery{}, err
	}
	return RegisterQuery{Kind: kind, AccountCode: m.GetAccountCode(), Party: m.GetParty(), FundCode: m.GetFundCode(), From: from, To: to,
		PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()}, nil
}

func registerOut(r Register) *reportsv1.Register {
	out := &reportsv1.Register{Title: r.Title, UlbName: r.ULBName, From: day(r.From), To: day(r.To)}
	for k, v := range registerKinds {
		if v == r.Kind {
			out.Kind = k
		}
	}
	for _, c := range r.Columns {
		out.Columns = append(out.Columns, &reportsv1.RegisterColumn{Name: c.Name, Kind: columnKinds[c.Kind]})
	}
	for _, row := range r.Rows {
		out.Rows = append(out.Rows, &reportsv1.RegisterRow{Section: row.Section, Cells: row.Cells, VoucherId: row.VoucherID,
			AccountCode: row.AccountCode, Party: row.Party, Total: row.Total})
	}
	for _, t := range r.Ties {
		out.Ties = append(out.Ties, &reportsv1.RegisterTie{Name: t.Name, AccountCodes: t.Accounts, Book: amt(t.Book),
			Ledger: amt(t.Ledger), Difference: amt(t.Difference), Tied: t.Tied()})
	}
	return out
}

// GetRegister implements ReportService.GetRegister: the general ledger of
// an account (the drill from a figure to its vouchers), the trial balance,
// and every other register as a table with its ties to the ledger.
func (h *Handler) GetRegister(ctx context.Context, req *connect.Request[reportsv1.GetRegisterRequest]) (*connect.Response[reportsv1.GetRegisterResponse], error) {
	m := req.Msg
	proc := req.Spec().Procedure
	switch m.GetKind() {
	case reportsv1.RegisterKind_REGISTER_KIND_GENERAL_LEDGER:
		gl, next, err := h.generalLedger(ctx, m)
		if err != nil {
			return nil, h.fail(ctx, proc, err)
		}
		return connect.NewResponse(&reportsv1.GetRegisterResponse{Register: &reportsv1.GetRegisterResponse_GeneralLedger{GeneralLedger: gl},
			NextPageToken: next}), nil
	case reportsv1.RegisterKind_REGISTER_KIND_TRIAL_BALANCE:
		tb, err := h.trialBalance(ctx, m)
		if err != nil {
			return nil, h.fail(ctx, proc, err)
		}
		return connect.NewResponse(&reportsv1.GetRegisterResponse{Register: &reportsv1.GetRegisterResponse_TrialBalance{TrialBalance: tb}}), nil
	}
	q, err := registerQueryIn(m)
	if err != nil {
		return nil, h.fail(ctx, proc, err)
	}
	r, err := h.svc.Register(ctx, m.GetTenantId(), q)
	if err != nil {
		return nil, h.fail(ctx, proc, err)
	}
	return connect.NewResponse(&reportsv1.GetRegisterResponse{Register: &reportsv1.GetRegisterResponse_Table{Table: registerOut(r)},
		NextPageToken: r.NextPageToken}), nil
}

func (h *Handler) generalLedger(ctx context.Context, m *reportsv1.GetRegisterRequest) (*reportsv1.GeneralLedger, string, error) {
	if m.GetAccountCode() == "" {
		return nil, "", invalid("account_code", "a general ledger is of one account")
	}
	from, err := ledger.ParseDate("from", m.GetFrom())
	if err != nil {
		return nil, "", err
	}
	to, err := ledger.ParseDate("to", m.GetTo())
	if err != nil {
		return nil, "", err
	}
	st, err := h.svc.GeneralLedger(ctx, m.GetTenantId(), ledger.StatementQuery{AccountCode: m.GetAccountCode(), Party: m.GetParty(),
		From: from, To: to, PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()})
	if err != nil {
		return nil, "", err
	}
	gl := &reportsv1.GeneralLedger{AccountCode: st.AccountCode, AccountName: st.AccountName, Opening: st.Opening.StringFixed(2)}
	if st.NextPageToken == "" {
		gl.Closing = st.Closing.StringFixed(2)
	}
	for _, l := range st.Lines {
		gl.Entries = append(gl.Entries, &reportsv1.LedgerEntry{Date: l.Date.Format(time.DateOnly), VoucherId: l.VoucherID,
			VoucherNumber: l.VoucherNumber, LineNo: int32(l.LineNo), Narration: l.Narration, FundCode: l.FundCode,
			FunctionCode: l.FunctionCode, Party: l.Party, Debit: l.Debit.StringFixed(2), Credit: l.Credit.StringFixed(2),
			Balance: l.Balance.StringFixed(2)})
	}
	return gl, st.NextPageToken, nil
}

func (h *Handler) trialBalance(ctx context.Context, m *reportsv1.GetRegisterRequest) (*reportsv1.TrialBalance, error) {
	asOf, err := ledger.ParseDate("to", m.GetTo())
	if err != nil {
		return nil, err
	}
	tb, err := h.svc.TrialBalance(ctx, m.GetTenantId(), Request{AsOf: asOf, FundCode: m.GetFundCode()})
	if err != nil {
		return nil, err
	}
	out := &reportsv1.TrialBalance{AsOf: tb.AsOf.Format(time.DateOnly), TotalDebit: tb.TotalDebit.StringFixed(2), TotalCredit: tb.TotalCredit.StringFixed(2)}
	for _, r := range tb.Rows {
		out.Rows = append(out.Rows, &reportsv1.TrialBalanceRow{AccountCode: r.AccountCode, AccountName: r.AccountName,
			Opening: r.Opening.StringFixed(2), Debit: r.Debit.StringFixed(2), Credit: r.Credit.StringFixed(2), Closing: r.Closing.StringFixed(2)})
	}
	return out, nil
}

var kindIn = map[reportsv1.ReportKind]Kind{
	reportsv1.ReportKind_REPORT_KIND_BALANCE_SHEET:      KindBalanceSheet,
	reportsv1.ReportKind_REPORT_KIND_INCOME_EXPENDITURE: KindIncomeExpenditure,
	reportsv1.ReportKind_REPORT_KIND_RECEIPTS_PAYMENTS:  KindReceiptsPayments,
	reportsv1.ReportKind_REPORT_KIND_CASH_FLOW:          KindCashFlow,
}

var formatIn = map[reportsv1.ExportFormat]Format{
	reportsv1.ExportFormat_EXPORT_FORMAT_PDF:  PDF,
	reportsv1.ExportFormat_EXPORT_FORMAT_XLSX: XLSX,
	reportsv1.ExportFormat_EXPORT_FORMAT_CSV:  CSV,
}

// ExportReport implements ReportService.ExportReport: a statement or any
// register.
func (h *Handler) ExportReport(ctx context.Context, req *connect.Request[reportsv1.ExportReportRequest]) (*connect.Response[reportsv1.ExportReportResponse], error) {
	m := req.Msg
	proc := req.Spec().Procedure
	var (
		f   File
		err error
	)
	switch reg := m.GetRegister(); {
	case reg != nil && m.GetKind() != reportsv1.ReportKind_REPORT_KIND_UNSPECIFIED:
		err = invalid("register", "set exactly one of kind (a statement) and register")
	case reg != nil:
		if reg.GetTenantId() != m.GetTenantId() {
			err = invalid("register.tenant_id", "must be the request's tenant_id")
			break
		}
		var q RegisterQuery
		if q, err = registerQueryIn(reg); err == nil {
			f, err = h.svc.ExportRegister(ctx, m.GetTenantId(), q, formatIn[m.GetFormat()])
		}
	default:
		var r Request
		if r, err = requestIn(m.GetTenantId(), m.GetPeriod()); err == nil {
			f, err = h.svc.Export(ctx, r, kindIn[m.GetKind()], formatIn[m.GetFormat()])
		}
	}
	if err != nil {
		return nil, h.fail(ctx, proc, err)
	}
	return connect.NewResponse(&reportsv1.ExportReportResponse{Content: f.Content, ContentType: f.MediaType, FileName: f.Name}), nil
}
