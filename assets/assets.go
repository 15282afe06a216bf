package assets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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

// The heads asset events post to besides the class's own (NMAM).
const (
	bankAccount           = "4502101" // sale proceeds received
	gainOnDisposalAccount = "1803000" // profit on disposal of fixed assets
	lossOnDisposalAccount = "2711000" // loss on disposal of assets
	generalReserveAccount = "3125000" // a disposed asset's revaluation reserve is released here
	municipalFundAccount  = "3101001" // the opening register's net block is brought in against the municipal fund
)

// ErrAssetState is the Kind of a PreconditionError for an operation the
// asset's status forbids (capitalising an asset in use, disposing of one in
// CWIP, changing the heads of a class in use).
var ErrAssetState = errors.New("asset not in a state that allows it")

// Asset is an entry of the register.
type Asset struct {
	ID              int64
	Code, Name      string
	ClassCode       string
	Location, Ward  string
	FunctionCode    string
	FundCode        string
	FundingSource   string // own, grant or loan
	Scheme          string // the grant scheme or loan, when not own funds
	AcquisitionMode string // construction, purchase, donation, transfer or opening
	AcquiredOn      time.Time
	PutToUseOn      *time.Time
	Quantity        string // quantity or dimensions, as recorded
	Status          string // opening, cwip, in_use or disposed
	Cost            decimal.Decimal
	Revaluation     decimal.Decimal
	ResidualValue   decimal.Decimal
	Accumulated     decimal.Decimal
	DepreciatedTo   *time.Time
	DisposedOn      *time.Time
	ImportID        int64 // the opening import that brought it, if any
}

// Gross is the asset's gross block: cost and revaluation.
func (a Asset) Gross() decimal.Decimal { return a.Cost.Add(a.Revaluation) }

// NetBlock is what the asset stands at in the books.
func (a Asset) NetBlock() decimal.Decimal { return a.Gross().Sub(a.Accumulated) }

func assetOf(r dbq.Asset) Asset {
	return Asset{ID: r.ID, Code: r.Code, Name: r.Name, ClassCode: r.ClassCode, Location: r.Location, Ward: r.Ward,
		FunctionCode: r.FunctionCode, FundCode: r.FundCode, FundingSource: r.FundingSource, Scheme: r.Scheme,
		AcquisitionMode: r.AcquisitionMode, AcquiredOn: r.AcquiredOn, PutToUseOn: r.PutToUseOn, Quantity: r.Quantity,
		Status: r.Status, Cost: r.Cost, Revaluation: r.Revaluation, ResidualValue: r.ResidualValue, Accumulated: r.Accumulated,
		DepreciatedTo: r.DepreciatedTo, DisposedOn: r.DisposedOn, ImportID: r.ImportID.Int64}
}

var assetCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$`)

// AssetInput is an asset to enter in the register.
type AssetInput struct {
	Code, Name      string
	ClassCode       string
	Location, Ward  string
	FunctionCode    string
	FundCode        string
	FundingSource   string
	Scheme          string
	AcquisitionMode string // construction (starts in CWIP) or purchase, donation, transfer (in use)
	AcquiredOn      time.Time
	// PutToUseOn is required for an asset that starts in use.
	PutToUseOn *time.Time
	Quantity   string
}

// AddAsset enters an asset with no cost yet: a work under construction
// starts in CWIP; a purchase, donation or transfer starts in use. Its cost
// comes from the vouchers that paid for it (CaptureCost), so the register
// and the ledger never differ.
func (s *Service) AddAsset(ctx context.Context, tenant, actor string, in AssetInput) (Asset, error) {
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: field, Rule: rule}) }
	if !assetCode.MatchString(in.Code) {
		bad("code", "must be letters, digits and / _ . - (at most 40)")
	}
	if strings.TrimSpace(in.Name) == "" {
		bad("name", "is required")
	}
	if in.FunctionCode == "" {
		bad("function_code", "is required")
	}
	if in.FundCode == "" {
		bad("fund_code", "is required")
	}
	switch in.FundingSource {
	case "own":
	case "grant", "loan":
		if strings.TrimSpace(in.Scheme) == "" {
			bad("scheme", "names the grant scheme or the loan")
		}
	default:
		bad("funding_source", "must be own, grant or loan")
	}
	status := "in_use"
	switch in.AcquisitionMode {
	case "construction":
		status = "cwip"
		if in.PutToUseOn != nil {
			bad("put_to_use_on", "a work under construction is put to use when capitalised")
		}
	case "purchase", "donation", "transfer":
		if in.PutToUseOn == nil {
			bad("put_to_use_on", "is required for an asset that starts in use")
		}
	default:
		bad("acquisition_mode", "must be construction, purchase, donation or transfer")
	}
	if in.AcquiredOn.IsZero() {
		bad("acquired_on", "is required")
	}
	if len(vs) > 0 {
		return Asset{}, &ledger.ValidationError{Violations: vs}
	}
	var id int64
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		id, err = dbq.New(tx).AssetInsert(ctx, dbq.AssetInsertParams{TenantID: tenant, Code: in.Code, Name: in.Name, ClassCode: in.ClassCode,
			Location: in.Location, Ward: in.Ward, FunctionCode: in.FunctionCode, FundCode: in.FundCode, FundingSource: in.FundingSource,
			Scheme: in.Scheme, AcquisitionMode: in.AcquisitionMode, AcquiredOn: in.AcquiredOn, PutToUseOn: in.PutToUseOn,
			Quantity: in.Quantity, Status: status, CreatedBy: actor})
		return assetInsertError(err, in.Code)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Asset(ctx, tenant, id)
}

func assetInsertError(err error, code string) error {
	switch {
	case err == nil:
		return nil
	case db.UniqueViolation(err) != "":
		return &ledger.ExistsError{What: fmt.Sprintf("asset %s", code)}
	case db.ForeignKeyViolation(err) != "":
		return invalid("asset", "asset %s: its class, function or fund is unknown", code)
	}
	return fmt.Errorf("insert asset: %w", err)
}

// lockAsset reads an asset and its class, holding the asset until the
// transaction ends.
func lockAsset(ctx context.Context, q *dbq.Queries, tenant string, id int64) (Asset, Class, error) {
	r, err := q.AssetGetForUpdate(ctx, dbq.AssetGetForUpdateParams{TenantID: tenant, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Asset{}, Class{}, &ledger.NotFoundError{What: fmt.Sprintf("asset %d", id)}
	}
	if err != nil {
		return Asset{}, Class{}, fmt.Errorf("lock asset: %w", err)
	}
	c, err := q.AssetClassGet(ctx, dbq.AssetClassGetParams{TenantID: tenant, Code: r.ClassCode})
	if err != nil {
		return Asset{}, Class{}, fmt.Errorf("read class: %w", err)
	}
	st, err := stateTerms(ctx, q, tenant)
	if err != nil {
		return Asset{}, Class{}, err
	}
	return assetOf(r), classOf(c, st), nil
}

func stateError(format string, args ...any) error {
	return &ledger.PreconditionError{Field: "asset_id", Kind: ErrAssetState, Reason: fmt.Sprintf(format, args...)}
}

func event(ctx context.Context, q *dbq.Queries, tenant string, assetID int64, kind string, date time.Time, amount decimal.Decimal, voucherID int64, detail, actor string) error {
	err := q.AssetEventInsert(ctx, dbq.AssetEventInsertParams{TenantID: tenant, AssetID: assetID, Kind: kind, EventDate: date, Amount: amount,
		VoucherID: pgtype.Int8{Int64: voucherID, Valid: voucherID != 0}, Detail: detail, Actor: actor})
	if err != nil {
		return fmt.Errorf("record %s: %w", kind, err)
	}
	return nil
}

// post posts one voucher in tx and returns its id, naming a ledger
// precondition (a closed period) by the request's fields.
func (s *Service) post(ctx context.Context, tx pgx.Tx, tenant, actor string, v ledger.Voucher) (int64, error) {
	posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
	if err != nil {
		var pe *ledger.PreconditionError
		if errors.As(err, &pe) {
			pe.Field = strings.Replace(pe.Field, "vouchers[0].", "", 1)
		}
		return 0, err
	}
	return posted[0].ID, nil
}

// residual is the class's residual value of a gross block.
func residual(c Class, gross decimal.Decimal) decimal.Decimal {
	return gross.Mul(c.ResidualPercent).Div(decimal.NewFromInt(100)).Round(2)
}

// CaptureCost adds to an asset the cost a posted voucher (a contractor's
// or supplier's bill) debited to it: the voucher's debit lines on the
// asset's fund and function and on its CWIP head (an asset in CWIP) or its
// gross-block head (an asset bought in use, before its first depreciation).
// lineNos, when given, picks the lines (a bill that builds two assets);
// otherwise every matching line is taken. A line builds one asset, once.
func (s *Service) CaptureCost(ctx context.Context, tenant, actor string, assetID, voucherID int64, lineNos []int) (Asset, error) {
	v, err := s.ledger.Voucher(ctx, tenant, voucherID)
	if err != nil {
		return Asset{}, err
	}
	if v.ReversedByID != 0 || v.ReversesID != 0 {
		return Asset{}, stateError("voucher %s is reversed or a reversal: it builds no asset", v.Number)
	}
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		a, c, err := lockAsset(ctx, q, tenant, assetID)
		if err != nil {
			return err
		}
		// A voucher already captured on this asset is reported as such,
		// whatever the asset's state since.
		captured, err := q.AssetCostEntriesOfVoucher(ctx, dbq.AssetCostEntriesOfVoucherParams{TenantID: tenant, VoucherID: voucherID})
		if err != nil {
			return fmt.Errorf("read captured lines: %w", err)
		}
		for _, e := range captured {
			if e.AssetID == a.ID {
				return &ledger.ExistsError{What: fmt.Sprintf("voucher %s on asset %s", v.Number, a.Code)}
			}
		}
		head := c.CWIPAccount
		switch {
		case a.Status == "in_use" && a.DepreciatedTo == nil:
			head = c.GrossBlockAccount
		case a.Status != "cwip":
			return stateError("asset %s is %s: cost is added in CWIP, or to an asset bought in use before it is depreciated", a.Code, a.Status)
		}
		arg := dbq.AssetCostEntryInsertManyParams{TenantID: tenant, VoucherID: voucherID, AssetID: a.ID, SourceRef: v.SourceRef}
		total := decimal.Zero
		for _, l := range v.Lines {
			picked := len(lineNos) == 0
			for _, n := range lineNos {
				picked = picked || n == l.LineNo
			}
			if !picked || !l.Debit.IsPositive() || l.AccountCode != head || l.FundCode != a.FundCode || l.FunctionCode != a.FunctionCode {
				continue
			}
			arg.LineNos = append(arg.LineNos, int16(l.LineNo))
			arg.Amounts = append(arg.Amounts, l.Debit)
			total = total.Add(l.Debit)
		}
		if total.IsZero() {
			return invalid("voucher_id", "voucher %s debits nothing to %s under fund %s and function %s", v.Number, head, a.FundCode, a.FunctionCode)
		}
		if err := q.AssetCostEntryInsertMany(ctx, arg); err != nil {
			if db.UniqueViolation(err) != "" {
				return &ledger.ExistsError{What: fmt.Sprintf("a line of voucher %s on an asset's cost", v.Number)}
			}
			return fmt.Errorf("record cost lines: %w", err)
		}
		if err := q.AssetAddCost(ctx, dbq.AssetAddCostParams{TenantID: tenant, ID: a.ID, Amount: total}); err != nil {
			return fmt.Errorf("add cost: %w", err)
		}
		return event(ctx, q, tenant, a.ID, "cost", v.Date, total, voucherID, v.SourceRef, actor)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Asset(ctx, tenant, assetID)
}

// Capitalise puts a work in CWIP to use on date: its cost moves from the
// CWIP head to the gross block (Dr gross block, Cr CWIP) and it is
// depreciated from that day; its residual value is fixed from its class.
func (s *Service) Capitalise(ctx context.Context, tenant, actor string, assetID int64, date time.Time) (Asset, error) {
	if date.IsZero() {
		return Asset{}, invalid("date", "is required")
	}
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		a, c, err := lockAsset(ctx, q, tenant, assetID)
		if err != nil {
			return err
		}
		switch {
		case a.Status != "cwip":
			return stateError("asset %s is %s: only a work in CWIP is capitalised", a.Code, a.Status)
		case !a.Cost.IsPositive():
			return stateError("asset %s has no cost in CWIP yet: capture its bills first", a.Code)
		case date.Before(a.AcquiredOn):
			return invalid("date", "must not precede the asset's start (%s)", a.AcquiredOn.Format(time.DateOnly))
		}
		vid, err := s.post(ctx, tx, tenant, actor, ledger.Voucher{Type: ledger.Journal, Date: date,
			IdempotencyKey: "asset:" + a.Code + ":capitalise", SourceRef: "ASSET/" + a.Code,
			Narration: fmt.Sprintf("Capitalisation of %s (%s), put to use %s", a.Code, a.Name, date.Format(time.DateOnly)),
			Lines: []ledger.Line{
				{AccountCode: c.GrossBlockAccount, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Debit: a.Cost},
				{AccountCode: c.CWIPAccount, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Credit: a.Cost},
			}})
		if err != nil {
			return err
		}
		if err := q.AssetCapitalise(ctx, dbq.AssetCapitaliseParams{TenantID: tenant, ID: a.ID, PutToUseOn: &date,
			ResidualValue: residual(c, a.Cost)}); err != nil {
			return fmt.Errorf("capitalise: %w", err)
		}
		return event(ctx, q, tenant, a.ID, "capitalised", date, a.Cost, vid, "", actor)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Asset(ctx, tenant, assetID)
}

// Revalue raises an asset in use by increase on date, to the class's
// revaluation reserve (Dr gross block, Cr revaluation reserve), once per
// date and reference (a retry changes nothing). Depreciation then runs on
// the revalued gross block. A downward revaluation is an impairment, not
// handled here.
func (s *Service) Revalue(ctx context.Context, tenant, actor string, assetID int64, date time.Time, increase decimal.Decimal, reference string) (Asset, error) {
	if !increase.IsPositive() || !increase.Equal(increase.Round(2)) {
		return Asset{}, invalid("increase", "must be a positive amount in paise")
	}
	if strings.TrimSpace(reference) == "" {
		return Asset{}, invalid("reference", "is required: the valuation report or resolution")
	}
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		a, c, err := lockAsset(ctx, q, tenant, assetID)
		if err != nil {
			return err
		}
		if a.Status != "in_use" {
			return stateError("asset %s is %s: only an asset in use is revalued", a.Code, a.Status)
		}
		vid, err := s.post(ctx, tx, tenant, actor, ledger.Voucher{Type: ledger.Journal, Date: date,
			IdempotencyKey: fmt.Sprintf("asset:%s:revalue:%s:%s", a.Code, date.Format(time.DateOnly), reference), SourceRef: "ASSET/" + a.Code,
			Narration: fmt.Sprintf("Revaluation of %s (%s): %s", a.Code, a.Name, reference),
			Lines: []ledger.Line{
				{AccountCode: c.GrossBlockAccount, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Debit: increase},
				{AccountCode: c.RevaluationAccount, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Credit: increase},
			}})
		if err != nil {
			return err
		}
		// The same revaluation again (date and reference) replays its
		// voucher: the asset has it already.
		events, err := q.AssetEventsOf(ctx, dbq.AssetEventsOfParams{TenantID: tenant, AssetID: a.ID})
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		for _, e := range events {
			if e.VoucherID.Int64 == vid {
				return nil
			}
		}
		if err := q.AssetRevalue(ctx, dbq.AssetRevalueParams{TenantID: tenant, ID: a.ID, Amount: increase}); err != nil {
			return fmt.Errorf("revalue: %w", err)
		}
		return event(ctx, q, tenant, a.ID, "revaluation", date, increase, vid, reference, actor)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Asset(ctx, tenant, assetID)
}

// Transfer moves an asset to another location, ward or function on date. A
// new function moves its figures in the books too: its gross block (or CWIP)
// and accumulated depreciation leave the old function for the new one.
func (s *Service) Transfer(ctx context.Context, tenant, actor string, assetID int64, date time.Time, location, ward, function string) (Asset, error) {
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		a, c, err := lockAsset(ctx, q, tenant, assetID)
		if err != nil {
			return err
		}
		if a.Status == "disposed" || a.Status == "opening" {
			return stateError("asset %s is %s and cannot be transferred", a.Code, a.Status)
		}
		function = cmp.Or(function, a.FunctionCode)
		var vid int64
		if function != a.FunctionCode {
			head, amount := c.GrossBlockAccount, a.Gross()
			if a.Status == "cwip" {
				head, amount = c.CWIPAccount, a.Cost
			}
			v := ledger.Voucher{Type: ledger.Journal, Date: date, SourceRef: "ASSET/" + a.Code,
				IdempotencyKey: fmt.Sprintf("asset:%s:transfer:%s:%s", a.Code, date.Format(time.DateOnly), function),
				Narration:      fmt.Sprintf("Transfer of %s (%s) from function %s to %s", a.Code, a.Name, a.FunctionCode, function)}
			if amount.IsPositive() {
				v.Lines = append(v.Lines,
					ledger.Line{AccountCode: head, FundCode: a.FundCode, FunctionCode: function, FieldCode: ward, Debit: amount},
					ledger.Line{AccountCode: head, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Credit: amount})
			}
			if a.Accumulated.IsPositive() {
				v.Lines = append(v.Lines,
					ledger.Line{AccountCode: c.AccumulatedAccount, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Debit: a.Accumulated},
					ledger.Line{AccountCode: c.AccumulatedAccount, FundCode: a.FundCode, FunctionCode: function, FieldCode: ward, Credit: a.Accumulated})
			}
			if len(v.Lines) > 0 {
				if vid, err = s.post(ctx, tx, tenant, actor, v); err != nil {
					return err
				}
			}
		}
		if err := q.AssetTransfer(ctx, dbq.AssetTransferParams{TenantID: tenant, ID: a.ID, Location: location, Ward: ward, FunctionCode: function}); err != nil {
			if db.ForeignKeyViolation(err) != "" {
				return invalid("function_code", "no function %s", function)
			}
			return fmt.Errorf("transfer: %w", err)
		}
		return event(ctx, q, tenant, a.ID, "transfer", date, decimal.Zero, vid,
			fmt.Sprintf("%s/%s/%s -> %s/%s/%s", a.Location, a.Ward, a.FunctionCode, location, ward, function), actor)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Asset(ctx, tenant, assetID)
}

// Disposal is what disposing of an asset booked.
type Disposal struct {
	Asset        Asset
	Depreciation decimal.Decimal // charged for the days since the last run
	BookValue    decimal.Decimal // at disposal, after that charge
	Proceeds     decimal.Decimal
	Gain         decimal.Decimal // negative: a loss
	VoucherID    int64
}

// Dispose sells or scraps an asset in use on date for proceeds (zero for
// scrap). In one voucher: depreciation for the days since it was last
// charged (Dr depreciation, Cr accumulated); its accumulated depreciation
// and gross block taken off (Dr accumulated, Cr gross block); the
// proceeds to the bank; a gain to 1803000 or a loss to 2711000; and any
// revaluation reserve released to the general reserve.
func (s *Service) Dispose(ctx context.Context, tenant, actor string, assetID int64, date time.Time, proceeds decimal.Decimal) (Disposal, error) {
	if proceeds.IsNegative() || !proceeds.Equal(proceeds.Round(2)) {
		return Disposal{}, invalid("proceeds", "must be zero or a positive amount in paise")
	}
	var out Disposal
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := q.DepreciationRunLock(ctx, tenant); err != nil {
			return fmt.Errorf("lock depreciation: %w", err)
		}
		a, c, err := lockAsset(ctx, q, tenant, assetID)
		if err != nil {
			return err
		}
		if a.Status != "in_use" {
			return stateError("asset %s is %s: only an asset in use is disposed of", a.Code, a.Status)
		}
		if date.Before(*a.PutToUseOn) || (a.DepreciatedTo != nil && date.Before(*a.DepreciatedTo)) {
			return invalid("date", "must not precede the asset's last depreciation or its put-to-use date")
		}
		out = Disposal{Proceeds: proceeds}
		if c.Depreciable {
			out.Depreciation = charge(depreciable{putToUse: *a.PutToUseOn, depreciatedTo: a.DepreciatedTo, gross: a.Gross(),
				residual: a.ResidualValue, accumulated: a.Accumulated, terms: c.Terms}, date)
		}
		accumulated := a.Accumulated.Add(out.Depreciation)
		out.BookValue = a.Gross().Sub(accumulated)
		out.Gain = proceeds.Sub(out.BookValue)
		line := func(account string, dr, cr decimal.Decimal) ledger.Line {
			return ledger.Line{AccountCode: account, FundCode: a.FundCode, FunctionCode: a.FunctionCode, FieldCode: a.Ward, Debit: dr, Credit: cr}
		}
		v := ledger.Voucher{Type: ledger.Journal, Date: date, IdempotencyKey: "asset:" + a.Code + ":dispose", SourceRef: "ASSET/" + a.Code,
			Narration: fmt.Sprintf("Disposal of %s (%s) for %s", a.Code, a.Name, proceeds.StringFixed(2))}
		z := decimal.Zero
		if out.Depreciation.IsPositive() {
			v.Lines = append(v.Lines, line(c.DepreciationAccount, out.Depreciation, z), line(c.AccumulatedAccount, z, out.Depreciation))
		}
		if accumulated.IsPositive() {
			v.Lines = append(v.Lines, line(c.AccumulatedAccount, accumulated, z))
		}
		if proceeds.IsPositive() {
			v.Lines = append(v.Lines, line(bankAccount, proceeds, z))
		}
		switch {
		case out.Gain.IsNegative():
			v.Lines = append(v.Lines, line(lossOnDisposalAccount, out.Gain.Neg(), z))
		case out.Gain.IsPositive():
			v.Lines = append(v.Lines, line(gainOnDisposalAccount, z, out.Gain))
		}
		if a.Gross().IsPositive() {
			v.Lines = append(v.Lines, line(c.GrossBlockAccount, z, a.Gross()))
		}
		if a.Revaluation.IsPositive() {
			v.Lines = append(v.Lines, line(c.RevaluationAccount, a.Revaluation, z), line(generalReserveAccount, z, a.Revaluation))
		}
		if out.VoucherID, err = s.post(ctx, tx, tenant, actor, v); err != nil {
			return err
		}
		if err := q.AssetDispose(ctx, dbq.AssetDisposeParams{TenantID: tenant, ID: a.ID, DisposedOn: &date, Accumulated: accumulated}); err != nil {
			return fmt.Errorf("dispose: %w", err)
		}
		return event(ctx, q, tenant, a.ID, "disposal", date, proceeds, out.VoucherID,
			fmt.Sprintf("book value %s, gain %s", out.BookValue.StringFixed(2), out.Gain.StringFixed(2)), actor)
	})
	if err != nil {
		return Disposal{}, err
	}
	out.Asset, err = s.Asset(ctx, tenant, assetID)
	return out, err
}

// Asset reads one asset.
func (s *Service) Asset(ctx context.Context, tenant string, id int64) (Asset, error) {
	var out []Asset
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).AssetGetMany(ctx, dbq.AssetGetManyParams{TenantID: tenant, Ids: []int64{id}})
		for _, r := range rows {
			out = append(out, assetOf(r))
		}
		return err
	})
	if err != nil {
		return Asset{}, fmt.Errorf("read asset: %w", err)
	}
	if len(out) == 0 {
		return Asset{}, &ledger.NotFoundError{What: fmt.Sprintf("asset %d", id)}
	}
	return out[0], nil
}

// Assets lists the register in code order, optionally of one class and status.
func (s *Service) Assets(ctx context.Context, tenant, class, status string) ([]Asset, error) {
	var out []Asset
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).AssetList(ctx, dbq.AssetListParams{TenantID: tenant, ClassCode: class, Status: status})
		for _, r := range rows {
			out = append(out, assetOf(r))
		}
		return err
	})
	return out, err
}

// Event is something that happened to an asset, with its voucher.
type Event struct {
	Kind      string
	Date      time.Time
	Amount    decimal.Decimal
	VoucherID int64
	Detail    string
	Actor     string
}

// Events lists an asset's history, oldest first.
func (s *Service) Events(ctx context.Context, tenant string, assetID int64) ([]Event, error) {
	var out []Event
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).AssetEventsOf(ctx, dbq.AssetEventsOfParams{TenantID: tenant, AssetID: assetID})
		for _, r := range rows {
			out = append(out, Event{Kind: r.Kind, Date: r.EventDate, Amount: r.Amount, VoucherID: r.VoucherID.Int64, Detail: r.Detail, Actor: r.Actor})
		}
		return err
	})
	return out, err
}
