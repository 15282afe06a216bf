package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.dehradun"

type bundle struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	ledger *ledger.Ledger
	dsn    string
}

// setup gives a test its own database with one tenant whose FY 2026-27 is open.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool, dsn := dbtest.NewDBWithDSN(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun Municipal Corporation", 2026, "test")
	require.NoError(t, err)
	return bundle{ctx: ctx, pool: pool, ledger: ledger.New(pool, ledger.Config{}), dsn: dsn}
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// jv is a factory: a balanced two-line journal voucher with optional changes.
func jv(key string, amount string, opts ...func(*ledger.Voucher)) ledger.Voucher {
	v := ledger.Voucher{
		Type: ledger.Journal, Date: ledger.Date(2026, time.April, 15), Narration: "property tax collected",
		IdempotencyKey: key,
		Lines: []ledger.Line{
			{AccountCode: "4501001", FundCode: "01", FunctionCode: "9091", Debit: amt(amount)},
			{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Party: "PROP-1", Credit: amt(amount)},
		},
	}
	for _, o := range opts {
		o(&v)
	}
	return v
}

func on(d time.Time) func(*ledger.Voucher) { return func(v *ledger.Voucher) { v.Date = d } }

func TestPostRejectsBadVouchers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.ledger.ClosePeriod(b.ctx, tenant, 2026, 2, "test", "May accounts finalised")
	require.NoError(t, err)

	cases := []struct {
		name  string
		edit  func(*ledger.Voucher)
		field string
		kind  error // nil: a ValidationError
	}{
		{"unbalanced", func(v *ledger.Voucher) { v.Lines[1].Credit = amt("99.99") }, "vouchers[0].lines", nil},
		{"zero line", func(v *ledger.Voucher) { v.Lines[0].Debit = decimal.Zero }, "vouchers[0].lines[0]", nil},
		{"negative", func(v *ledger.Voucher) { v.Lines[0].Debit = amt("-100") }, "vouchers[0].lines[0].debit", nil},
		{"three decimals", func(v *ledger.Voucher) { v.Lines[0].Debit = amt("100.005") }, "vouchers[0].lines[0].debit", nil},
		{"both sides", func(v *ledger.Voucher) { v.Lines[0].Credit = amt("1") }, "vouchers[0].lines[0]", nil},
		{"one line", func(v *ledger.Voucher) { v.Lines = v.Lines[:1] }, "vouchers[0].lines", nil},
		{"non-postable head", func(v *ledger.Voucher) { v.Lines[0].AccountCode = "45010" }, "vouchers[0].lines[0].account_code", nil},
		{"unknown account", func(v *ledger.Voucher) { v.Lines[1].AccountCode = "9999999" }, "vouchers[0].lines[1].account_code", nil},
		{"unknown fund", func(v *ledger.Voucher) { v.Lines[1].FundCode = "77" }, "vouchers[0].lines[1].fund_code", nil},
		{"unknown function", func(v *ledger.Voucher) { v.Lines[0].FunctionCode = "1234" }, "vouchers[0].lines[0].function_code", nil},
		{"no narration", func(v *ledger.Voucher) { v.Narration = "" }, "vouchers[0].narration", nil},
		{"closed period", on(ledger.Date(2026, time.May, 10)), "vouchers[0].date", ledger.ErrPeriodClosed},
		{"year not opened", on(ledger.Date(2027, time.April, 1)), "vouchers[0].date", ledger.ErrYearNotOpen},
		{"before first year", on(ledger.Date(2026, time.March, 31)), "vouchers[0].date", ledger.ErrYearNotOpen},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := jv("bad-"+c.name, "100.00", c.edit)
			_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{v})
			require.Error(t, err)
			if c.kind != nil {
				var pe *ledger.PreconditionError
				require.ErrorAs(t, err, &pe)
				assert.ErrorIs(t, err, c.kind)
				assert.Equal(t, c.field, pe.Field)
				return
			}
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, "violations: %v", ve.Violations)
		})
	}

	// Nothing of the rejected vouchers reached the books.
	list, _, err := b.ledger.ListVouchers(b.ctx, tenant, ledger.VoucherFilter{From: ledger.Date(2020, 1, 1), To: ledger.Date(2030, 1, 1)})
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestPostIsAllOrNothingPerRequest(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.ledger.ClosePeriod(b.ctx, tenant, 2026, 3, "test", "June closed")
	require.NoError(t, err)
	good := jv("ok-1", "10.00")
	bad := jv("ok-2", "10.00", on(ledger.Date(2026, time.June, 5)))
	_, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{good, bad})
	var pe *ledger.PreconditionError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "vouchers[1].date", pe.Field)

	list, _, err := b.ledger.ListVouchers(b.ctx, tenant, ledger.VoucherFilter{From: ledger.Date(2026, 4, 1), To: ledger.Date(2027, 3, 31)})
	require.NoError(t, err)
	assert.Empty(t, list, "the good voucher of a failed request must not be posted")
}

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("k1", "250.00"), jv("k2", "10.50")})
	require.NoError(t, err)
	require.Len(t, first, 2)
	assert.Equal(t, "JV/2026-27/000001", first[0].Number)
	assert.Equal(t, "JV/2026-27/000002", first[1].Number)

	again, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("k1", "250.00"), jv("k2", "10.50")})
	require.NoError(t, err)
	require.Len(t, again, 2)
	assert.Equal(t, first[0].ID, again[0].ID)
	assert.Equal(t, first[1].Number, again[1].Number)

	_, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("k1", "251.00")})
	var ce *ledger.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	assert.Equal(t, "vouchers[0].idempotency_key", ce.Field)

	// A replay is answered even after its period closed.
	_, err = b.ledger.ClosePeriod(b.ctx, tenant, 2026, 1, "test", "April closed")
	require.NoError(t, err)
	again, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("k1", "250.00"), jv("k2", "10.50")})
	require.NoError(t, err)
	assert.Equal(t, first[1].ID, again[1].ID)
	_, err = b.ledger.ReopenPeriod(b.ctx, tenant, 2026, 1, "test", "April reopened")
	require.NoError(t, err)

	// A replay posted nothing new: the series still ends at 2.
	next, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("k3", "1.00")})
	require.NoError(t, err)
	assert.Equal(t, "JV/2026-27/000003", next[0].Number)
}

