package receipts

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receiptdoc"
)

// The accounts the cash side of a receipt posts to (NMAM detailed heads).
const (
	// CashOnHand takes cash at the counter until it is remitted.
	CashOnHand = "4501001"
	// ChequesInHand takes cheques and demand drafts until deposited.
	ChequesInHand = "4501051"
	// CashInTransit takes card (POS) payments: the acquirer settles them
	// into the bank a day or two later, net of its charges, as a payment
	// gateway does; settlement moves them to the bank.
	CashInTransit = "4501002"
	// DefaultBank is the bank a NEFT/RTGS transfer, a cheque deposit or a
	// cash remittance goes to unless the request names another: the money
	// of a NEFT/RTGS transfer is in the ULB's account when the cashier
	// receipts it (its UTR checked), so it is debited to the bank at once.
	DefaultBank = "4502101"
	// CashFunction is the function the cash and bank side posts under:
	// finance and accounts, which keeps the cash book.
	CashFunction = "0200"
)

// Config configures a Service. The zero value of each field has a default.
type Config struct {
	// Logger receives what handlers cannot tell clients. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock: receipts are dated by it (the ULB's calendar day).
	// Default: time.Now.
	Now func() time.Time
	// SigningKey signs the verification URL printed on every receipt
	// (receiptdoc.MinKeyLen bytes or more of secret random data). Without
	// it receipts are still taken, but not printed or verified.
	SigningKey []byte
	// VerifyURL is the public verification page a receipt's QR code opens.
	// Default: http://localhost:8080/verify/receipt.
	VerifyURL string
}

// validate checks the configuration at start-up.
func (c Config) validate() error {
	if len(c.SigningKey) > 0 && len(c.SigningKey) < receiptdoc.MinKeyLen {
		return fmt.Errorf("receipts: signing key is %d bytes, need at least %d", len(c.SigningKey), receiptdoc.MinKeyLen)
	}
	return nil
}

// Service takes payments and keeps their receipts, for every tenant.
type Service struct {
	pool    *pgxpool.Pool
	ledger  *ledger.Ledger
	billing *billing.Service
	log     *slog.Logger
	now     func() time.Time
	// signer signs and checks receipts' verification URLs; nil without a key.
	signer    *receiptdoc.Signer
	verifyURL string
}

