package payments

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// maxItems bounds the consumers one checkout pays for.
const maxItems = 50

// keyConstraint is the unique key that lets a request open one transaction.
const keyConstraint = "gateway_transactions_key_unique"

// Actor is who receipts what the gateway captured.
const Actor = "gateway:razorpay"

var servicePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Service runs online payments.
type Service struct {
	pool     *pgxpool.Pool
	ledger   *ledger.Ledger
	billing  *billing.Service
	receipts *receipts.Service
	accounts map[string]Account
	gateways map[string]gateway.Gateway
	audit    auth.Recorder
	jobs     jobs.Inserter
	now      func() time.Time
	log      *slog.Logger
}

// NewService returns the service over the tenants' configured accounts.
func NewService(pool *pgxpool.Pool, led *ledger.Ledger, bill *billing.Service, rs *receipts.Service, cfg Config) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	s := &Service{pool: pool, ledger: led, billing: bill, receipts: rs, accounts: cfg.Accounts, gateways: map[string]gateway.Gateway{},
		audit: cfg.Audit, now: cfg.Now, log: cfg.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for tenant, a := range cfg.Accounts {
		g, err := a.gateway(hc)
		if err != nil {
			return nil, fmt.Errorf("payments: tenant %s: %w", tenant, err)
		}
		s.gateways[tenant] = g
	}
	return s, nil
}

// UseJobs lets the service enqueue its poller; without it nothing is polled
// (tests call Poll themselves).
func (s *Service) UseJobs(c jobs.Inserter) { s.jobs = c }

func (s *Service) gateway(tenant string) (gateway.Gateway, Account, error) {
	g, ok := s.gateways[tenant]
	if !ok {
		return nil, Account{}, ErrNoAccount
	}
	return g, s.accounts[tenant], nil
}

func (in *OrderInput) validate() (decimal.Decimal, error) {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if in.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if len(in.Items) == 0 || len(in.Items) > maxItems {
		bad("items", "a checkout pays for 1 to %d consumers", maxItems)
	}
	total := decimal.Zero
	seen := map[[2]string]int{}
	for i, it := range in.Items {
		f := fmt.Sprintf("items[%d]", i)
		if !servicePattern.MatchString(it.Service) {
			bad(f+".service", "must be lower case letters, digits and _, e.g. property_tax")
		}
		if strings.TrimSpace(it.ConsumerCode) == "" {
			bad(f+".consumer_code", "is required")
		}
		switch {
		case !it.Amount.IsPositive():
			bad(f+".amount", "must be more than zero")
		case !it.Amount.Equal(it.Amount.Round(2)):
			bad(f+".amount", "must have at most 2 decimals")
		}
		k := [2]string{it.Service, it.ConsumerCode}
		if j, dup := seen[k]; dup {
			bad(f, "repeats the consumer of items[%d]", j)
		}
		seen[k] = i
		total = total.Add(it.Amount)
	}
	if total.GreaterThanOrEqual(decimal.New(1, 9)) { // ₹10 crore: beyond any gateway's limit
		bad("items", "the total must be less than 10,00,00,000")
	}
	if len(vs) > 0 {
		return decimal.Zero, &ledger.ValidationError{Violations: vs}
	}
	return total, nil
}

func (in *OrderInput) hash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%q", in.PayerName)
	for _, it := range in.Items {
		fmt.Fprintf(h, "|%s|%q|%s", it.Service, it.ConsumerCode, it.Amount.StringFixed(2))
	}
	return h.Sum(nil)
}

// newReference makes our reference for an order: MUN and 16 random
// characters (the order's receipt; Razorpay takes up to 40).
func newReference() string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return "MUN" + string(b)
}