func TestConcurrentRetriesOfOneRequestPostOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Go(func() {
			p, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("same-key", "5.00")})
			if assert.NoError(t, err) {
				ids[i] = p[0].ID
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
	list, _, err := b.ledger.ListVouchers(b.ctx, tenant, ledger.VoucherFilter{From: ledger.Date(2026, 4, 1), To: ledger.Date(2027, 3, 31)})
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestReverseOnlyOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orig, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("r1", "400.00")})
	require.NoError(t, err)
	id := orig[0].ID

	rev, err := b.ledger.Reverse(b.ctx, tenant, "test", id, ledger.Date(2026, time.April, 20), "posted to wrong party", "rev-1")
	require.NoError(t, err)
	assert.Equal(t, id, rev.ReversesID)
	assert.True(t, rev.Lines[0].Credit.Equal(amt("400")), "debits become credits")
	assert.True(t, rev.Lines[1].Debit.Equal(amt("400")))

	// The same request again is a replay, not a second reversal.
	again, err := b.ledger.Reverse(b.ctx, tenant, "test", id, ledger.Date(2026, time.April, 20), "posted to wrong party", "rev-1")
	require.NoError(t, err)
	assert.Equal(t, rev.ID, again.ID)

	_, err = b.ledger.Reverse(b.ctx, tenant, "test", id, ledger.Date(2026, time.April, 21), "again", "rev-2")
	assert.ErrorIs(t, err, ledger.ErrAlreadyReversed)

	got, err := b.ledger.Voucher(b.ctx, tenant, id)
	require.NoError(t, err)
	assert.Equal(t, rev.ID, got.ReversedByID)

	_, err = b.ledger.Reverse(b.ctx, tenant, "test", id+1000, ledger.Date(2026, time.April, 21), "x", "rev-3")
	assert.ErrorIs(t, err, ledger.ErrNotFound)
}

