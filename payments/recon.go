package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// The accounts of a settlement (NMAM).
const (
	// Clearing is cash in transit, the gateway clearing account: debited
	// by online receipts, credited with the gross as they are settled.
	Clearing = receipts.CashInTransit
	// Charges are the gateway's transaction charges and the tax on them.
	Charges = "2408003"
	// Unidentified holds what the gateway settled that is not ours (or a
	// refund we did not make) until it is identified: refunds payable,
	// others.
	Unidentified = "3504007"
	// DefaultSettlementBank is where settlements are credited unless the
	// account names another.
	DefaultSettlementBank = receipts.DefaultBank
	// financeFunction is the function the cash, bank and charges post
	// under: finance and accounts, as the cash book does.
	financeFunction = receipts.CashFunction
	municipalFund   = "01"
)

// Settlement is one settlement of the gateway, as recorded.
type Settlement struct {
	ID        string
	UTR       string
	SettledOn time.Time
	Gross     decimal.Decimal // payments
	Fee, Tax  decimal.Decimal
	Refunds   decimal.Decimal
	Net       decimal.Decimal // credited to the bank
	Unknown   decimal.Decimal // of Gross less Refunds, not ours
	VoucherID int64
}

// Reconciliation is the outcome of RunReconciliation for a day.
type Reconciliation struct {
	Day         time.Time
	Settlements []Settlement // every settlement of the day, recorded now or before
	// Open is the exceptions open after the run.
	Open []Exception
}

// settlementDraft is one settlement's items, grouped from the report.
type settlementDraft struct {
	id, utr string
	items   []gateway.SettlementItem
}

// RunReconciliation reconciles day's settlements (India's calendar day):
// it reads the gateway's combined settlement report, receipts any settled
// payment we had not seen captured, and for each settlement not recorded
// before posts its journal: bank Dr with the net, 2408003 Dr with the fee
// and tax, 4501002 Cr with the gross of our payments (3504007 for what is
// not ours), then marks the payments settled. Afterwards the clearing
// account holds exactly the captured payments not yet settled. It then
// raises an exception for every captured payment not settled within the
// account's settlement window (asking the gateway whether it is still
// captured). Running it twice for a day changes nothing more.
func (s *Service) RunReconciliation(ctx context.Context, tenant, actor string, day time.Time) (Reconciliation, error) {
	gw, acct, err := s.gateway(tenant)
	if err != nil {
		return Reconciliation{}, err
	}
	y, m, d := day.Date()
	day = time.Date(y, m, d, 0, 0, 0, 0, gateway.IST)
	items, err := gw.Settlements(ctx, day)
	if err != nil {
		return Reconciliation{}, err
	}
	var drafts []*settlementDraft
	byID := map[string]*settlementDraft{}
	for _, it := range items {
		sd := byID[it.SettlementID]
		if sd == nil {
			sd = &settlementDraft{id: it.SettlementID, utr: it.SettlementUTR}
			byID[it.SettlementID] = sd
			drafts = append(drafts, sd)
		}
		sd.items = append(sd.items, it)
	}
	for _, sd := range drafts {
		if err := s.receiptSettled(ctx, gw, tenant, sd); err != nil {
			return Reconciliation{}, err
		}
		if err := s.recordSettlement(ctx, tenant, actor, acct, day, sd); err != nil {
			return Reconciliation{}, err
		}
	}
	if err := s.chaseUnsettled(ctx, gw, tenant, acct, day); err != nil {
		return Reconciliation{}, err
	}
	out := Reconciliation{Day: day}
	err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).GatewaySettlementsOn(ctx, dbq.GatewaySettlementsOnParams{TenantID: tenant, SettledOn: day})
		for _, r := range rows {
			out.Settlements = append(out.Settlements, Settlement{ID: r.SettlementID, UTR: r.Utr, SettledOn: r.SettledOn,
				Gross: r.Gross, Fee: r.Fee, Tax: r.Tax, Refunds: r.Refunds, Net: r.Net, Unknown: r.Unknown, VoucherID: r.VoucherID})
		}
		return err
	})
	if err != nil {
		return Reconciliation{}, err
	}
	out.Open, err = s.ListExceptions(ctx, tenant, ExceptionFilter{})
	return out, err
}

