package reports

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

var bookColumns = []Column{{"Date", ColDate}, {"Voucher", ColText}, {"Particulars", ColText}, {"Party", ColText},
	{"Receipts (Dr)", ColMoney}, {"Payments (Cr)", ColMoney}, {"Balance", ColMoney}}

// dayBook is every voucher line dated From to To, a page of vouchers at a
// time, each line naming its voucher and account. A page's debits equal
// its credits, since every voucher balances.
func (s *Service) dayBook(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	vs, next, err := s.ledger.DayBook(ctx, tenant, q.From, q.To, q.PageSize, q.PageToken)
	if err != nil {
		return Register{}, err
	}
	r := Register{Title: "Day book", From: q.From, NextPageToken: next,
		Columns: []Column{{"Date", ColDate}, {"Voucher", ColText}, {"Type", ColText}, {"Account", ColText}, {"Narration", ColText},
			{"Party", ColText}, {"Debit", ColMoney}, {"Credit", ColMoney}}}
	for _, v := range vs {
		for _, l := range v.Lines {
			r.Rows = append(r.Rows, RegisterRow{Cells: []string{day(v.Date), v.Number, string(v.Type), l.AccountCode, v.Narration, l.Party,
				amt(l.Debit), amt(l.Credit)}, VoucherID: v.ID, AccountCode: l.AccountCode, Party: l.Party})
		}
	}
	dayBookTotals(&r)
	return r, nil
}

// dayBookTotals (re)writes a day book's total line and tie from its entry
// lines: the debits must equal the credits, since every voucher balances.
func dayBookTotals(r *Register) {
	dr, cr := decimal.Zero, decimal.Zero
	entries := r.Rows[:0]
	for _, row := range r.Rows {
		if row.Total {
			continue
		}
		entries = append(entries, row)
		dr, cr = dr.Add(decimal.RequireFromString(row.Cells[6])), cr.Add(decimal.RequireFromString(row.Cells[7]))
	}
	r.Rows = append(entries, RegisterRow{Cells: []string{"", "", "", "", "Total", "", amt(dr), amt(cr)}, Total: true})
	r.Ties = []RegisterTie{tie("Debits (register) equal credits (ledger)", nil, dr, cr)}
}

// book is the cash book or a bank book: per account, its opening balance,
// every entry From to To with the running balance, and its closing
// balance, which is tied to the account's maintained balance as of To.
func (s *Service) book(ctx context.Context, tenant string, q RegisterQuery, title string, accounts []string) (Register, error) {
	bal, err := s.ledgerBalances(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	r := Register{Title: title, From: q.From, Columns: bookColumns}
	for _, code := range accounts {
		sq := ledger.StatementQuery{AccountCode: code, Party: q.Party, From: q.From, To: q.To, PageSize: 1000}
		first := true
		for {
			st, err := s.ledger.AccountStatement(ctx, tenant, sq)
			if err != nil {
				return Register{}, err
			}
			section := fmt.Sprintf("%s %s", st.AccountCode, st.AccountName)
			if first {
				r.Rows = append(r.Rows, RegisterRow{Section: section, Cells: []string{day(q.From), "", "Opening balance", "", "", "", amt(st.Opening)},
					AccountCode: code, Total: true})
				first = false
			}
			for _, l := range st.Lines {
				r.Rows = append(r.Rows, RegisterRow{Section: section, Cells: []string{day(l.Date), l.VoucherNumber, l.Narration, l.Party,
					amt(l.Debit), amt(l.Credit), amt(l.Balance)}, VoucherID: l.VoucherID, AccountCode: code, Party: l.Party})
			}
			if st.NextPageToken == "" {
				r.Rows = append(r.Rows, RegisterRow{Section: section, Cells: []string{day(q.To), "", "Closing balance", "", "", "", amt(st.Closing)},
					AccountCode: code, Total: true})
				if q.Party == "" { // one party's sub-ledger is part of the head
					r.Ties = append(r.Ties, tie(section, []string{code}, st.Closing, bal[code]))
				}
				break
			}
			sq.PageToken = st.NextPageToken
		}
	}
	return r, nil
}

// partyRegister lists, per head beginning with one of the prefixes and per
// party (consumer, depositor), the balance held as of To, credit positive:
// the deposits (340, 341) and advance collections (3504). Its total is tied
// to the heads' maintained balances.
func (s *Service) partyRegister(ctx context.Context, tenant string, q RegisterQuery, title string, prefixes []string) (Register, error) {
	bal, err := s.ledgerBalances(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	likes := make([]string, len(prefixes))
	for i, p := range prefixes {
		likes[i] = p + "%"
	}
	var rows []dbq.LinePartyBalancesRow
	err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err = dbq.New(tx).LinePartyBalances(ctx, dbq.LinePartyBalancesParams{TenantID: tenant, AsOf: q.To, Prefixes: likes})
		return err
	})
	if err != nil {
		return Register{}, fmt.Errorf("read %s: %w", title, err)
	}
	r := Register{Title: title, Columns: []Column{{"Account", ColText}, {"Head", ColText}, {"Party", ColText}, {"Balance held", ColMoney}}}
	total := decimal.Zero
	for _, row := range rows {
		held := row.Balance.Neg()
		total = total.Add(held)
		party := row.Party
		if party == "" {
			party = "(no party)"
		}
		r.Rows = append(r.Rows, RegisterRow{Cells: []string{row.AccountCode, row.AccountName, party, amt(held)},
			AccountCode: row.AccountCode, Party: row.Party})
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: []string{"", "Total", "", amt(total)}, Total: true})
	r.Ties = []RegisterTie{tie(title+": heads "+fmt.Sprint(prefixes), prefixes, total, sumHeads(bal, prefixes...).Neg())}
	return r, nil
}

// trialBalanceRegister is the ledger's trial balance as of To as a table:
// per account the opening, the year's debits and credits and the closing
// balance. Its tie is double entry's: the debits equal the credits.
func (s *Service) trialBalanceRegister(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	tb, err := s.ledger.TrialBalance(ctx, tenant, q.To, q.FundCode)
	if err != nil {
		return Register{}, err
	}
	r := Register{Title: "Trial balance" + fundNote(q.FundCode), Columns: []Column{{"Account", ColText}, {"Head", ColText},
		{"Opening", ColMoney}, {"Debit", ColMoney}, {"Credit", ColMoney}, {"Closing", ColMoney}}}
	for _, x := range tb.Rows {
		r.Rows = append(r.Rows, RegisterRow{Cells: []string{x.AccountCode, x.AccountName, amt(x.Opening), amt(x.Debit), amt(x.Credit), amt(x.Closing)},
			AccountCode: x.AccountCode})
	}
	r.Rows = append(r.Rows, RegisterRow{Cells: []string{"", "Total", "", amt(tb.TotalDebit), amt(tb.TotalCredit), ""}, Total: true})
	r.Ties = []RegisterTie{
		tie("The year's debits (register) equal its credits (ledger)", nil, tb.TotalDebit, tb.TotalCredit),
		tie("Closing debit balances (register) equal closing credit balances (ledger)", nil, tb.TotalClosingDebit, tb.TotalClosingCredit),
	}
	return r, nil
}
