package opening

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The states that refuse an import or its decision (PreconditionError
// kinds).
var (
	// ErrAlreadyOpened: the tenant's books were opened by an approved import.
	ErrAlreadyOpened = errors.New("opening balances already posted")
	// ErrBooksRunning: the tenant has vouchers dated before the opening day.
	ErrBooksRunning = errors.New("books already hold earlier vouchers")
	// ErrDecided: the import was approved or rejected already.
	ErrDecided = errors.New("import already decided")
)

// The constraints that settle races the checks before them cannot: two
// imports under one key, two approvals of a tenant's imports.
const (
	keyConstraint    = "opening_imports_idempotency_key_unique"
	postedConstraint = "opening_imports_one_posted"
)

// Service imports, approves and rejects opening trial balances.
type Service struct {
	pool    *pgxpool.Pool
	ledger  *ledger.Ledger
	billing *billing.Service
}

// NewService returns a Service posting through l and raising the opening
// arrears through b.
func NewService(pool *pgxpool.Pool, l *ledger.Ledger, b *billing.Service) *Service {
	return &Service{pool: pool, ledger: l, billing: b}
}

// Import is an opening trial balance waiting for, or given, a decision.
type Import struct {
	ID             int64
	AsOf           time.Time
	Format         Format
	Status         string // pending, approved or rejected
	Rows           int
	TotalDebit     decimal.Decimal
	TotalCredit    decimal.Decimal
	ContentHash    []byte // SHA-256 of the file
	IdempotencyKey string
	ImportedBy     string
	DecidedBy      string
	Reason         string // why it was rejected
	VoucherID      int64  // the opening voucher, once approved
}

func importOf(r dbq.OpeningImport) Import {
	return Import{ID: r.ID, AsOf: r.AsOf, Format: Format(r.Format), Status: r.Status, Rows: int(r.RowCount),
		TotalDebit: r.TotalDebit, TotalCredit: r.TotalCredit, ContentHash: r.ContentHash, IdempotencyKey: r.IdempotencyKey,
		ImportedBy: r.ImportedBy, DecidedBy: r.DecidedBy.String, Reason: r.Reason, VoucherID: r.VoucherID.Int64}
}

// Request is an opening trial balance to import.
type Request struct {
	AsOf           time.Time // the first day of the books on Munim: 1 April of an opened fiscal year
	Format         Format    // CSV or XLSX; empty: told by the content
	Content        []byte
	IdempotencyKey string
}

// hash fingerprints the request for its idempotency key.
func (r Request) hash(format Format, content []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|", r.AsOf.Format(time.DateOnly), format)
	h.Write(content)
	return h.Sum(nil)
}

// ImportBalances checks an opening trial balance and keeps it pending for
// another person to approve. Every problem of the file is reported at once
// (ValidationError, each naming rows[n].column); nothing is written unless
// the whole file is good. The same key with the same request returns the
// import first made (whatever has become of it since); the same key with
// another request is a ConflictError.
func (s *Service) ImportBalances(ctx context.Context, tenant, actor string, req Request) (Import, error) {
	var vs []ledger.FieldViolation
	if req.IdempotencyKey == "" {
		vs = append(vs, ledger.FieldViolation{Field: "idempotency_key", Rule: "is required"})
	}
	if req.AsOf.IsZero() {
		vs = append(vs, ledger.FieldViolation{Field: "as_of", Rule: "is required"})
	} else if req.AsOf.Month() != time.April || req.AsOf.Day() != 1 {
		vs = append(vs, ledger.FieldViolation{Field: "as_of", Rule: fmt.Sprintf(
			"%s is not the first day of a fiscal year: the books open on Munim on 1 April", req.AsOf.Format(time.DateOnly))})
	}
	if len(req.Content) == 0 {
		vs = append(vs, ledger.FieldViolation{Field: "content", Rule: "is required"})
	}
	switch req.Format {
	case "", CSV, XLSX:
	default:
		vs = append(vs, ledger.FieldViolation{Field: "format", Rule: "must be csv or xlsx"})
	}
	if len(vs) > 0 {
		return Import{}, &ledger.ValidationError{Violations: vs}
	}
	format := cmp.Or(req.Format, detect(req.Content))
	hash := req.hash(format, req.Content)

	if imp, replay, err := s.replayed(ctx, tenant, req.IdempotencyKey, hash); err != nil || replay {
		return imp, err
	}
	rows, err := readTable(format, req.Content)
	if err != nil {
		return Import{}, err
	}
	m, err := s.masters(ctx, tenant, rows)
	if err != nil {
		return Import{}, err
	}
	lines, total, err := check(rows, m)
	if err != nil {
		return Import{}, err
	}
	var out dbq.OpeningImport
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		prev, err := q.OpeningImportByKey(ctx, dbq.OpeningImportByKeyParams{TenantID: tenant, IdempotencyKey: req.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, req.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		if err := booksOpenable(ctx, q, tenant, req.AsOf); err != nil {
			return err
		}
		sum := sha256.Sum256(req.Content)
		out, err = q.OpeningImportInsert(ctx, dbq.OpeningImportInsertParams{TenantID: tenant, AsOf: req.AsOf, Format: string(format),
			ContentHash: sum[:], IdempotencyKey: req.IdempotencyKey, RequestHash: hash, RowCount: int32(len(lines)),
			TotalDebit: total, TotalCredit: total, ImportedBy: actor})
		if err != nil {
			return fmt.Errorf("record opening import: %w", err)
		}
		arg := dbq.OpeningImportLineInsertManyParams{TenantID: tenant, ImportID: out.ID}
		for _, l := range lines {
			arg.RowNos = append(arg.RowNos, int32(l.rowNo))
			arg.AccountCodes = append(arg.AccountCodes, l.account)
			arg.FundCodes = append(arg.FundCodes, l.fund)
			arg.FunctionCodes = append(arg.FunctionCodes, l.function)
			arg.Parties = append(arg.Parties, l.party)
			arg.Services = append(arg.Services, l.service)
			arg.HeadCodes = append(arg.HeadCodes, l.head)
			arg.Wards = append(arg.Wards, l.ward)
			arg.Debits = append(arg.Debits, l.debit)
			arg.Credits = append(arg.Credits, l.credit)
		}
		if err := q.OpeningImportLineInsertMany(ctx, arg); err != nil {
			return fmt.Errorf("record opening rows: %w", err)
		}
		return nil
	})
	if db.UniqueViolation(err) == keyConstraint {
		// A concurrent request under the key got in first: answer as its
		// replay, or its conflict.
		imp, _, err := s.replayed(ctx, tenant, req.IdempotencyKey, hash)
		return imp, err
	}
	if err != nil {
		return Import{}, err
	}
	return importOf(out), nil
}

// replayed looks the key up: the import it made (true) when the request is
// the same, a ConflictError when it is not, false when the key is new.
func (s *Service) replayed(ctx context.Context, tenant, key string, hash []byte) (Import, bool, error) {
	var prev dbq.OpeningImport
	var replay bool
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		prev, err = dbq.New(tx).OpeningImportByKey(ctx, dbq.OpeningImportByKeyParams{TenantID: tenant, IdempotencyKey: key})
		replay, err = ledger.Replayed(err, prev.RequestHash, hash, key)
		return err
	})
	if err != nil || !replay {
		return Import{}, false, err
	}
	return importOf(prev), true, nil
}