// receiptSettled makes sure every settled payment that is ours is
// receipted before its settlement is posted: one the callback, webhooks
// and poller all missed is read from the gateway and receipted now, and
// the exception that shows it is raised and resolved at once.
func (s *Service) receiptSettled(ctx context.Context, gw gateway.Gateway, tenant string, sd *settlementDraft) error {
	for _, it := range sd.items {
		if it.Type != gateway.ItemPayment {
			continue
		}
		var row dbq.GatewayPayment
		err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			var err error
			row, err = dbq.New(tx).GatewayPaymentGet(ctx, dbq.GatewayPaymentGetParams{TenantID: tenant, PaymentID: it.EntityID})
			return err
		})
		switch {
		case err == nil && row.ReceiptID.Valid:
			continue
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		p, err := gw.FetchPayment(ctx, it.EntityID)
		if err != nil {
			return err
		}
		err = s.apply(ctx, tenant, viaPoll, p)
		if errors.Is(err, ErrUnknownOrder) {
			continue // not ours: recordSettlement holds it as unidentified
		}
		if err != nil {
			return err
		}
		err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			q := dbq.New(tx)
			if err := s.raise(ctx, q, tenant, CapturedNotReceipted, p.ID, 0, rupees(p.Amount),
				"payment %s of order %s was settled in %s before we saw it captured", p.ID, p.OrderID, sd.id); err != nil {
				return err
			}
			return s.resolveByRef(ctx, q, tenant, CapturedNotReceipted, p.ID, Actor, "receipted by the reconciliation of "+sd.id)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recordSettlement posts one settlement's journal and marks its payments
// settled, in one transaction; a settlement recorded before is left alone.
func (s *Service) recordSettlement(ctx context.Context, tenant, actor string, acct Account, day time.Time, sd *settlementDraft) error {
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		done, err := q.GatewaySettlementExists(ctx, dbq.GatewaySettlementExistsParams{TenantID: tenant, SettlementID: sd.id})
		if err != nil || done {
			return err
		}
		var gross, fee, tax, refunds, known, unknown decimal.Decimal
		type settled struct {
			item  gateway.SettlementItem
			known bool
		}
		var rows []settled
		for _, it := range sd.items {
			amount := rupees(it.Amount)
			switch it.Type {
			case gateway.ItemPayment:
				gross, fee, tax = gross.Add(amount), fee.Add(rupees(it.Fee)), tax.Add(rupees(it.Tax))
				p, err := q.GatewayPaymentGet(ctx, dbq.GatewayPaymentGetParams{TenantID: tenant, PaymentID: it.EntityID})
				if errors.Is(err, pgx.ErrNoRows) || (err == nil && !p.ReceiptID.Valid) {
					unknown = unknown.Add(amount)
					rows = append(rows, settled{it, false})
					if err := s.raise(ctx, q, tenant, SettledUnknown, it.EntityID, 0, amount,
						"settlement %s (UTR %s) paid %s for payment %s of order %s, which is not ours; held on %s",
						sd.id, sd.utr, amount.StringFixed(2), it.EntityID, it.OrderID, Unidentified); err != nil {
						return err
					}
					continue
				}
				if err != nil {
					return err
				}
				rows = append(rows, settled{it, true})
				known = known.Add(p.Amount)
				if !amount.Equal(p.Amount) {
					// The clearing holds what we receipted; the difference is unidentified.
					unknown = unknown.Add(amount.Sub(p.Amount))
					if err := s.raise(ctx, q, tenant, AmountMismatch, "settlement:"+it.EntityID, p.TransactionID, amount.Sub(p.Amount),
						"settlement %s paid %s for payment %s, receipted for %s", sd.id, amount.StringFixed(2), it.EntityID,
						p.Amount.StringFixed(2)); err != nil {
						return err
					}
				}
				if err := q.GatewayPaymentSettle(ctx, dbq.GatewayPaymentSettleParams{TenantID: tenant, PaymentID: it.EntityID,
					SettlementID: pgtype.Text{String: sd.id, Valid: true}}); err != nil {
					return err
				}
				if err := s.resolveByRef(ctx, q, tenant, SettlementMissing, it.EntityID, Actor, "settled in "+sd.id+", UTR "+sd.utr); err != nil {
					return err
				}
			case gateway.ItemRefund:
				refunds = refunds.Add(amount)
				rf, err := q.GatewayRefundByRefundID(ctx, dbq.GatewayRefundByRefundIDParams{TenantID: tenant,
					RefundID: pgtype.Text{String: it.EntityID, Valid: true}})
				if errors.Is(err, pgx.ErrNoRows) {
					// Ours, if we booked it without learning its id (the
					// gateway's reply was lost): it names itself now.
					rf, err = q.GatewayRefundUnidentified(ctx, dbq.GatewayRefundUnidentifiedParams{TenantID: tenant,
						PaymentID: it.PaymentID, Amount: amount})
					if err == nil {
						if err := q.GatewayRefundIdentify(ctx, dbq.GatewayRefundIdentifyParams{TenantID: tenant, ID: rf.ID,
							RefundID: pgtype.Text{String: it.EntityID, Valid: true}}); err != nil {
							return err
						}
					}
				}
				if err == nil && rf.Status == RefundProcessed {
					// Booked when made (advance Dr, clearing Cr): the
					// settlement takes it back off the clearing account.
					known = known.Sub(rf.Amount)
					rows = append(rows, settled{it, true})
					if err := q.GatewayRefundSettle(ctx, dbq.GatewayRefundSettleParams{TenantID: tenant, ID: rf.ID,
						SettlementID: pgtype.Text{String: sd.id, Valid: true}}); err != nil {
						return err
					}
					if !amount.Equal(rf.Amount) {
						unknown = unknown.Sub(amount.Sub(rf.Amount))
					}
					continue
				}
				if err != nil && !errors.Is(err, pgx.ErrNoRows) {
					return err
				}
				// A refund Munim did not make: held until placed.
				unknown = unknown.Sub(amount)
				rows = append(rows, settled{it, false})
				if err := s.raise(ctx, q, tenant, SettledUnknown, it.EntityID, 0, amount.Neg(),
					"settlement %s deducted refund %s of %s (payment %s), which Munim did not book; held on %s",
					sd.id, it.EntityID, amount.StringFixed(2), it.PaymentID, Unidentified); err != nil {
					return err
				}
			default:
				return fmt.Errorf("settlement %s: item %s of unknown type %q", sd.id, it.EntityID, it.Type)
			}
		}
		net := gross.Sub(fee).Sub(tax).Sub(refunds)
		bank := acct.SettlementBank
		if bank == "" {
			bank = DefaultSettlementBank
		}
		line := func(account string, amount decimal.Decimal) ledger.Line {
			l := ledger.Line{AccountCode: account, FundCode: municipalFund, FunctionCode: financeFunction}
			if amount.IsNegative() {
				l.Credit = amount.Neg()
			} else {
				l.Debit = amount
			}
			return l
		}
		var lines []ledger.Line
		for _, l := range []ledger.Line{line(bank, net), line(Charges, fee.Add(tax)), line(Clearing, known.Neg()), line(Unidentified, unknown.Neg())} {
			if l.Debit.IsPositive() || l.Credit.IsPositive() {
				lines = append(lines, l)
			}
		}
		v := ledger.Voucher{Type: ledger.Journal, Date: ledger.Date(day.Year(), day.Month(), day.Day()), IdempotencyKey: "settlement:" + sd.id, SourceRef: sd.utr,
			Narration: fmt.Sprintf("Gateway settlement %s, UTR %s: gross %s, fee %s, tax on fee %s, refunds %s, net %s",
				sd.id, sd.utr, gross.StringFixed(2), fee.StringFixed(2), tax.StringFixed(2), refunds.StringFixed(2), net.StringFixed(2)),
			Lines: lines}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
		if err != nil {
			return fmt.Errorf("post settlement %s: %w", sd.id, err)
		}
		if err := q.GatewaySettlementInsert(ctx, dbq.GatewaySettlementInsertParams{TenantID: tenant, SettlementID: sd.id, Utr: sd.utr,
			SettledOn: day, Gross: gross, Fee: fee, Tax: tax, Refunds: refunds, Net: net, Unknown: unknown, VoucherID: posted[0].ID}); err != nil {
			return fmt.Errorf("record settlement %s: %w", sd.id, err)
		}
		for _, r := range rows {
			if err := q.GatewaySettlementItemInsert(ctx, dbq.GatewaySettlementItemInsertParams{TenantID: tenant, EntityID: r.item.EntityID,
				SettlementID: sd.id, Type: r.item.Type, PaymentID: r.item.PaymentID, Amount: rupees(r.item.Amount),
				Fee: rupees(r.item.Fee), Tax: rupees(r.item.Tax), Known: r.known}); err != nil {
				return fmt.Errorf("record settlement item %s: %w", r.item.EntityID, err)
			}
		}
		return nil
	})
}

