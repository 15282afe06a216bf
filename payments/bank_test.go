package payments_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/razorpaysim"
	"github.com/munimhq/munim/receipts"
)

// A day of online payments settled two days later and a cashier's day
// remitted: the bank statement, imported twice, matches both; its charges
// are bank-only; the BRS ties before and after the settlement is credited.
func TestBankStatementMatchesSettlementsAndDepositsAndTheBRSTies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	b.raise(t, "PT-2")
	tx := b.order(t, "k1", "PT-1", "3780")
	_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	b.sim.WaitWebhooks()
	// At the counter: cash, remitted the same day.
	_, err = b.receipts.CollectPayment(b.ctx, tenant, "user:sunil", receipts.PaymentInput{IdempotencyKey: "cash-1", Mode: receipts.Cash,
		Amount: amt("1500"), Items: []receipts.ItemInput{{Service: "property_tax", ConsumerCode: "PT-2", Amount: amt("1500")}}})
	require.NoError(t, err)
	rem, err := b.receipts.RemitCash(b.ctx, tenant, "user:sunil", receipts.RemitInput{IdempotencyKey: "remit-1", Cashier: "user:sunil",
		CollectedOn: ledger.Date(2026, time.May, 10), SlipNo: "SLIP-77"})
	require.NoError(t, err)

	day := b.clock.Now().AddDate(0, 0, 2)
	_, utr := b.sim.Settle(day)
	b.clock.Set(day.Add(8 * time.Hour))
	rec := b.reconcile(t, day)
	net := rec.Settlements[0].Net.StringFixed(2)

	// Deposit credited next day, settlement credited on its day, and charges.
	balance1 := rem.Amount
	balance2 := balance1.Add(rec.Settlements[0].Net)
	csv := strings.Join([]string{
		"Txn Date,Narration,Ref No./UTR,Debit,Credit,Balance",
		fmt.Sprintf("11-05-2026,BY CASH SLIP-77,SLIP-77,,%s,%s", rem.Amount.StringFixed(2), balance1.StringFixed(2)),
		fmt.Sprintf("12-05-2026,NEFT RAZORPAY SOFTWARE,%s,,%s,%s", utr, net, balance2.StringFixed(2)),
		fmt.Sprintf("12-05-2026,SMS CHARGES,,17.70,,%s", balance2.Sub(amt("17.70")).StringFixed(2)),
	}, "\n")
	imp, err := b.payments.ImportBankStatement(b.ctx, tenant, "user:ravi", "4502101", strings.NewReader(csv))
	require.NoError(t, err)
	require.Equal(t, 3, imp.Lines)
	require.Equal(t, 2, imp.Matched)
	again, err := b.payments.ImportBankStatement(b.ctx, tenant, "user:ravi", "4502101", strings.NewReader(csv))
	require.NoError(t, err)
	require.Equal(t, 0, again.Lines)
	require.Equal(t, 3, again.Duplicates)

	// As of the 11th: the settlement is in the books (dated the 12th: not
	// yet), the deposit is credited; nothing in transit.
	brs, err := b.payments.GetBankReconciliation(b.ctx, tenant, "4502101", ledger.Date(2026, time.May, 11))
	require.NoError(t, err)
	require.Empty(t, brs.BooksNotInBank)
	require.Empty(t, brs.BankNotInBooks)
	require.Equal(t, rem.Amount.StringFixed(2), brs.BankBalance.StringFixed(2))
	require.True(t, brs.Difference.IsZero(), "%+v", brs)

	brs, err = b.payments.GetBankReconciliation(b.ctx, tenant, "4502101", ledger.Date(2026, time.May, 12))
	require.NoError(t, err)
	require.Empty(t, brs.BooksNotInBank)
	require.Len(t, brs.BankNotInBooks, 1)
	require.Equal(t, "17.70", brs.BankNotInBooks[0].Debit.StringFixed(2))
	require.True(t, brs.Difference.IsZero(), "%+v", brs)

	// A statement that has not yet caught up: the settlement is in transit.
	b2 := setup(t)
	b2.raise(t, "PT-1")
	tx2 := b2.order(t, "k1", "PT-1", "3780")
	_, err = b2.sim.Pay(tx2.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	b2.sim.WaitWebhooks()
	day2 := b2.clock.Now().AddDate(0, 0, 2)
	b2.sim.Settle(day2)
	b2.reconcile(t, day2)
	_, err = b2.payments.ImportBankStatement(b2.ctx, tenant, "user:ravi", "4502101",
		strings.NewReader("date,narration,reference,debit,credit,balance\n2026-05-12,INTEREST,,,5.00,5.00\n"))
	require.NoError(t, err)
	brs, err = b2.payments.GetBankReconciliation(b2.ctx, tenant, "4502101", ledger.Date(2026, time.May, 12))
	require.NoError(t, err)
	require.Len(t, brs.BooksNotInBank, 1, "the settlement, not yet credited")
	require.Len(t, brs.BankNotInBooks, 1, "the interest, not yet in the books")
	require.Equal(t, "5.00", brs.BankBalance.StringFixed(2))
	require.True(t, brs.Difference.IsZero(), "%+v", brs)
	b.books(t)
}

func TestABadStatementIsRefusedWhole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for name, csv := range map[string]string{
		"no balance column":      "date,narration,reference,debit,credit\n2026-05-12,X,,,5.00\n",
		"a bad date":             "date,narration,reference,debit,credit,balance\n12/13/2026,X,,,5.00,5.00\n",
		"both sides on one line": "date,narration,reference,debit,credit,balance\n2026-05-12,X,,1.00,5.00,5.00\n",
		"an amount in words":     "date,narration,reference,debit,credit,balance\n2026-05-12,X,,,five,5.00\n",
	} {
		_, err := b.payments.ImportBankStatement(b.ctx, tenant, "user:ravi", "4502101", strings.NewReader(csv))
		require.Error(t, err, name)
	}
	_, err := b.payments.ImportBankStatement(b.ctx, tenant, "user:ravi", "4501001", strings.NewReader("date\n"))
	require.Error(t, err, "cash on hand is not a bank account")
}