// booksOpenable refuses an opening day for books already opened by an
// approved import, or already holding a voucher dated before it, or whose
// fiscal year is not opened.
func booksOpenable(ctx context.Context, q *dbq.Queries, tenant string, asOf time.Time) error {
	posted, err := q.OpeningImportPosted(ctx, tenant)
	switch {
	case err == nil:
		return &ledger.PreconditionError{Field: "tenant_id", Kind: ErrAlreadyOpened, Reason: fmt.Sprintf(
			"the opening balances of %s were posted as at %s by import %d (voucher %d): books open once",
			tenant, posted.AsOf.Format(time.DateOnly), posted.ID, posted.VoucherID.Int64)}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("look up posted opening import: %w", err)
	}
	v, err := q.OpeningFirstVoucherBefore(ctx, dbq.OpeningFirstVoucherBeforeParams{TenantID: tenant, AsOf: asOf})
	switch {
	case err == nil:
		return &ledger.PreconditionError{Field: "as_of", Kind: ErrBooksRunning, Reason: fmt.Sprintf(
			"the books already hold voucher %s dated %s, before %s: opening balances open books, they cannot follow earlier entries",
			v.Number, v.VoucherDate.Format(time.DateOnly), asOf.Format(time.DateOnly))}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("look up earlier vouchers: %w", err)
	}
	if _, err := q.PeriodContaining(ctx, dbq.PeriodContainingParams{TenantID: tenant, OnDate: asOf}); errors.Is(err, pgx.ErrNoRows) {
		return &ledger.PreconditionError{Field: "as_of", Kind: ledger.ErrYearNotOpen, Reason: fmt.Sprintf(
			"fiscal year %s is not opened", ledger.FiscalYearLabel(ledger.FiscalYearOf(asOf)))}
	} else if err != nil {
		return fmt.Errorf("look up the opening period: %w", err)
	}
	return nil
}

