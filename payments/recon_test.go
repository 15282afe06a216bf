package payments_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/razorpaysim"
)

// balanceOf is an account's balance in the books (debit positive).
func (b *bundle) balanceOf(t *testing.T, account string) string {
	t.Helper()
	var d decimal.Decimal
	b.sql(t, `SELECT coalesce(sum(debit - credit), 0) FROM voucher_lines WHERE tenant_id = $1 AND account_code = '`+account+`'`, &d)
	return d.StringFixed(2)
}

func kinds(es []payments.Exception) map[payments.Kind]int {
	out := map[payments.Kind]int{}
	for _, e := range es {
		out[e.Kind]++
	}
	return out
}

// reconcile runs the day's reconciliation as the system would.
func (b *bundle) reconcile(t *testing.T, day time.Time) payments.Reconciliation {
	t.Helper()
	r, err := b.payments.RunReconciliation(b.ctx, tenant, "system:reconcile", day)
	require.NoError(t, err)
	return r
}

func TestSettlementWithFeeAndTaxEmptiesTheClearingAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	b.raise(t, "PT-2")
	for i, c := range []string{"PT-1", "PT-2"} {
		tx := b.order(t, "k"+c, c, "3780")
		_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{Amount: int64(378000 - i*100000)})
		require.NoError(t, err)
	}
	b.sim.WaitWebhooks()
	b.books(t)
	require.Equal(t, "6560.00", b.balanceOf(t, "4501002"), "captured, not settled")

	day := b.clock.Now().AddDate(0, 0, 2) // T+2
	id, utr := b.sim.Settle(day)
	require.NotEmpty(t, id)
	b.clock.Set(day.Add(8 * time.Hour))
	r := b.reconcile(t, day)
	require.Len(t, r.Settlements, 1)
	st := r.Settlements[0]
	require.Equal(t, utr, st.UTR)
	require.Equal(t, "6560.00", st.Gross.StringFixed(2))
	// 2% of 3,780 and of 2,780, half up to the paisa; 18% tax on each fee.
	require.Equal(t, "131.20", st.Fee.StringFixed(2))
	require.Equal(t, "23.62", st.Tax.StringFixed(2))
	require.Equal(t, "6405.18", st.Net.StringFixed(2))
	require.Equal(t, "0.00", b.balanceOf(t, "4501002"))
	require.Equal(t, "154.82", b.balanceOf(t, "2408003"))
	require.Equal(t, "6405.18", b.balanceOf(t, "4502101"))
	require.Equal(t, map[payments.Kind]int{payments.AmountMismatch: 1}, kinds(r.Open), "PT-2 paid 2,780 of 3,780")
	b.books(t)

	again := b.reconcile(t, day)
	require.Equal(t, st.VoucherID, again.Settlements[0].VoucherID, "a day reconciled twice posts once")
	require.Equal(t, "0.00", b.balanceOf(t, "4501002"))
}

func TestSettlementDaysLateIsAnExceptionUntilItComes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{SettleDelayDays: 4})
	cb, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	b.sim.WaitWebhooks() // receipted before the clock moves on
	captured := b.clock.Now()
	for d := 1; d <= 5; d++ {
		day := captured.AddDate(0, 0, d)
		b.sim.Settle(day)
		b.clock.Set(day.Add(12 * time.Hour))
		r := b.reconcile(t, day)
		require.Empty(t, r.Settlements, "day %d", d)
		if d < payments.DefaultSettleWithinDays {
			require.Empty(t, r.Open, "day %d", d)
		} else {
			require.Equal(t, map[payments.Kind]int{payments.SettlementMissing: 1}, kinds(r.Open), "day %d", d)
			require.Equal(t, cb.PaymentID, r.Open[0].Reference)
			require.Equal(t, time.Duration(d-payments.DefaultSettleWithinDays)*24*time.Hour, r.Open[0].Age, "open since day 3")
		}
		b.books(t)
	}
	day := captured.AddDate(0, 0, 6) // T+2, four days late
	b.sim.Settle(day)
	r := b.reconcile(t, day)
	require.Len(t, r.Settlements, 1)
	require.Empty(t, r.Open, "the settlement resolves its exception")
	all, err := b.payments.ListExceptions(b.ctx, tenant, payments.ExceptionFilter{All: true})
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Contains(t, all[0].Resolution, "settled in")
	require.Equal(t, "0.00", b.balanceOf(t, "4501002"))
	b.books(t)
}

