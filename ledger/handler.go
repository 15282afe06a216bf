package ledger

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	ledgerv1 "github.com/munimhq/munim/gen/pb/munim/ledger/v1"
	"github.com/munimhq/munim/gen/pb/munim/ledger/v1/ledgerv1connect"
)

// Handler serves munim.ledger.v1.LedgerService: decode, call the Ledger,
// encode. Rules live in the Ledger, not here.
type Handler struct {
	ledger *Ledger
	log    *slog.Logger
}

// NewHandler returns the Connect path and handler of the ledger service.
// The caller's principal (auth.FromContext) names the actor the books
// record, and decides maker-checker: vouchers entered by people are drafts.
func NewHandler(l *Ledger, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return ledgerv1connect.NewLedgerServiceHandler(&Handler{ledger: l, log: log}, opts...)
}

func (h *Handler) actor(ctx context.Context) string { return auth.Actor(ctx) }

var _ ledgerv1connect.LedgerServiceHandler = (*Handler)(nil)

func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return ToConnect(ctx, h.log, procedure, err)
}

var voucherTypeIn = map[ledgerv1.VoucherType]VoucherType{
	ledgerv1.VoucherType_VOUCHER_TYPE_JOURNAL: Journal,
	ledgerv1.VoucherType_VOUCHER_TYPE_RECEIPT: Receipt,
	ledgerv1.VoucherType_VOUCHER_TYPE_PAYMENT: Payment,
	ledgerv1.VoucherType_VOUCHER_TYPE_CONTRA:  Contra,
}

var voucherTypeOut = map[VoucherType]ledgerv1.VoucherType{
	Journal: ledgerv1.VoucherType_VOUCHER_TYPE_JOURNAL,
	Receipt: ledgerv1.VoucherType_VOUCHER_TYPE_RECEIPT,
	Payment: ledgerv1.VoucherType_VOUCHER_TYPE_PAYMENT,
	Contra:  ledgerv1.VoucherType_VOUCHER_TYPE_CONTRA,
}

// vouchersIn decodes the request's vouchers, collecting every malformed
// date and amount with its field path.
func vouchersIn(in []*ledgerv1.VoucherInput) ([]Voucher, error) {
	var bad ValidationError
	note := func(err error) {
		if ve, ok := err.(*ValidationError); ok {
			bad.Violations = append(bad.Violations, ve.Violations...)
		}
	}
	out := make([]Voucher, len(in))
	for i, v := range in {
		p := fmt.Sprintf("vouchers[%d]", i)
		date, err := ParseDate(p+".date", v.GetDate())
		note(err)
		out[i] = Voucher{Type: voucherTypeIn[v.GetType()], Date: date, Narration: v.GetNarration(),
			SourceRef: v.GetSourceRef(), IdempotencyKey: v.GetIdempotencyKey()}
		for j, l := range v.GetLines() {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			dr, err := ParseAmount(lp+".debit", l.GetDebit())
			note(err)
			cr, err := ParseAmount(lp+".credit", l.GetCredit())
			note(err)
			out[i].Lines = append(out[i].Lines, Line{AccountCode: l.GetAccountCode(), FundCode: l.GetFundCode(),
				FunctionCode: l.GetFunctionCode(), FieldCode: l.GetFieldCode(), Party: l.GetParty(), Debit: dr, Credit: cr})
		}
	}
	if len(bad.Violations) > 0 {
		return nil, &bad
	}
	return out, nil
}

func voucherOut(p Posted) *ledgerv1.Voucher {
	v := &ledgerv1.Voucher{
		Id: p.ID, TenantId: p.TenantID, Number: p.Number, Type: voucherTypeOut[p.Type],
		Status: ledgerv1.VoucherStatus_VOUCHER_STATUS_POSTED, Date: p.Date.Format(time.DateOnly),
		FiscalYear: int32(p.FiscalYear), Period: int32(p.Period), Narration: p.Narration, SourceRef: p.SourceRef,
		IdempotencyKey: p.IdempotencyKey, Total: p.Total.StringFixed(2), ReversesVoucherId: p.ReversesID,
		ReversalReason: p.ReversalReason, ReversedByVoucherId: p.ReversedByID, PostedBy: p.PostedBy,
		PostedAt: timestamppb.New(p.PostedAt), Hash: hex.EncodeToString(p.Hash),
	}
	for _, l := range p.Lines {
		v.Lines = append(v.Lines, &ledgerv1.Line{LineNo: int32(l.LineNo), AccountCode: l.AccountCode, FundCode: l.FundCode,
			FunctionCode: l.FunctionCode, FieldCode: l.FieldCode, Party: l.Party,
			Debit: l.Debit.StringFixed(2), Credit: l.Credit.StringFixed(2)})
	}
	return v
}

