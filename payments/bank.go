package payments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// matchWindow is how many days a bank may take to credit what the books
// show deposited (or settled).
const matchWindow = 7

// maxStatementLines bounds one import.
const maxStatementLines = 100000

var bankAccountPattern = regexp.MustCompile(`^4502[0-9]{3}$`)

// BankLine is a line of a bank statement.
type BankLine struct {
	ID            int64
	Date          time.Time
	Narration     string
	Reference     string // the UTR, cheque or slip number
	Debit, Credit decimal.Decimal
	Balance       decimal.Decimal
	VoucherID     int64 // the voucher it was matched to; 0 when not
}

// BankImport is what an import took.
type BankImport struct {
	ID         int64
	Lines      int // new lines
	Duplicates int // lines taken before, by an overlapping statement
	Matched    int // lines matched to the books by this import's matching
}

// ImportBankStatement takes a bank statement in CSV (a header row naming
// date, narration, reference, debit, credit and balance, in any order;
// dates YYYY-MM-DD or DD-MM-YYYY or DD/MM/YYYY; amounts with or without
// thousands separators) for a bank account head (4502...). Lines an
// earlier, overlapping statement brought are skipped. Then every unmatched
// line of the account is matched to the books: a credit carrying a
// settlement's UTR to that settlement's journal, other lines to the bank
// voucher of the same amount on the line's day or up to a week before
// (counter deposits and remittances), oldest first.
func (s *Service) ImportBankStatement(ctx context.Context, tenant, actor, bankAccount string, file io.Reader) (BankImport, error) {
	if !bankAccountPattern.MatchString(bankAccount) {
		return BankImport{}, invalid("bank_account", "%q is not a bank account head (4502...)", bankAccount)
	}
	raw, err := io.ReadAll(io.LimitReader(file, 64<<20))
	if err != nil {
		return BankImport{}, err
	}
	lines, err := parseStatement(raw)
	if err != nil {
		return BankImport{}, err
	}
	sum := sha256.Sum256(raw)
	var out BankImport
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		// The import row first (lines refer to it); its counts are known
		// only after, so a second pass is not needed: count as we go.
		id, err := q.BankImportInsert(ctx, dbq.BankImportInsertParams{TenantID: tenant, BankAccount: bankAccount, FileHash: sum[:],
			Lines: int32(len(lines)), Duplicates: 0, ImportedBy: actor})
		if err != nil {
			return err
		}
		out.ID = id
		for _, l := range lines {
			n, err := q.BankLineInsert(ctx, dbq.BankLineInsertParams{TenantID: tenant, BankAccount: bankAccount, ImportID: id,
				TxnDate: l.Date, Narration: l.Narration, Reference: l.Reference, Debit: l.Debit, Credit: l.Credit, Balance: l.Balance})
			if err != nil {
				return fmt.Errorf("record statement line: %w", err)
			}
			if n == 0 {
				out.Duplicates++
			} else {
				out.Lines++
			}
		}
		return nil
	})
	if err != nil {
		return BankImport{}, err
	}
	out.Matched, err = s.matchBank(ctx, tenant, bankAccount)
	return out, err
}

// parseStatement reads the CSV.
func parseStatement(raw []byte) ([]BankLine, error) {
	r := csv.NewReader(bytes.NewReader(raw))
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, invalid("statement", "is not CSV: %v", err)
	}
	if len(rows) < 1 {
		return nil, invalid("statement", "is empty")
	}
	if len(rows) > maxStatementLines {
		return nil, invalid("statement", "has more than %d lines: split it", maxStatementLines)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case strings.Contains(h, "date"):
			col["date"] = i
		case strings.Contains(h, "narration") || strings.Contains(h, "description") || strings.Contains(h, "particulars"):
			col["narration"] = i
		case strings.Contains(h, "ref") || strings.Contains(h, "utr") || strings.Contains(h, "cheque"):
			col["reference"] = i
		case strings.Contains(h, "debit") || strings.Contains(h, "withdrawal"):
			col["debit"] = i
		case strings.Contains(h, "credit") || strings.Contains(h, "deposit"):
			col["credit"] = i
		case strings.Contains(h, "balance"):
			col["balance"] = i
		}
	}
	for _, c := range []string{"date", "narration", "reference", "debit", "credit", "balance"} {
		if _, ok := col[c]; !ok {
			return nil, invalid("statement", "the header has no %s column (date, narration, reference, debit, credit, balance)", c)
		}
	}
	var out []BankLine
	for n, row := range rows[1:] {
		at := func(c string) string {
			if i := col[c]; i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		line := fmt.Sprintf("statement line %d", n+2)
		d, err := parseDay(at("date"))
		if err != nil {
			return nil, invalid(line, "date %q: use YYYY-MM-DD or DD-MM-YYYY", at("date"))
		}
		l := BankLine{Date: d, Narration: at("narration"), Reference: at("reference")}
		for _, f := range []struct {
			name string
			dst  *decimal.Decimal
		}{{"debit", &l.Debit}, {"credit", &l.Credit}, {"balance", &l.Balance}} {
			v := strings.ReplaceAll(at(f.name), ",", "")
			if v == "" {
				continue
			}
			a, err := decimal.NewFromString(v)
			if err != nil || !a.Equal(a.Round(2)) {
				return nil, invalid(line, "%s %q is not an amount", f.name, at(f.name))
			}
			*f.dst = a
		}
		if l.Debit.IsPositive() == l.Credit.IsPositive() || l.Debit.IsNegative() || l.Credit.IsNegative() {
			return nil, invalid(line, "a line is either a debit or a credit")
		}
		out = append(out, l)
	}
	return out, nil
}