// chaseUnsettled raises SettlementMissing for every payment captured more
// than the account's settlement window before the end of day and still
// unsettled, and ReceiptedNotCaptured when the gateway no longer shows it
// captured.
func (s *Service) chaseUnsettled(ctx context.Context, gw gateway.Gateway, tenant string, acct Account, day time.Time) error {
	within := acct.SettleWithinDays
	if within == 0 {
		within = DefaultSettleWithinDays
	}
	before := day.AddDate(0, 0, 1-within)
	var late []dbq.GatewayPayment
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		late, err = dbq.New(tx).GatewayPaymentsUnsettledBefore(ctx, dbq.GatewayPaymentsUnsettledBeforeParams{TenantID: tenant, Before: before})
		return err
	})
	if err != nil {
		return err
	}
	for _, p := range late {
		gp, ferr := gw.FetchPayment(ctx, p.PaymentID)
		if ferr != nil && !gateway.Unreachable(ferr) && !gateway.NotFound(ferr) {
			return ferr
		}
		err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			q := dbq.New(tx)
			if err := s.raise(ctx, q, tenant, SettlementMissing, p.PaymentID, p.TransactionID, p.Amount,
				"payment %s captured %s is not settled %d days on", p.PaymentID, p.CapturedAt.In(gateway.IST).Format(time.DateOnly), within); err != nil {
				return err
			}
			if ferr == nil && gp.Status != gateway.PaymentCaptured && gp.Status != gateway.PaymentRefunded {
				return s.raise(ctx, q, tenant, ReceiptedNotCaptured, p.PaymentID, p.TransactionID, p.Amount,
					"payment %s is receipted but the gateway shows it %s", p.PaymentID, gp.Status)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