func vouchersOut(ps []Posted) []*ledgerv1.Voucher {
	out := make([]*ledgerv1.Voucher, len(ps))
	for i, p := range ps {
		out[i] = voucherOut(p)
	}
	return out
}

var draftStatusOut = map[string]ledgerv1.VoucherStatus{
	DraftPending:  ledgerv1.VoucherStatus_VOUCHER_STATUS_DRAFT,
	DraftPosted:   ledgerv1.VoucherStatus_VOUCHER_STATUS_POSTED,
	DraftRejected: ledgerv1.VoucherStatus_VOUCHER_STATUS_REJECTED,
}

// draftOut shows a draft as a voucher without a number: it gets one only
// when posted (posted_voucher_id then names the voucher in the books).
func draftOut(d Draft) *ledgerv1.Voucher {
	v := voucherOut(Posted{ID: d.ID, TenantID: d.TenantID, Type: d.Voucher.Type, Date: d.Voucher.Date,
		FiscalYear: FiscalYearOf(d.Voucher.Date), Narration: d.Voucher.Narration, SourceRef: d.Voucher.SourceRef,
		IdempotencyKey: d.Voucher.IdempotencyKey, Total: d.Voucher.total()})
	v.Status = draftStatusOut[d.Status]
	v.Maker, v.Checker, v.PostedVoucherId = d.Maker, d.Checker, d.VoucherID
	v.PostedAt = nil
	for i, l := range d.Voucher.Lines {
		v.Lines = append(v.Lines, &ledgerv1.Line{LineNo: int32(i + 1), AccountCode: l.AccountCode, FundCode: l.FundCode,
			FunctionCode: l.FunctionCode, FieldCode: l.FieldCode, Party: l.Party,
			Debit: l.Debit.StringFixed(2), Credit: l.Credit.StringFixed(2)})
	}
	return v
}

func periodOut(p PeriodInfo) *ledgerv1.Period {
	return &ledgerv1.Period{FiscalYear: int32(p.FiscalYear), Period: int32(p.Period),
		StartsOn: p.StartsOn.Format(time.DateOnly), EndsOn: p.EndsOn.Format(time.DateOnly), Closed: p.Closed}
}

func accountOut(a Account) *ledgerv1.Account {
	return &ledgerv1.Account{Code: a.Code, Name: a.Name, Kind: a.Kind, Level: a.Level, ParentCode: a.ParentCode, Postable: a.Postable}
}

// dateRange parses a request's from and to.
func dateRange(from, to string) (time.Time, time.Time, error) {
	f, err := ParseDate("from", from)
	if err != nil {
		return f, f, err
	}
	t, err := ParseDate("to", to)
	return f, t, err
}

// PostVouchers implements LedgerService.PostVouchers.
func (h *Handler) PostVouchers(ctx context.Context, req *connect.Request[ledgerv1.PostVouchersRequest]) (*connect.Response[ledgerv1.PostVouchersResponse], error) {
	vs, err := vouchersIn(req.Msg.GetVouchers())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	if p := auth.FromContext(ctx); p != nil && p.Kind == auth.KindUser {
		drafts, err := h.ledger.SaveDrafts(ctx, req.Msg.GetTenantId(), h.actor(ctx), vs)
		if err != nil {
			return nil, h.fail(ctx, req.Spec().Procedure, err)
		}
		out := &ledgerv1.PostVouchersResponse{}
		for _, d := range drafts {
			out.Vouchers = append(out.Vouchers, draftOut(d))
		}
		return connect.NewResponse(out), nil
	}
	posted, err := h.ledger.Post(ctx, req.Msg.GetTenantId(), h.actor(ctx), vs)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.PostVouchersResponse{Vouchers: vouchersOut(posted)}), nil
}

// ApproveVoucher implements LedgerService.ApproveVoucher.
func (h *Handler) ApproveVoucher(ctx context.Context, req *connect.Request[ledgerv1.ApproveVoucherRequest]) (*connect.Response[ledgerv1.ApproveVoucherResponse], error) {
	p, err := h.ledger.Approve(ctx, req.Msg.GetTenantId(), req.Msg.GetVoucherId(), h.actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.ApproveVoucherResponse{Voucher: voucherOut(p)}), nil
}

