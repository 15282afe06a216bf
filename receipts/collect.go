package receipts

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// maxItems bounds the consumers one payment may pay for.
const maxItems = 50

// receiptKeyConstraint is the unique key that lets a request make one receipt.
const receiptKeyConstraint = "receipts_idempotency_key_unique"

// staleAfter is how long a cheque stays valid from its date (RBI: three months).
const staleAfter = 3

// validate checks the payment on its own, naming each broken field.
func (p *PaymentInput) validate(today time.Time) error {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if p.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if p.Series != "" && !seriesPattern.MatchString(p.Series) {
		bad("series", "must be 1 to 10 upper case letters and digits, starting with a letter, e.g. PT")
	}
	money := func(field string, a decimal.Decimal) {
		switch {
		case !a.IsPositive():
			bad(field, "must be more than zero")
		case !a.Equal(a.Round(2)):
			bad(field, "must have at most 2 decimals")
		case a.GreaterThanOrEqual(decimal.New(1, 13)):
			bad(field, "must be less than 10^13")
		}
	}
	money("amount", p.Amount)
	in := p.Instrument
	switch p.Mode {
	case Cash:
	case Cheque, DD:
		if strings.TrimSpace(in.Number) == "" {
			bad("instrument.number", "is required for a %s", p.Mode)
		}
		if strings.TrimSpace(in.Bank) == "" {
			bad("instrument.bank", "is required for a %s", p.Mode)
		}
		switch {
		case in.Date.IsZero():
			bad("instrument.date", "is required for a %s", p.Mode)
		case in.Date.After(today):
			bad("instrument.date", "a post-dated %s (%s) cannot be receipted before its date", p.Mode, in.Date.Format(time.DateOnly))
		case !in.Date.AddDate(0, staleAfter, 0).After(today):
			bad("instrument.date", "a %s dated %s is stale: valid for %d months", p.Mode, in.Date.Format(time.DateOnly), staleAfter)
		}
	case Card:
		if strings.TrimSpace(in.Number) == "" {
			bad("instrument.number", "is required for a card payment: the terminal's approval code")
		}
	case NEFT:
		if strings.TrimSpace(in.Number) == "" {
			bad("instrument.number", "is required for NEFT/RTGS: the UTR")
		}
	case Online: // CollectOnlineTx only: CollectPayment refuses it
		if strings.TrimSpace(in.Number) == "" {
			bad("instrument.number", "is required for an online payment: the gateway's payment id")
		}
	default:
		bad("mode", "must be one of cash, cheque, dd, card, neft")
	}
	if p.BankAccount != "" && !strings.HasPrefix(p.BankAccount, "4502") {
		bad("bank_account", "%q is not a bank account head (4502...)", p.BankAccount)
	}
	if len(p.Items) == 0 || len(p.Items) > maxItems {
		bad("items", "a payment is for 1 to %d consumers", maxItems)
	}
	seen := map[billing.ConsumerKey]int{}
	sum := decimal.Zero
	for i, it := range p.Items {
		f := fmt.Sprintf("items[%d]", i)
		if !servicePattern.MatchString(it.Service) {
			bad(f+".service", "must be lower case letters, digits and _, e.g. property_tax")
		}
		if strings.TrimSpace(it.ConsumerCode) == "" {
			bad(f+".consumer_code", "is required")
		}
		money(f+".amount", it.Amount)
		k := billing.ConsumerKey{Service: it.Service, ConsumerCode: it.ConsumerCode}
		if j, dup := seen[k]; dup {
			bad(f, "repeats the consumer of items[%d]", j)
		}
		seen[k] = i
		sum = sum.Add(it.Amount)
	}
	if len(vs) == 0 && !sum.Equal(p.Amount) {
		bad("amount", "must equal the sum of the items (%s)", sum.StringFixed(2))
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	return nil
}

// requestHash fingerprints the payment for idempotent replay.
func (p *PaymentInput) requestHash() []byte {
	h := sha256.New()
	in := p.Instrument
	fmt.Fprintf(h, "%s|%s|%s|%q|%q|%s|%q|%q|%s", p.Series, p.Mode, p.Amount.StringFixed(2), p.PayerName, in.Number,
		in.Date.Format(time.DateOnly), in.Bank, in.Branch, p.BankAccount)
	for _, it := range p.Items {
		fmt.Fprintf(h, "|%s|%q|%s", it.Service, it.ConsumerCode, it.Amount.StringFixed(2))
	}
	return h.Sum(nil)
}

// CollectPayment takes a payment at the counter and issues its receipt. In
// one transaction it locks the consumers (so that payments for one consumer
// take turns), settles each consumer's dues through billing (penalty and
// interest to the day, the rebate when earned, apportionment oldest period
// first then head priority, the rest held as advance), takes the receipt
// number of the series and fiscal year, and posts the receipt voucher (cash,
// cheques in hand, cash in transit or bank Dr; receivables and advance Cr)
// and the rebate's journal. The same idempotency key and payment returns
// the first receipt; the key with another payment is refused.
func (s *Service) CollectPayment(ctx context.Context, tenant, actor string, p PaymentInput) (Receipt, error) {
	today := s.today()
	if p.Mode == Online {
		return Receipt{}, invalid("mode", "online payments are receipted when the gateway captures them, not at the counter")
	}
	if err := p.validate(today); err != nil {
		return Receipt{}, err
	}
	hash := p.requestHash()
	var id int64
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		id, err = s.collectTx(ctx, tx, tenant, actor, p, hash, today)
		return err
	})
	if db.UniqueViolation(err) == receiptKeyConstraint {
		// A concurrent request with the key committed first: answer as a replay.
		err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			var err error
			id, err = replayed(ctx, dbq.New(tx), tenant, p.IdempotencyKey, hash)
			return err
		})
	}
	if err != nil {
		return Receipt{}, err
	}
	return s.Get(ctx, tenant, id)
}