// masters reads what the rows are checked against: the chart, funds,
// functions, tax heads, and the registers' entries the rows name as party.
func (s *Service) masters(ctx context.Context, tenant string, rows []row) (*masters, error) {
	m := &masters{kind: map[string]string{}, postable: map[string]bool{}, funds: map[string]bool{}, functions: map[string]bool{}}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		accounts, err := q.OpeningAccounts(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read the chart: %w", err)
		}
		for _, a := range accounts {
			m.kind[a.Code], m.postable[a.Code] = a.Kind, a.Postable
		}
		funds, err := q.FundList(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read funds: %w", err)
		}
		for _, f := range funds {
			m.funds[f.Code] = true
		}
		functions, err := q.FunctionList(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read functions: %w", err)
		}
		for _, f := range functions {
			m.functions[f.Code] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.kind) == 0 {
		return nil, &ledger.NotFoundError{What: fmt.Sprintf("tenant %q", tenant)}
	}
	if m.heads, err = s.billing.TaxHeads(ctx, tenant, ""); err != nil {
		return nil, err
	}
	var parties []string
	for _, r := range rows {
		if p := r.get("party"); p != "" {
			parties = append(parties, p)
		}
	}
	if m.consumers, err = s.billing.Consumers(ctx, tenant, parties); err != nil {
		return nil, err
	}
	return m, nil
}

// Get returns an import.
func (s *Service) Get(ctx context.Context, tenant string, id int64) (Import, error) {
	var out dbq.OpeningImport
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = dbq.New(tx).OpeningImportGet(ctx, dbq.OpeningImportGetParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return &ledger.NotFoundError{What: fmt.Sprintf("opening import %d", id)}
		}
		return err
	})
	return importOf(out), err
}

// Approve approves a pending import as checker, who must not be its
// importer. In one transaction it posts the opening voucher (a journal
// dated the import's as-of day, one line per row, receivable rows in their
// consumer's ward) and records each consumer's receivable rows as one
// arrear demand per service for the fiscal year before the opening day,
// whose accrual is that voucher; then marks the import approved.
func (s *Service) Approve(ctx context.Context, tenant, checker string, id int64) (Import, error) {
	var out dbq.OpeningImport
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		imp, err := decidable(ctx, q, tenant, checker, id, "approve")
		if err != nil {
			return err
		}
		if err := booksOpenable(ctx, q, tenant, imp.AsOf); err != nil {
			return err
		}
		rows, err := q.OpeningImportLinesOf(ctx, dbq.OpeningImportLinesOfParams{TenantID: tenant, ImportID: id})
		if err != nil {
			return fmt.Errorf("read opening rows: %w", err)
		}
		v := ledger.Voucher{Type: ledger.Journal, Date: imp.AsOf, IdempotencyKey: fmt.Sprintf("opening:%d", id),
			SourceRef: fmt.Sprintf("OPENING/%d", id),
			Narration: fmt.Sprintf("Opening balances as at %s (import %d, %d rows)", imp.AsOf.Format("02-01-2006"), id, len(rows))}
		for _, r := range rows {
			v.Lines = append(v.Lines, ledger.Line{AccountCode: r.AccountCode, FundCode: r.FundCode, FunctionCode: r.FunctionCode,
				FieldCode: r.Ward, Party: r.Party, Debit: r.Debit, Credit: r.Credit})
		}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, checker, []ledger.Voucher{v})
		if err != nil {
			return err
		}
		if _, err := s.billing.RaiseOpeningArrearsTx(ctx, tx, tenant, checker, posted[0], arrears(imp, rows)); err != nil {
			return err
		}
		if err := q.OpeningImportDecide(ctx, dbq.OpeningImportDecideParams{TenantID: tenant, ID: id, Status: "approved",
			DecidedBy: pgtype.Text{String: checker, Valid: true}, VoucherID: pgtype.Int8{Int64: posted[0].ID, Valid: true}}); err != nil {
			return fmt.Errorf("approve opening import: %w", err)
		}
		out, err = q.OpeningImportGet(ctx, dbq.OpeningImportGetParams{TenantID: tenant, ID: id})
		return err
	})
	if db.UniqueViolation(err) == postedConstraint {
		return Import{}, &ledger.PreconditionError{Field: "import_id", Kind: ErrAlreadyOpened,
			Reason: fmt.Sprintf("another opening import of %s was approved at the same time: books open once", tenant)}
	}
	if err != nil {
		return Import{}, err
	}
	return importOf(out), nil
}