// RejectVoucher implements LedgerService.RejectVoucher.
func (h *Handler) RejectVoucher(ctx context.Context, req *connect.Request[ledgerv1.RejectVoucherRequest]) (*connect.Response[ledgerv1.RejectVoucherResponse], error) {
	d, err := h.ledger.Reject(ctx, req.Msg.GetTenantId(), req.Msg.GetVoucherId(), h.actor(ctx), req.Msg.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.RejectVoucherResponse{Voucher: draftOut(d)}), nil
}

// ReverseVoucher implements LedgerService.ReverseVoucher.
func (h *Handler) ReverseVoucher(ctx context.Context, req *connect.Request[ledgerv1.ReverseVoucherRequest]) (*connect.Response[ledgerv1.ReverseVoucherResponse], error) {
	m := req.Msg
	date, err := ParseDate("date", m.GetDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	p, err := h.ledger.Reverse(ctx, m.GetTenantId(), h.actor(ctx), m.GetVoucherId(), date, m.GetReason(), m.GetIdempotencyKey())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.ReverseVoucherResponse{Voucher: voucherOut(p)}), nil
}

// GetVoucher implements LedgerService.GetVoucher.
func (h *Handler) GetVoucher(ctx context.Context, req *connect.Request[ledgerv1.GetVoucherRequest]) (*connect.Response[ledgerv1.GetVoucherResponse], error) {
	p, err := h.ledger.Voucher(ctx, req.Msg.GetTenantId(), req.Msg.GetVoucherId())
	if errors.Is(err, ErrNotFound) {
		// Drafts share the id space of vouchers.
		d, derr := h.ledger.DraftByID(ctx, req.Msg.GetTenantId(), req.Msg.GetVoucherId())
		if derr != nil {
			return nil, h.fail(ctx, req.Spec().Procedure, derr)
		}
		return connect.NewResponse(&ledgerv1.GetVoucherResponse{Voucher: draftOut(d)}), nil
	}
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.GetVoucherResponse{Voucher: voucherOut(p)}), nil
}