func TestDatabaseRefusesChangesToPostedVouchers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("imm", "70.00")})
	require.NoError(t, err)
	id := p[0].ID
	// Even the tables' owner, whom row-level security does not bind, is refused.
	owner := func(stmt string, args ...any) error {
		var err error
		dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
			_, err = tx.Exec(b.ctx, "SAVEPOINT attempt")
			require.NoError(t, err)
			if _, err = tx.Exec(b.ctx, stmt, args...); err != nil {
				_, rerr := tx.Exec(b.ctx, "ROLLBACK TO SAVEPOINT attempt")
				require.NoError(t, rerr)
			}
		})
		return err
	}
	for _, stmt := range []string{
		"UPDATE vouchers SET narration = 'edited' WHERE id = $1",
		"DELETE FROM vouchers WHERE id = $1",
		"UPDATE voucher_lines SET debit = 71 WHERE voucher_id = $1 AND line_no = 1",
		"DELETE FROM voucher_lines WHERE voucher_id = $1",
		"DELETE FROM voucher_keys WHERE voucher_id = $1",
	} {
		assert.ErrorContains(t, owner(stmt, id), "immutable", stmt)
	}
	for _, stmt := range []string{"TRUNCATE voucher_lines", "TRUNCATE vouchers CASCADE"} {
		assert.ErrorContains(t, owner(stmt), "immutable", stmt)
	}
	// An unbalanced line written straight into the table is refused too.
	err = owner(`INSERT INTO voucher_lines (tenant_id, voucher_id, line_no, account_code, fund_code, function_code, debit, voucher_date)
		VALUES ($1, $2, 3, '4501001', '01', '9091', 5, '2026-04-15')`, tenant, id)
	assert.ErrorContains(t, err, "does not balance")
}

func TestVerifyNamesTheTamperedVoucher(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var vs []ledger.Voucher
	for i := range 5 {
		vs = append(vs, jv(fmt.Sprintf("t%d", i), fmt.Sprintf("%d.00", 100+i)))
	}
	posted, err := b.ledger.Post(b.ctx, tenant, "test", vs)
	require.NoError(t, err)

	res, err := b.ledger.Verify(b.ctx, tenant)
	require.NoError(t, err)
	require.Nil(t, res.Breach)
	assert.EqualValues(t, 5, res.Checked)

	// Someone with superuser rights edits a line behind the trigger's back.
	tamper(t, b, "voucher_lines", "voucher_lines_immutable",
		"UPDATE voucher_lines SET debit = 1000, voucher_date = voucher_date WHERE voucher_id = $1 AND line_no = 1", posted[2].ID)
	res, err = b.ledger.Verify(b.ctx, tenant)
	require.NoError(t, err)
	require.NotNil(t, res.Breach)
	assert.Equal(t, posted[2].Number, res.Breach.Number)
	assert.EqualValues(t, 2, res.Checked)
}

func TestVerifyFindsARemovedVoucher(t *testing.T) {
	t.Parallel()
	b := setup(t)
	posted, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("d1", "1.00"), jv("d2", "2.00"), jv("d3", "3.00")})
	require.NoError(t, err)
	tamper(t, b, "voucher_lines", "voucher_lines_immutable", "DELETE FROM voucher_lines WHERE voucher_id = $1", posted[1].ID)
	tamper(t, b, "vouchers", "vouchers_immutable", "DELETE FROM vouchers WHERE id = $1", posted[1].ID)
	res, err := b.ledger.Verify(b.ctx, tenant)
	require.NoError(t, err)
	require.NotNil(t, res.Breach)
	assert.Equal(t, posted[2].Number, res.Breach.Number, "the voucher after the gap is named")
}

// tamper runs stmt with the table's immutability trigger switched off, as
// an attacker with superuser rights could.
func tamper(t *testing.T, b bundle, table, trigger, stmt string, args ...any) {
	t.Helper()
	dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
		_, err := tx.Exec(b.ctx, fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", table, trigger))
		require.NoError(t, err)
		_, err = tx.Exec(b.ctx, stmt, args...)
		require.NoError(t, err)
		_, err = tx.Exec(b.ctx, fmt.Sprintf("ALTER TABLE %s ENABLE TRIGGER %s", table, trigger))
		require.NoError(t, err)
	})
}