func TestSettlementReceiptsWhatEveryoneMissedAndHoldsWhatIsNotOurs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{DropWebhooks: 100})
	missed, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	// Another integration on the same account takes a payment of its own.
	gw, err := gateway.NewRazorpay(gateway.Config{KeyID: keyID, KeySecret: keySecret, BaseURL: b.simURL})
	require.NoError(t, err)
	other, err := gw.CreateOrder(context.Background(), gateway.OrderRequest{Amount: 50000, Receipt: "not-munim"})
	require.NoError(t, err)
	stranger, err := b.sim.Pay(other.ID, razorpaysim.Pay{})
	require.NoError(t, err)
	b.books(t)
	require.Equal(t, payments.Created, b.get(t, tx.ID).Status, "nothing seen yet")

	day := b.clock.Now().AddDate(0, 0, 2)
	b.sim.Settle(day)
	r := b.reconcile(t, day)
	require.Len(t, r.Settlements, 1)
	require.Equal(t, "500.00", r.Settlements[0].Unknown.StringFixed(2))
	require.Equal(t, map[payments.Kind]int{payments.SettledUnknown: 1}, kinds(r.Open))
	require.Equal(t, stranger.PaymentID, r.Open[0].Reference)
	require.Equal(t, "-500.00", b.balanceOf(t, "3504007"))
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Success, got.Status, "receipted by the reconciliation")
	require.Equal(t, "poll", got.Payments[0].SeenVia)
	all, err := b.payments.ListExceptions(b.ctx, tenant, payments.ExceptionFilter{All: true, Kind: payments.CapturedNotReceipted})
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Equal(t, missed.PaymentID, all[0].Reference)
	require.False(t, all[0].Open())
	require.Equal(t, "0.00", b.balanceOf(t, "4501002"))
	b.books(t)

	// The accountant identifies the stranger's money and resolves it.
	e, err := b.payments.ResolveException(b.ctx, tenant, "user:ravi", r.Open[0].ID, "another integration's payment; transferred by JV 14")
	require.NoError(t, err)
	require.False(t, e.Open())
	require.Equal(t, "user:ravi", e.ResolvedBy)
	_, err = b.payments.ResolveException(b.ctx, tenant, "user:ravi", r.Open[0].ID, "again, otherwise")
	require.Error(t, err, "resolved once")
}

func TestCaptureExceptions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{Amount: 300000})
	require.NoError(t, err)
	_, err = b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	b.sim.WaitWebhooks()
	open, err := b.payments.ListExceptions(b.ctx, tenant, payments.ExceptionFilter{})
	require.NoError(t, err)
	require.Equal(t, map[payments.Kind]int{payments.AmountMismatch: 1, payments.DuplicatePayment: 1}, kinds(open))
	for _, e := range open {
		require.Equal(t, tx.ID, e.TransactionID)
		require.True(t, e.Open())
	}
	b.books(t)
}

// The poller of a new transaction and each tenant's daily reconciliation
// are River jobs, enqueued with the data they act on.
func TestPollerAndReconciliationAreScheduled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	workers := river.NewWorkers()
	payments.AddWorkers(workers, b.payments)
	c, err := jobs.New(b.pool, jobs.Config{Workers: workers, InsertOnly: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	b.payments.UseJobs(c)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	require.NoError(t, b.payments.ScheduleReconciliations(b.ctx))
	require.NoError(t, b.payments.ScheduleReconciliations(b.ctx), "a chain already scheduled is not doubled")
	rows, err := b.pool.Query(b.ctx, `SELECT kind, args::text, scheduled_at FROM `+db.JobSchema+`.river_job ORDER BY id`)
	require.NoError(t, err)
	type job struct {
		kind, args string
		at         time.Time
	}
	var got []job
	for rows.Next() {
		var j job
		require.NoError(t, rows.Scan(&j.kind, &j.args, &j.at))
		got = append(got, j)
	}
	require.NoError(t, rows.Err())
	require.Len(t, got, 2)
	require.Equal(t, "payments.poll", got[0].kind)
	require.JSONEq(t, fmt.Sprintf(`{"tenant_id":%q,"transaction_id":%d}`, tenant, tx.ID), got[0].args)
	require.Equal(t, b.clock.Now().Add(30*time.Second).Unix(), got[0].at.Unix())
	require.Equal(t, "payments.reconcile", got[1].kind)
	require.JSONEq(t, `{"tenant_id":"uk.dehradun","day":"2026-05-09"}`, got[1].args)
	require.Equal(t, time.Date(2026, time.May, 10, 6, 0, 0, 0, ist).Unix(), got[1].at.Unix())
}

func TestTheDailySweepPollsWhatIsDue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{DropWebhooks: 10})
	_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	n, err := b.payments.PollDue(b.ctx, tenant, 10)
	require.NoError(t, err)
	require.Zero(t, n, "its first poll is 30 seconds on")
	b.clock.Set(b.clock.Now().Add(time.Minute))
	n, err = b.payments.PollDue(b.ctx, tenant, 10)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, payments.Success, b.get(t, tx.ID).Status)
	b.books(t)
}