// replayed returns the receipt an earlier request with key made, 0 when
// none did, or a ConflictError when it carried another payment.
func replayed(ctx context.Context, q *dbq.Queries, tenant, key string, hash []byte) (int64, error) {
	r, err := q.ReceiptByKey(ctx, dbq.ReceiptByKeyParams{TenantID: tenant, IdempotencyKey: key})
	if replay, err := ledger.Replayed(err, r.RequestHash, hash, key); err != nil || !replay {
		return 0, err
	}
	return r.ID, nil
}

func (s *Service) collectTx(ctx context.Context, tx pgx.Tx, tenant, actor string, p PaymentInput, hash []byte, today time.Time) (int64, error) {
	q := dbq.New(tx)
	keys := make([]billing.ConsumerKey, len(p.Items))
	for i, it := range p.Items {
		keys[i] = billing.ConsumerKey{Service: it.Service, ConsumerCode: it.ConsumerCode}
	}
	// Locks first, then the key: a request racing one with the same key
	// waits for it here and then finds its receipt.
	advances, err := s.billing.LockConsumers(ctx, tx, tenant, keys)
	if err != nil {
		return 0, err
	}
	if id, err := replayed(ctx, q, tenant, p.IdempotencyKey, hash); id != 0 || err != nil {
		return id, err
	}
	settings, err := readSettings(ctx, q, tenant)
	if err != nil {
		return 0, err
	}
	bank := p.BankAccount
	if bank == "" {
		bank = DefaultBank
	}
	debit := p.Mode.debitAccount(bank)
	var (
		credits, rebates []ledger.Line
		collections      = make([]billing.Collection, len(p.Items))
		moves            []billing.AdvanceMove
	)
	for i, it := range p.Items {
		st := settings.of(it.Service)
		c, err := s.billing.Collect(ctx, tx, tenant, billing.Payment{Service: it.Service, ConsumerCode: it.ConsumerCode,
			Amount: it.Amount, PaidOn: today, Field: fmt.Sprintf("items[%d].amount", i)},
			// Money already captured online is never refused: short, it is part
			// payment; over, it is advance.
			billing.CollectionRules{PartialAllowed: st.PartialAllowed || p.Mode == Online,
				AdvanceAllowed: st.AdvanceAllowed || p.Mode == Online}, actor)
		if err != nil {
			return 0, err
		}
		collections[i] = c
		credits = append(credits, c.Credits...)
		rebates = append(rebates, c.RebateLines...)
		if c.Advance.IsPositive() {
			adv := advances[keys[i]]
			at := c.Home
			at.AccountCode = st.AdvanceAccount
			if adv.Balance.IsPositive() { // an advance stays where it is held
				at = ledger.Line{AccountCode: adv.Account, FundCode: adv.FundCode, FunctionCode: adv.FunctionCode,
					FieldCode: adv.Ward, Party: it.ConsumerCode}
			}
			line := at
			line.Credit = c.Advance
			credits = append(credits, line)
			moves = append(moves, billing.AdvanceMove{Service: it.Service, ConsumerCode: it.ConsumerCode, Amount: c.Advance,
				Reason: billing.AdvanceReceived, Account: at.AccountCode, FundCode: at.FundCode, FunctionCode: at.FunctionCode,
				Ward: at.FieldCode})
		}
	}
	fund, err := oneFund(credits)
	if err != nil {
		return 0, err
	}
	series := p.Series
	if series == "" {
		series = settings.of(p.Items[0].Service).Series
	}
	fy := ledger.FiscalYearOf(today)
	serial, err := q.ReceiptSeriesNext(ctx, dbq.ReceiptSeriesNextParams{TenantID: tenant, Series: series, FiscalYear: int32(fy)})
	if err != nil {
		return 0, fmt.Errorf("take a receipt number: %w", err)
	}
	number := fmt.Sprintf("%s/%s/%06d", series, ledger.FiscalYearLabel(fy), serial)

	rv := ledger.Voucher{Type: ledger.Receipt, Date: today, IdempotencyKey: "receipt:" + p.IdempotencyKey, SourceRef: number,
		Narration: narration(number, p, collections),
		Lines:     append([]ledger.Line{{AccountCode: debit, FundCode: fund, FunctionCode: CashFunction, Debit: p.Amount}}, credits...)}
	vouchers := []ledger.Voucher{rv}
	if len(rebates) > 0 {
		vouchers = append(vouchers, ledger.Voucher{Type: ledger.Journal, Date: today, IdempotencyKey: "receipt-rebate:" + p.IdempotencyKey,
			SourceRef: number, Narration: "Early-payment rebate earned by receipt " + number, Lines: rebates})
	}
	posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, vouchers)
	if err != nil {
		return 0, err
	}
	arg := dbq.ReceiptInsertParams{TenantID: tenant, Series: series, FiscalYear: int32(fy), Serial: serial, Number: number,
		ReceiptDate: today, Mode: string(p.Mode), Amount: p.Amount, FundCode: fund, DebitAccount: debit,
		PayerName: p.PayerName, InstrumentNo: p.Instrument.Number, BankName: p.Instrument.Bank, Branch: p.Instrument.Branch,
		VoucherID: posted[0].ID, IdempotencyKey: p.IdempotencyKey, RequestHash: hash, CollectedBy: actor}
	if !p.Instrument.Date.IsZero() {
		d := p.Instrument.Date
		arg.InstrumentDate = &d
	}
	if len(posted) > 1 {
		arg.RebateVoucherID = pgtype.Int8{Int64: posted[1].ID, Valid: true}
	}
	if p.Mode.instrument() {
		arg.ChequeStatus = pgtype.Text{String: InHand, Valid: true}
	}
	id, err := q.ReceiptInsert(ctx, arg)
	if err != nil {
		return 0, fmt.Errorf("record receipt: %w", err)
	}
	if err := insertParts(ctx, q, tenant, id, collections); err != nil {
		return 0, err
	}
	for _, m := range moves {
		m.ReceiptID, m.VoucherID = id, posted[0].ID
		if err := s.billing.MoveAdvance(ctx, tx, tenant, m); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// oneFund is the fund of a receipt's credits: a receipt collects for one
// fund, whose cash book it enters.
func oneFund(credits []ledger.Line) (string, error) {
	var funds []string
	for _, l := range credits {
		if !slices.Contains(funds, l.FundCode) {
			funds = append(funds, l.FundCode)
		}
	}
	switch len(funds) {
	case 0:
		return "", invalid("items", "the payment settles nothing")
	case 1:
		return funds[0], nil
	}
	return "", invalid("items", "the payment is for heads of funds %s: a receipt collects for one fund; take one receipt per fund",
		strings.Join(funds, ", "))
}

func narration(number string, p PaymentInput, cs []billing.Collection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Receipt %s, %s", number, p.Mode)
	if p.Instrument.Number != "" {
		fmt.Fprintf(&b, " %s", p.Instrument.Number)
	}
	if p.PayerName != "" {
		fmt.Fprintf(&b, ", from %s", p.PayerName)
	}
	for i, c := range cs {
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		fmt.Fprintf(&b, "%s%s %s %s", sep, c.Service, c.ConsumerCode, c.Amount.StringFixed(2))
	}
	return b.String()
}

// insertParts records what each consumer's payment did.
func insertParts(ctx context.Context, q *dbq.Queries, tenant string, id int64, cs []billing.Collection) error {
	items := dbq.ReceiptItemInsertManyParams{TenantID: tenant, ReceiptID: id}
	allocs := dbq.ReceiptAllocationInsertManyParams{TenantID: tenant, ReceiptID: id}
	for i, c := range cs {
		items.ItemNos = append(items.ItemNos, int16(i+1))
		items.Services = append(items.Services, c.Service)
		items.ConsumerCodes = append(items.ConsumerCodes, c.ConsumerCode)
		items.Amounts = append(items.Amounts, c.Amount)
		items.Rebates = append(items.Rebates, c.Rebate)
		items.Advances = append(items.Advances, c.Advance)
		for _, a := range c.Allocations {
			allocs.DemandIds = append(allocs.DemandIds, a.DemandID)
			allocs.LineNos = append(allocs.LineNos, int16(a.LineNo))
			allocs.Kinds = append(allocs.Kinds, string(a.Kind))
			allocs.Amounts = append(allocs.Amounts, a.Amount)
		}
	}
	if err := q.ReceiptItemInsertMany(ctx, items); err != nil {
		return fmt.Errorf("record receipt items: %w", err)
	}
	if len(allocs.DemandIds) == 0 {
		return nil
	}
	if err := q.ReceiptAllocationInsertMany(ctx, allocs); err != nil {
		return fmt.Errorf("record receipt allocations: %w", err)
	}
	return nil
}