func TestConcurrentPostingKeepsBalancesEqualToLines(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const workers, each = 16, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Every voucher touches the same hot accounts, plus one of a few others.
				amount := fmt.Sprintf("%d.%02d", 1+w, i)
				v := jv(fmt.Sprintf("c-%d-%d", w, i), amount)
				v.Lines = append(v.Lines,
					ledger.Line{AccountCode: "4501002", FundCode: "01", FunctionCode: "9091", Debit: amt("1.25")},
					ledger.Line{AccountCode: []string{"1100101", "1405013", "1401101"}[i%3], FundCode: "01", FunctionCode: "9091", Credit: amt("1.25")})
				v.Date = ledger.Date(2026, time.Month(4+i%6), 1+w)
				_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{v})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()

	check, err := b.ledger.CheckIntegrity(b.ctx, tenant)
	require.NoError(t, err)
	assert.Empty(t, check.BalanceMismatches)
	assert.Empty(t, check.SeriesGaps)
	assert.EqualValues(t, workers*each, check.Vouchers)

	tb, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2027, time.March, 31), "")
	require.NoError(t, err)
	assert.True(t, tb.Balanced(), "trial balance: Dr %s Cr %s", tb.TotalDebit, tb.TotalCredit)
	res, err := b.ledger.Verify(b.ctx, tenant)
	require.NoError(t, err)
	assert.Nil(t, res.Breach)
}

func TestNumbersStayGaplessWhenATransactionRollsBack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("g1", "1.00")})
	require.NoError(t, err)

	// A business operation posts its voucher, then fails: everything rolls back.
	tx, err := b.pool.Begin(b.ctx)
	require.NoError(t, err)
	defer tx.Rollback(b.ctx)
	require.NoError(t, db.SetScope(b.ctx, tx, tenant))
	p, err := b.ledger.PostTx(b.ctx, tx, tenant, "test", []ledger.Voucher{jv("g2", "2.00")})
	require.NoError(t, err)
	assert.Equal(t, "JV/2026-27/000002", p[0].Number)
	require.NoError(t, tx.Rollback(b.ctx))

	p, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("g3", "3.00")})
	require.NoError(t, err)
	assert.Equal(t, "JV/2026-27/000002", p[0].Number, "the rolled-back number is reused")

	// Receipts have their own series.
	rv := jv("g4", "4.00", func(v *ledger.Voucher) { v.Type = ledger.Receipt })
	p, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{rv})
	require.NoError(t, err)
	assert.Equal(t, "RV/2026-27/000001", p[0].Number)

	check, err := b.ledger.CheckIntegrity(b.ctx, tenant)
	require.NoError(t, err)
	assert.True(t, check.OK(), "%+v", check)
}

func TestNumbersStayGaplessUnderConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var wg sync.WaitGroup
	for w := range 12 {
		wg.Go(func() {
			for i := range 15 {
				v := jv(fmt.Sprintf("n-%d-%d", w, i), "1.00")
				if i%5 == 0 {
					v.Lines[0].AccountCode = "9999999" // rejected: must not burn a number
				}
				_, _ = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{v})
			}
		})
	}
	wg.Wait()
	check, err := b.ledger.CheckIntegrity(b.ctx, tenant)
	require.NoError(t, err)
	assert.Empty(t, check.SeriesGaps)
	assert.EqualValues(t, 12*12, check.Vouchers)
}