// ListVouchers implements LedgerService.ListVouchers.
func (h *Handler) ListVouchers(ctx context.Context, req *connect.Request[ledgerv1.ListVouchersRequest]) (*connect.Response[ledgerv1.ListVouchersResponse], error) {
	m := req.Msg
	from, to, err := dateRange(m.GetFrom(), m.GetTo())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	vs, next, err := h.ledger.ListVouchers(ctx, m.GetTenantId(), VoucherFilter{From: from, To: to,
		Type: voucherTypeIn[m.GetType()], AccountCode: m.GetAccountCode(), PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.ListVouchersResponse{Vouchers: vouchersOut(vs), NextPageToken: next}), nil
}

// GetTrialBalance implements LedgerService.GetTrialBalance.
func (h *Handler) GetTrialBalance(ctx context.Context, req *connect.Request[ledgerv1.GetTrialBalanceRequest]) (*connect.Response[ledgerv1.GetTrialBalanceResponse], error) {
	asOf, err := ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	tb, err := h.ledger.TrialBalance(ctx, req.Msg.GetTenantId(), asOf, req.Msg.GetFundCode())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &ledgerv1.GetTrialBalanceResponse{
		TotalDebit: tb.TotalDebit.StringFixed(2), TotalCredit: tb.TotalCredit.StringFixed(2),
		TotalClosingDebit: tb.TotalClosingDebit.StringFixed(2), TotalClosingCredit: tb.TotalClosingCredit.StringFixed(2),
		FiscalYear: int32(tb.FiscalYear), AsOf: tb.AsOf.Format(time.DateOnly),
	}
	for _, r := range tb.Rows {
		out.Rows = append(out.Rows, &ledgerv1.TrialBalanceRow{AccountCode: r.AccountCode, AccountName: r.AccountName,
			Opening: r.Opening.StringFixed(2), Debit: r.Debit.StringFixed(2), Credit: r.Credit.StringFixed(2), Closing: r.Closing.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// GetAccountStatement implements LedgerService.GetAccountStatement.
func (h *Handler) GetAccountStatement(ctx context.Context, req *connect.Request[ledgerv1.GetAccountStatementRequest]) (*connect.Response[ledgerv1.GetAccountStatementResponse], error) {
	m := req.Msg
	from, to, err := dateRange(m.GetFrom(), m.GetTo())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	st, err := h.ledger.AccountStatement(ctx, m.GetTenantId(), StatementQuery{AccountCode: m.GetAccountCode(), Party: m.GetParty(),
		From: from, To: to, PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &ledgerv1.GetAccountStatementResponse{AccountCode: st.AccountCode, AccountName: st.AccountName,
		Opening: st.Opening.StringFixed(2), NextPageToken: st.NextPageToken}
	if st.NextPageToken == "" {
		out.Closing = st.Closing.StringFixed(2)
	}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, &ledgerv1.StatementLine{Date: l.Date.Format(time.DateOnly), VoucherId: l.VoucherID,
			VoucherNumber: l.VoucherNumber, LineNo: int32(l.LineNo), Narration: l.Narration, FundCode: l.FundCode,
			FunctionCode: l.FunctionCode, FieldCode: l.FieldCode, Party: l.Party, Debit: l.Debit.StringFixed(2),
			Credit: l.Credit.StringFixed(2), Balance: l.Balance.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}

// GetDayBook implements LedgerService.GetDayBook.
func (h *Handler) GetDayBook(ctx context.Context, req *connect.Request[ledgerv1.GetDayBookRequest]) (*connect.Response[ledgerv1.GetDayBookResponse], error) {
	m := req.Msg
	from, to, err := dateRange(m.GetFrom(), m.GetTo())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	vs, next, err := h.ledger.DayBook(ctx, m.GetTenantId(), from, to, int(m.GetPageSize()), m.GetPageToken())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.GetDayBookResponse{Vouchers: vouchersOut(vs), NextPageToken: next}), nil
}

// OpenFiscalYear implements LedgerService.OpenFiscalYear.
func (h *Handler) OpenFiscalYear(ctx context.Context, req *connect.Request[ledgerv1.OpenFiscalYearRequest]) (*connect.Response[ledgerv1.OpenFiscalYearResponse], error) {
	ps, err := h.ledger.OpenFiscalYear(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()), h.actor(ctx))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &ledgerv1.OpenFiscalYearResponse{}
	for _, p := range ps {
		out.Periods = append(out.Periods, periodOut(p))
	}
	return connect.NewResponse(out), nil
}

// ListPeriods implements LedgerService.ListPeriods.
func (h *Handler) ListPeriods(ctx context.Context, req *connect.Request[ledgerv1.ListPeriodsRequest]) (*connect.Response[ledgerv1.ListPeriodsResponse], error) {
	ps, err := h.ledger.Periods(ctx, req.Msg.GetTenantId(), int(req.Msg.GetFiscalYear()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &ledgerv1.ListPeriodsResponse{}
	for _, p := range ps {
		out.Periods = append(out.Periods, periodOut(p))
	}
	return connect.NewResponse(out), nil
}

// ClosePeriod implements LedgerService.ClosePeriod.
func (h *Handler) ClosePeriod(ctx context.Context, req *connect.Request[ledgerv1.ClosePeriodRequest]) (*connect.Response[ledgerv1.ClosePeriodResponse], error) {
	m := req.Msg
	p, err := h.ledger.ClosePeriod(ctx, m.GetTenantId(), int(m.GetFiscalYear()), int(m.GetPeriod()), h.actor(ctx), m.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.ClosePeriodResponse{Period: periodOut(p)}), nil
}

// ReopenPeriod implements LedgerService.ReopenPeriod.
func (h *Handler) ReopenPeriod(ctx context.Context, req *connect.Request[ledgerv1.ReopenPeriodRequest]) (*connect.Response[ledgerv1.ReopenPeriodResponse], error) {
	m := req.Msg
	p, err := h.ledger.ReopenPeriod(ctx, m.GetTenantId(), int(m.GetFiscalYear()), int(m.GetPeriod()), h.actor(ctx), m.GetReason())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.ReopenPeriodResponse{Period: periodOut(p)}), nil
}

// ListAccounts implements LedgerService.ListAccounts.
func (h *Handler) ListAccounts(ctx context.Context, req *connect.Request[ledgerv1.ListAccountsRequest]) (*connect.Response[ledgerv1.ListAccountsResponse], error) {
	m := req.Msg
	as, next, err := h.ledger.Accounts(ctx, m.GetTenantId(), AccountFilter{CodePrefix: m.GetCodePrefix(),
		PostableOnly: m.GetPostableOnly(), PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &ledgerv1.ListAccountsResponse{NextPageToken: next}
	for _, a := range as {
		out.Accounts = append(out.Accounts, accountOut(a))
	}
	return connect.NewResponse(out), nil
}

// CreateAccount implements LedgerService.CreateAccount.
func (h *Handler) CreateAccount(ctx context.Context, req *connect.Request[ledgerv1.CreateAccountRequest]) (*connect.Response[ledgerv1.CreateAccountResponse], error) {
	a, err := h.ledger.CreateAccount(ctx, req.Msg.GetTenantId(), req.Msg.GetCode(), req.Msg.GetName())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&ledgerv1.CreateAccountResponse{Account: accountOut(a)}), nil
}