// Reject rejects a pending import as checker, who must not be its
// importer, with a reason. A rejected import stays on record; its file may
// be corrected and imported again under a new key.
func (s *Service) Reject(ctx context.Context, tenant, checker string, id int64, reason string) (Import, error) {
	if reason == "" {
		return Import{}, invalid("reason", "is required")
	}
	var out dbq.OpeningImport
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if _, err := decidable(ctx, q, tenant, checker, id, "reject"); err != nil {
			return err
		}
		if err := q.OpeningImportDecide(ctx, dbq.OpeningImportDecideParams{TenantID: tenant, ID: id, Status: "rejected",
			DecidedBy: pgtype.Text{String: checker, Valid: true}, Reason: reason}); err != nil {
			return fmt.Errorf("reject opening import: %w", err)
		}
		var err error
		out, err = q.OpeningImportGet(ctx, dbq.OpeningImportGetParams{TenantID: tenant, ID: id})
		return err
	})
	if err != nil {
		return Import{}, err
	}
	return importOf(out), nil
}

// decidable locks a pending import that checker, not its importer, may
// decide, after taking the turn of the tenant's decisions.
func decidable(ctx context.Context, q *dbq.Queries, tenant, checker string, id int64, verb string) (dbq.OpeningImport, error) {
	if err := q.OpeningImportLock(ctx, tenant); err != nil {
		return dbq.OpeningImport{}, fmt.Errorf("lock opening decisions: %w", err)
	}
	imp, err := q.OpeningImportGetForUpdate(ctx, dbq.OpeningImportGetForUpdateParams{TenantID: tenant, ID: id})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return imp, &ledger.NotFoundError{What: fmt.Sprintf("opening import %d", id)}
	case err != nil:
		return imp, fmt.Errorf("lock opening import: %w", err)
	case imp.Status != "pending":
		return imp, &ledger.PreconditionError{Field: "import_id", Kind: ErrDecided,
			Reason: fmt.Sprintf("opening import %d is already %s", id, imp.Status)}
	case imp.ImportedBy == checker:
		return imp, &ledger.PreconditionError{Field: "import_id", Kind: ledger.ErrSelfApproval,
			Reason: fmt.Sprintf("%s imported opening import %d and may not %s it: another approver must", checker, id, verb)}
	}
	return imp, nil
}

// arrears groups an import's receivable rows into one arrear demand per
// consumer and service, in the order the file first names them: for the
// fiscal year before the opening day (it carries that year's arrears and
// any earlier ones), dated the opening day and due the day before it.
func arrears(imp dbq.OpeningImport, rows []dbq.OpeningImportLine) []billing.DemandInput {
	var out []billing.DemandInput
	at := map[[2]string]int{}
	eve := imp.AsOf.AddDate(0, 0, -1)
	for _, r := range rows {
		if r.Service == "" {
			continue
		}
		k := [2]string{r.Service, r.Party}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, billing.DemandInput{Service: r.Service, ConsumerCode: r.Party, Ward: r.Ward,
				PeriodFrom: imp.AsOf.AddDate(-1, 0, 0), PeriodTo: eve, Date: imp.AsOf, DueDate: eve,
				IdempotencyKey: fmt.Sprintf("opening:%d:%s:%s", imp.ID, r.Service, r.Party)})
		}
		out[i].Lines = append(out[i].Lines, billing.DemandLineInput{Head: r.HeadCode, Amount: r.Debit})
	}
	return out
}