func TestTrialBalanceAndAccountStatement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	demand := func(key string, d time.Time, party, amount string) ledger.Voucher {
		return ledger.Voucher{Type: ledger.Journal, Date: d, Narration: "demand", IdempotencyKey: key, Lines: []ledger.Line{
			{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Party: party, Debit: amt(amount)},
			{AccountCode: "1100101", FundCode: "01", FunctionCode: "9091", Credit: amt(amount)},
		}}
	}
	_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{
		demand("d1", ledger.Date(2026, time.April, 1), "P1", "1000.00"),
		demand("d2", ledger.Date(2026, time.April, 1), "P2", "500.00"),
		jv("c1", "300.00", on(ledger.Date(2026, time.May, 10)), func(v *ledger.Voucher) { v.Lines[1].Party = "P1" }),
		jv("c2", "200.00", on(ledger.Date(2026, time.May, 20)), func(v *ledger.Voucher) { v.Lines[1].Party = "P2" }),
	})
	require.NoError(t, err)

	// Mid-May: the first collection only.
	tb, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2026, time.May, 15), "")
	require.NoError(t, err)
	assert.True(t, tb.Balanced())
	closing := map[string]string{}
	for _, r := range tb.Rows {
		closing[r.AccountCode] = r.Closing.StringFixed(2)
	}
	assert.Equal(t, map[string]string{"4311001": "1200.00", "1100101": "-1500.00", "4501001": "300.00"}, closing)

	tb, err = b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2026, time.May, 31), "")
	require.NoError(t, err)
	assert.Equal(t, "2000.00", tb.TotalDebit.StringFixed(2))
	assert.Equal(t, "1500.00", tb.TotalClosingDebit.StringFixed(2), "receivable 1000 + cash 500")

	tb, err = b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2026, time.May, 31), "02")
	require.NoError(t, err)
	assert.Empty(t, tb.Rows, "nothing was posted to fund 02")

	// The receivable's statement, two lines a page, running balance carried over.
	sq := ledger.StatementQuery{AccountCode: "4311001", From: ledger.Date(2026, time.April, 1), To: ledger.Date(2026, time.May, 31), PageSize: 2}
	st, err := b.ledger.AccountStatement(b.ctx, tenant, sq)
	require.NoError(t, err)
	require.Len(t, st.Lines, 2)
	assert.Equal(t, "1500.00", st.Lines[1].Balance.StringFixed(2))
	require.NotEmpty(t, st.NextPageToken)
	sq.PageToken = st.NextPageToken
	st, err = b.ledger.AccountStatement(b.ctx, tenant, sq)
	require.NoError(t, err)
	require.Len(t, st.Lines, 2)
	assert.Equal(t, "1200.00", st.Lines[0].Balance.StringFixed(2))
	assert.Equal(t, "1000.00", st.Closing.StringFixed(2))
	assert.Empty(t, st.NextPageToken)

	// One party's sub-ledger from mid-May: opening carries April and early May.
	st, err = b.ledger.AccountStatement(b.ctx, tenant, ledger.StatementQuery{AccountCode: "4311001", Party: "P1",
		From: ledger.Date(2026, time.May, 11), To: ledger.Date(2026, time.May, 31)})
	require.NoError(t, err)
	assert.Equal(t, "700.00", st.Opening.StringFixed(2))
	assert.Empty(t, st.Lines)
	assert.Equal(t, "700.00", st.Closing.StringFixed(2))

	// Whole-account opening from mid-May: balances for April plus May's lines.
	st, err = b.ledger.AccountStatement(b.ctx, tenant, ledger.StatementQuery{AccountCode: "4311001",
		From: ledger.Date(2026, time.May, 11), To: ledger.Date(2026, time.May, 31)})
	require.NoError(t, err)
	assert.Equal(t, "1200.00", st.Opening.StringFixed(2))
	assert.Equal(t, "1000.00", st.Closing.StringFixed(2))
}

func TestClosePeriodRecordsAndRefusesRepeat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p, err := b.ledger.ClosePeriod(b.ctx, tenant, 2026, 1, "accountant-1", "April books closed")
	require.NoError(t, err)
	assert.True(t, p.Closed)
	_, err = b.ledger.ClosePeriod(b.ctx, tenant, 2026, 1, "accountant-1", "again")
	assert.ErrorIs(t, err, ledger.ErrPeriodState)
	_, err = b.ledger.ReopenPeriod(b.ctx, tenant, 2026, 1, "approver-1", "")
	var ve *ledger.ValidationError
	assert.ErrorAs(t, err, &ve, "a reason is required")
	_, err = b.ledger.ReopenPeriod(b.ctx, tenant, 2026, 1, "approver-1", "late bank charges")
	require.NoError(t, err)
	_, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("after-reopen", "1.00")})
	require.NoError(t, err)

	var actors []string
	dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
		rows, err := tx.Query(b.ctx, "SELECT actor || ':' || action || ':' || reason FROM period_events WHERE tenant_id = $1 ORDER BY id", tenant)
		require.NoError(t, err)
		actors, err = pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
	})
	assert.Equal(t, []string{"accountant-1:close:April books closed", "approver-1:reopen:late bank charges"}, actors)
}

func TestCreateAccountUnderAMinorHead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// A posting first, so the chart is cached before the head is added.
	_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("before", "1.00")})
	require.NoError(t, err)
	a, err := b.ledger.CreateAccount(b.ctx, tenant, "4502199", "Scheduled Banks-Dehradun Urban Cooperative Bank")
	require.NoError(t, err)
	assert.Equal(t, "A", a.Kind)
	assert.True(t, a.Postable)

	_, err = b.ledger.CreateAccount(b.ctx, tenant, "4502199", "again")
	assert.ErrorIs(t, err, ledger.ErrExists)
	_, err = b.ledger.CreateAccount(b.ctx, tenant, "9999901", "no minor head")
	var ve *ledger.ValidationError
	assert.ErrorAs(t, err, &ve)

	// The new head takes postings at once.
	v := jv("new-head", "10.00", func(v *ledger.Voucher) { v.Lines[0].AccountCode = "4502199" })
	_, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{v})
	require.NoError(t, err)
}

func TestUnknownTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.ledger.Post(b.ctx, "uk.nowhere", "test", []ledger.Voucher{jv("x", "1.00")})
	assert.True(t, errors.Is(err, ledger.ErrNotFound), "got %v", err)
}

// A voucher posted under an id reserved earlier (ReserveVoucherIDs) takes
// its place in the chain when it is posted, after vouchers with higher ids:
// the chain is read in chain order, and still verifies.
func TestReservedIDsTakeTheirPlaceInTheChainWhenPosted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tx, err := b.pool.Begin(b.ctx)
	require.NoError(t, err)
	defer tx.Rollback(b.ctx)
	require.NoError(t, db.SetScope(b.ctx, tx, tenant))
	ids, err := b.ledger.ReserveVoucherIDs(b.ctx, tx, 1)
	require.NoError(t, err)

	later, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("r1", "1.00")})
	require.NoError(t, err)
	require.Greater(t, later[0].ID, ids[0])

	reserved := jv("r2", "2.00")
	reserved.ID = ids[0]
	p, err := b.ledger.PostTx(b.ctx, tx, tenant, "test", []ledger.Voucher{reserved})
	require.NoError(t, err)
	require.NoError(t, tx.Commit(b.ctx))
	assert.Equal(t, ids[0], p[0].ID)
	assert.Equal(t, later[0].ChainSeq+1, p[0].ChainSeq)

	res, err := b.ledger.Verify(b.ctx, tenant)
	require.NoError(t, err)
	assert.Nil(t, res.Breach)
	assert.EqualValues(t, 2, res.Checked)
}

// Staged vouchers (lines written ahead of the chain-head lock) post as
// PostTx would; a voucher without a reserved id cannot be staged, and a
// staged voucher whose key was posted meanwhile fails its transaction.
func TestStagedVouchersPostWithTheLinesWrittenAhead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	stage := func(t *testing.T, key string, reserve bool) (pgx.Tx, *ledger.Staged, error) {
		tx, err := b.pool.Begin(b.ctx)
		require.NoError(t, err)
		t.Cleanup(func() { tx.Rollback(context.Background()) })
		require.NoError(t, db.SetScope(b.ctx, tx, tenant))
		v := jv(key, "7.50")
		if reserve {
			ids, err := b.ledger.ReserveVoucherIDs(b.ctx, tx, 1)
			require.NoError(t, err)
			v.ID = ids[0]
		}
		s, err := b.ledger.StageTx(b.ctx, tx, tenant, "test", []ledger.Voucher{v})
		return tx, s, err
	}

	t.Run("posted whole", func(t *testing.T) {
		tx, s, err := stage(t, "s1", true)
		require.NoError(t, err)
		p, err := b.ledger.PostStagedTx(b.ctx, tx, s)
		require.NoError(t, err)
		require.NoError(t, tx.Commit(b.ctx))
		got, err := b.ledger.Voucher(b.ctx, tenant, p[0].ID)
		require.NoError(t, err)
		require.Len(t, got.Lines, 2)
		assert.Equal(t, "7.50", got.Lines[0].Debit.StringFixed(2))
		assert.Equal(t, "PROP-1", got.Lines[1].Party)
		res, err := b.ledger.Verify(b.ctx, tenant)
		require.NoError(t, err)
		assert.Nil(t, res.Breach)
	})
	t.Run("no reserved id", func(t *testing.T) {
		_, _, err := stage(t, "s2", false)
		require.ErrorContains(t, err, "no reserved id")
	})
	t.Run("key posted meanwhile", func(t *testing.T) {
		tx, s, err := stage(t, "s3", true)
		require.NoError(t, err)
		_, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{jv("s3", "7.50")})
		require.NoError(t, err)
		_, err = b.ledger.PostStagedTx(b.ctx, tx, s)
		require.ErrorContains(t, err, "posted before")
	})
}