// CreatePaymentOrder opens a checkout of consumers' dues: it records a
// gateway transaction (CREATED) with its items and enqueues its poller in
// one transaction, then opens the gateway order (amount in paise, our
// reference as its receipt) and returns what the checkout needs. The same
// key and request returns the same transaction (opening its order if an
// earlier attempt could not); the key with another request is refused.
func (s *Service) CreatePaymentOrder(ctx context.Context, tenant, actor string, in OrderInput) (Transaction, error) {
	gw, _, err := s.gateway(tenant)
	if err != nil {
		return Transaction{}, err
	}
	total, err := in.validate()
	if err != nil {
		return Transaction{}, err
	}
	hash := in.hash()
	var t dbq.GatewayTransaction
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		prev, err := q.GatewayTxnByKey(ctx, dbq.GatewayTxnByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			t = prev
			return err
		}
		first := s.now().Add(backoff(0))
		t, err = q.GatewayTxnInsert(ctx, dbq.GatewayTxnInsertParams{TenantID: tenant, Reference: newReference(), Amount: total,
			PayerName: in.PayerName, IdempotencyKey: in.IdempotencyKey, RequestHash: hash, CreatedBy: actor, NextPollAt: &first})
		if err != nil {
			return fmt.Errorf("record gateway transaction: %w", err)
		}
		items := dbq.GatewayTxnItemInsertManyParams{TenantID: tenant, TransactionID: t.ID}
		for i, it := range in.Items {
			items.ItemNos = append(items.ItemNos, int16(i+1))
			items.Services = append(items.Services, it.Service)
			items.ConsumerCodes = append(items.ConsumerCodes, it.ConsumerCode)
			items.Amounts = append(items.Amounts, it.Amount)
		}
		if err := q.GatewayTxnItemInsertMany(ctx, items); err != nil {
			return fmt.Errorf("record gateway transaction items: %w", err)
		}
		return s.enqueuePoll(ctx, tx, tenant, t.ID, backoff(0))
	})
	if db.UniqueViolation(err) == keyConstraint {
		return Transaction{}, &ledger.ConflictError{Field: "idempotency_key", Key: in.IdempotencyKey}
	}
	if err != nil {
		return Transaction{}, err
	}
	if !t.OrderID.Valid {
		o, err := gw.CreateOrder(ctx, gateway.OrderRequest{Amount: paise(t.Amount), Receipt: t.Reference,
			Notes: map[string]string{"tenant": tenant, "reference": t.Reference}})
		if err != nil {
			// The transaction stays CREATED without an order; the same
			// request again opens one. An order opened by a call whose reply
			// was lost is never shown to anyone, so never paid.
			return Transaction{}, err
		}
		if o.Amount != paise(t.Amount) || o.Receipt != t.Reference {
			return Transaction{}, fmt.Errorf("gateway order %s is for %d paise, %q; asked %d, %q", o.ID, o.Amount, o.Receipt, paise(t.Amount), t.Reference)
		}
		err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			return dbq.New(tx).GatewayTxnSetOrder(ctx, dbq.GatewayTxnSetOrderParams{TenantID: tenant, ID: t.ID,
				OrderID: pgtype.Text{String: o.ID, Valid: true}})
		})
		if err != nil {
			return Transaction{}, fmt.Errorf("record gateway order: %w", err)
		}
	}
	return s.Get(ctx, tenant, t.ID)
}

// Get returns a transaction with its items, payments and (while it can be
// paid) its checkout.
func (s *Service) Get(ctx context.Context, tenant string, id int64) (Transaction, error) {
	var out []Transaction
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		r, err := dbq.New(tx).GatewayTxnGet(ctx, dbq.GatewayTxnGetParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("payment transaction %d: %w", id, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		out, err = s.complete(ctx, dbq.New(tx), tenant, []dbq.GatewayTransaction{r})
		return err
	})
	if err != nil {
		return Transaction{}, err
	}
	return out[0], nil
}

// ListFilter narrows ListTransactions.
type ListFilter struct {
	Status   Status // empty: all
	BeforeID int64  // page after this id (newest first)
	PageSize int    // default 50, at most 500
}

// List returns a page of transactions, newest first.
func (s *Service) List(ctx context.Context, tenant string, f ListFilter) ([]Transaction, error) {
	var out []Transaction
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.GatewayTxnList(ctx, dbq.GatewayTxnListParams{TenantID: tenant, Status: string(f.Status),
			BeforeID: f.BeforeID, PageSize: int32(min(cmp.Or(f.PageSize, 50), 500))})
		if err != nil {
			return err
		}
		out, err = s.complete(ctx, q, tenant, rows)
		return err
	})
	return out, err
}

// complete reads the transactions' items and payments.
func (s *Service) complete(ctx context.Context, q *dbq.Queries, tenant string, rows []dbq.GatewayTransaction) ([]Transaction, error) {
	ids := make([]int64, len(rows))
	at := map[int64]int{}
	out := make([]Transaction, len(rows))
	for i, r := range rows {
		ids[i], at[r.ID], out[i] = r.ID, i, transactionOf(r)
	}
	items, err := q.GatewayTxnItems(ctx, dbq.GatewayTxnItemsParams{TenantID: tenant, TransactionIds: ids})
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		t := &out[at[it.TransactionID]]
		t.Items = append(t.Items, Item{Service: it.Service, ConsumerCode: it.ConsumerCode, Amount: it.Amount})
	}
	pays, err := q.GatewayPaymentsOf(ctx, dbq.GatewayPaymentsOfParams{TenantID: tenant, TransactionIds: ids})
	if err != nil {
		return nil, err
	}
	for _, p := range pays {
		t := &out[at[p.TransactionID]]
		t.Payments = append(t.Payments, paymentOf(p))
	}
	if a, ok := s.accounts[tenant]; ok {
		for i := range out {
			t := &out[i]
			if t.OrderID != "" && (t.Status == Created || t.Status == Pending || t.Status == Failed) {
				t.Checkout = &Checkout{KeyID: a.KeyID, OrderID: t.OrderID, Amount: paise(t.Amount), Currency: "INR",
					URL: a.checkoutURL() + "?order_id=" + t.OrderID}
			}
		}
	}
	return out, nil
}