func parseDay(s string) (time.Time, error) {
	for _, layout := range []string{time.DateOnly, "02-01-2006", "02/01/2006", "02-Jan-2006", "02 Jan 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return ledger.Date(t.Year(), t.Month(), t.Day()), nil
		}
	}
	return time.Time{}, errors.New("bad date")
}

// matchBank matches the account's unmatched statement lines to the books.
func (s *Service) matchBank(ctx context.Context, tenant, bankAccount string) (int, error) {
	var unmatched []dbq.BankStatementLine
	taken := map[int64]bool{}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if unmatched, err = q.BankLinesUnmatched(ctx, dbq.BankLinesUnmatchedParams{TenantID: tenant, BankAccount: bankAccount}); err != nil {
			return err
		}
		ms, err := q.BankMatchedVouchers(ctx, dbq.BankMatchedVouchersParams{TenantID: tenant, BankAccount: bankAccount})
		for _, m := range ms {
			taken[m.VoucherID] = true
		}
		return err
	})
	if err != nil || len(unmatched) == 0 {
		return 0, err
	}
	book, err := s.bookLines(ctx, tenant, bankAccount, unmatched[0].TxnDate.AddDate(0, 0, -matchWindow), unmatched[len(unmatched)-1].TxnDate)
	if err != nil {
		return 0, err
	}
	matched := 0
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		for _, l := range unmatched {
			voucher, how := int64(0), ""
			if l.Credit.IsPositive() {
				for _, ref := range []string{l.Reference, l.Narration} {
					st, err := q.GatewaySettlementByUTR(ctx, dbq.GatewaySettlementByUTRParams{TenantID: tenant, Utr: utrIn(ref)})
					if err == nil && st.Net.Equal(l.Credit) && !taken[st.VoucherID] {
						voucher, how = st.VoucherID, "settlement "+st.SettlementID
						break
					}
					if err != nil && !errors.Is(err, pgx.ErrNoRows) {
						return err
					}
				}
			}
			if voucher == 0 {
				// The bank voucher of the same amount, the same way, on the
				// line's day or the week before; the nearest first.
				for i := len(book) - 1; i >= 0; i-- {
					b := book[i]
					if taken[b.VoucherID] || b.Date.After(l.TxnDate) || b.Date.Before(l.TxnDate.AddDate(0, 0, -matchWindow)) {
						continue
					}
					if (l.Credit.IsPositive() && b.Debit.Equal(l.Credit)) || (l.Debit.IsPositive() && b.Credit.Equal(l.Debit)) {
						voucher, how = b.VoucherID, "amount and date, voucher "+b.VoucherNumber
						break
					}
				}
			}
			if voucher == 0 {
				continue
			}
			if err := q.BankLineMatch(ctx, dbq.BankLineMatchParams{TenantID: tenant, ID: l.ID,
				VoucherID: pgtype.Int8{Int64: voucher, Valid: true}, MatchedBy: pgtype.Text{String: how, Valid: true}}); err != nil {
				return err
			}
			taken[voucher] = true
			matched++
		}
		return nil
	})
	return matched, err
}

// utrIn is the reference as a UTR: banks print it with spaces or a
// prefix such as "UTR:"; the simulator's and most banks' UTRs are one word.
func utrIn(s string) string {
	s = strings.TrimSpace(s)
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' || r == '/' || r == '-' }) {
		if len(f) >= 12 && strings.ToUpper(f) == f {
			return f
		}
	}
	return s
}