// NewService returns a Service that settles dues through bill and posts
// through led.
func NewService(pool *pgxpool.Pool, led *ledger.Ledger, bill *billing.Service, cfg Config) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Service{pool: pool, ledger: led, billing: bill, log: cmp.Or(cfg.Logger, slog.Default()), now: now,
		verifyURL: cmp.Or(cfg.VerifyURL, "http://localhost:8080/verify/receipt")}
	if len(cfg.SigningKey) > 0 {
		var err error
		if s.signer, err = receiptdoc.NewSigner(cfg.SigningKey); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// today is the ULB's calendar day, as an accounting date.
func (s *Service) today() time.Time { return ledger.DayOf(s.now()) }

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

// Settings are a service's terms of collection.
type Settings struct {
	Service        string
	PartialAllowed bool
	AdvanceAllowed bool
	// AdvanceAccount holds what is paid beyond the dues.
	AdvanceAccount string
	// Series is the receipt book the service's payments are numbered in.
	Series string
	// DishonourCharge, when positive, is raised as a demand under
	// DishonourHead (a head of the service) on a dishonoured cheque.
	DishonourCharge decimal.Decimal
	DishonourHead   string
}

// defaultSettings are a service's terms until an administrator saves its
// own: part payment and advance allowed, except that a trade licence is
// issued on its full fee; the advance held on the service's NMAM advance
// head (3504105 and 3504109 are Munim's additions under 35041).
func defaultSettings(service string) Settings {
	s := Settings{Service: service, PartialAllowed: true, AdvanceAllowed: true, AdvanceAccount: "3504109", Series: "GEN"}
	switch service {
	case billing.PropertyTax:
		s.AdvanceAccount, s.Series = "3504101", "PT"
	case billing.TradeLicence:
		s.AdvanceAccount, s.Series, s.PartialAllowed = "3504103", "TL", false
	case billing.Water:
		s.AdvanceAccount, s.Series = "3504105", "WS"
	}
	return s
}

// SaveSettings stores a service's terms of collection, checking that the
// advance account is a postable liability head and the dishonour head one
// of the service's heads.
func (s *Service) SaveSettings(ctx context.Context, tenant string, in Settings, actor string) (Settings, error) {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: "settings." + field, Rule: fmt.Sprintf(format, args...)})
	}
	if !servicePattern.MatchString(in.Service) {
		bad("service", "must be lower case letters, digits and _, e.g. property_tax")
	}
	if !seriesPattern.MatchString(in.Series) {
		bad("series", "must be 1 to 10 upper case letters and digits, starting with a letter, e.g. PT")
	}
	if in.DishonourCharge.IsNegative() || !in.DishonourCharge.Equal(in.DishonourCharge.Round(2)) {
		bad("dishonour_charge", "must be zero or a positive amount with at most 2 decimals")
	}
	heads, err := s.billing.TaxHeads(ctx, tenant, in.Service)
	if err != nil {
		return Settings{}, err
	}
	if in.DishonourCharge.IsPositive() {
		found := false
		for _, h := range heads {
			found = found || (h.Code == in.DishonourHead && (h.Category == billing.Fee || h.Category == billing.Penalty))
		}
		if !found {
			bad("dishonour_head", "%q is not a fee or penalty head of service %q", in.DishonourHead, in.Service)
		}
	}
	accounts, _, err := s.ledger.Accounts(ctx, tenant, ledger.AccountFilter{PostableOnly: true, PageSize: 2000})
	if err != nil {
		return Settings{}, err
	}
	kind := ""
	for _, a := range accounts {
		if a.Code == in.AdvanceAccount {
			kind = a.Kind
		}
	}
	if kind != "L" {
		bad("advance_account", "%q is not a postable liability head (advances are held under 35041)", in.AdvanceAccount)
	}
	if len(vs) > 0 {
		return Settings{}, &ledger.ValidationError{Violations: vs}
	}
	var row dbq.CollectionSetting
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		row, err = dbq.New(tx).CollectionSettingsUpsert(ctx, dbq.CollectionSettingsUpsertParams{TenantID: tenant,
			Service: in.Service, PartialAllowed: in.PartialAllowed, AdvanceAllowed: in.AdvanceAllowed,
			AdvanceAccount: in.AdvanceAccount, Series: in.Series, DishonourCharge: in.DishonourCharge,
			DishonourHead: in.DishonourHead, UpdatedBy: actor})
		return err
	})
	if err != nil {
		return Settings{}, fmt.Errorf("save collection settings: %w", err)
	}
	return settingsOf(row), nil
}

func settingsOf(r dbq.CollectionSetting) Settings {
	return Settings{Service: r.Service, PartialAllowed: r.PartialAllowed, AdvanceAllowed: r.AdvanceAllowed,
		AdvanceAccount: r.AdvanceAccount, Series: r.Series, DishonourCharge: r.DishonourCharge, DishonourHead: r.DishonourHead}
}

// settingsIn reads every service's settings (a handful of rows), defaults
// filled in for services with none.
type settingsIn map[string]Settings

func readSettings(ctx context.Context, q *dbq.Queries, tenant string) (settingsIn, error) {
	rows, err := q.CollectionSettingsList(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("read collection settings: %w", err)
	}
	out := settingsIn{}
	for _, r := range rows {
		out[r.Service] = settingsOf(r)
	}
	return out, nil
}

func (si settingsIn) of(service string) Settings {
	if st, ok := si[service]; ok {
		return st
	}
	return defaultSettings(service)
}

// Settings returns a service's terms of collection (the defaults when none
// were saved).
func (s *Service) Settings(ctx context.Context, tenant, service string) (Settings, error) {
	var out Settings
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		si, err := readSettings(ctx, dbq.New(tx), tenant)
		out = si.of(service)
		return err
	})
	return out, err
}