// bookLines is the bank account's general ledger between two days.
func (s *Service) bookLines(ctx context.Context, tenant, account string, from, to time.Time) ([]ledger.StatementLine, error) {
	var out []ledger.StatementLine
	q := ledger.StatementQuery{AccountCode: account, From: from, To: to, PageSize: 1000}
	for {
		st, err := s.ledger.AccountStatement(ctx, tenant, q)
		if err != nil {
			return nil, err
		}
		out = append(out, st.Lines...)
		if st.NextPageToken == "" {
			return out, nil
		}
		q.PageToken = st.NextPageToken
	}
}

// BookItem is a line of the bank account in the books.
type BookItem struct {
	VoucherID     int64
	VoucherNumber string
	Date          time.Time
	Narration     string
	Debit, Credit decimal.Decimal
}

// BankReconciliation is the bank reconciliation statement of an account as
// of a day: BookBalance, plus what the bank has and the books not, less
// what the books have and the bank not, is BankBalance (Difference zero).
type BankReconciliation struct {
	BankAccount string
	AsOf        time.Time
	BookBalance decimal.Decimal // the books' balance of the account (debit positive)
	// BooksNotInBank: vouchers on the account not (yet) on the statement:
	// deposits not yet credited, settlements in transit.
	BooksNotInBank []BookItem
	// BankNotInBooks: statement lines no voucher accounts for: charges,
	// interest, direct credits to identify.
	BankNotInBooks []BankLine
	BankBalance    decimal.Decimal // the statement's, at the end of the day
	Difference     decimal.Decimal // BookBalance - BooksNotInBank + BankNotInBooks - BankBalance
}

// GetBankReconciliation prepares the bank reconciliation statement of a
// bank account as of a day, matching first what can now be matched.
func (s *Service) GetBankReconciliation(ctx context.Context, tenant, bankAccount string, asOf time.Time) (BankReconciliation, error) {
	if !bankAccountPattern.MatchString(bankAccount) {
		return BankReconciliation{}, invalid("bank_account", "%q is not a bank account head (4502...)", bankAccount)
	}
	asOf = ledger.Date(asOf.Year(), asOf.Month(), asOf.Day())
	if _, err := s.matchBank(ctx, tenant, bankAccount); err != nil {
		return BankReconciliation{}, err
	}
	out := BankReconciliation{BankAccount: bankAccount, AsOf: asOf}
	matchedBy := map[int64]time.Time{} // voucher -> the day the bank shows it
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		bal, err := q.BankLastBalance(ctx, dbq.BankLastBalanceParams{TenantID: tenant, BankAccount: bankAccount, AsOf: asOf})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		out.BankBalance = bal
		lines, err := q.BankLinesUpTo(ctx, dbq.BankLinesUpToParams{TenantID: tenant, BankAccount: bankAccount, AsOf: asOf})
		if err != nil {
			return err
		}
		for _, l := range lines {
			if l.MatchedVoucherID.Valid {
				matchedBy[l.MatchedVoucherID.Int64] = l.TxnDate
				continue
			}
			out.BankNotInBooks = append(out.BankNotInBooks, BankLine{ID: l.ID, Date: l.TxnDate, Narration: l.Narration,
				Reference: l.Reference, Debit: l.Debit, Credit: l.Credit, Balance: l.Balance})
		}
		return nil
	})
	if err != nil {
		return BankReconciliation{}, err
	}
	fy := ledger.FiscalYearOf(asOf)
	book, err := s.ledger.AccountStatement(ctx, tenant, ledger.StatementQuery{AccountCode: bankAccount,
		From: ledger.Date(fy, time.April, 1), To: asOf, PageSize: 1})
	if err != nil {
		return BankReconciliation{}, err
	}
	lines, err := s.bookLines(ctx, tenant, bankAccount, ledger.Date(fy, time.April, 1), asOf)
	if err != nil {
		return BankReconciliation{}, err
	}
	out.BookBalance = book.Opening
	for _, l := range lines {
		out.BookBalance = out.BookBalance.Add(l.Debit).Sub(l.Credit)
		if _, ok := matchedBy[l.VoucherID]; ok {
			continue
		}
		out.BooksNotInBank = append(out.BooksNotInBank, BookItem{VoucherID: l.VoucherID, VoucherNumber: l.VoucherNumber, Date: l.Date,
			Narration: l.Narration, Debit: l.Debit, Credit: l.Credit})
	}
	out.Difference = out.BookBalance
	for _, b := range out.BooksNotInBank {
		out.Difference = out.Difference.Sub(b.Debit).Add(b.Credit)
	}
	for _, l := range out.BankNotInBooks {
		out.Difference = out.Difference.Add(l.Credit).Sub(l.Debit)
	}
	out.Difference = out.Difference.Sub(out.BankBalance)
	return out, nil
}
