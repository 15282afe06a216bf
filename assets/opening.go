package assets

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// OpeningColumns are the columns of an opening register CSV, in any order
// (the header names them); residual_value and quantity may be left out.
var OpeningColumns = []string{"code", "name", "class", "location", "ward", "function", "fund", "funding_source", "scheme",
	"acquired_on", "put_to_use_on", "cost", "accumulated_depreciation", "residual_value", "quantity"}

var openingRequired = []string{"code", "name", "class", "function", "fund", "funding_source", "acquired_on", "put_to_use_on", "cost", "accumulated_depreciation"}

// Import is an opening register waiting for, or given, approval.
type Import struct {
	ID          int64
	AsOf        time.Time
	Status      string // proposed or approved
	Assets      int
	Gross       decimal.Decimal
	Accumulated decimal.Decimal
	ImportedBy  string
	ApprovedBy  string
	VoucherID   int64
}

func importOf(r dbq.AssetImport) Import {
	return Import{ID: r.ID, AsOf: r.AsOf, Status: r.Status, Assets: int(r.Assets), Gross: r.Gross, Accumulated: r.Accumulated,
		ImportedBy: r.ImportedBy, ApprovedBy: r.ApprovedBy.String, VoucherID: r.VoucherID.Int64}
}

// ImportOpening reads the register a ULB brings onto Munim, as it stood
// the day before asOf (cost and accumulated depreciation to that day), and
// enters its assets as "opening": outside the register's figures until
// another person approves the import (ApproveImport), which posts the
// opening-balance voucher. Every row is checked first; any bad row refuses
// the whole file, naming rows[i].column.
func (s *Service) ImportOpening(ctx context.Context, tenant, actor string, asOf time.Time, r io.Reader) (Import, error) {
	if asOf.IsZero() {
		return Import{}, invalid("as_of", "is required")
	}
	rd := csv.NewReader(r)
	rd.TrimLeadingSpace = true
	header, err := rd.Read()
	if err != nil {
		return Import{}, invalid("csv", "cannot read the header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range openingRequired {
		if _, ok := col[c]; !ok {
			return Import{}, invalid("csv", "the header lacks column %q (columns: %s)", c, strings.Join(OpeningColumns, ","))
		}
	}
	records, err := rd.ReadAll()
	if err != nil {
		return Import{}, invalid("csv", "%v", err)
	}
	if len(records) == 0 {
		return Import{}, invalid("csv", "has no rows")
	}
	classes, err := s.Classes(ctx, tenant)
	if err != nil {
		return Import{}, err
	}
	byCode := map[string]Class{}
	for _, c := range classes {
		byCode[c.Code] = c
	}
	var vs []ledger.FieldViolation
	type row struct {
		in                          AssetInput
		cost, accumulated, residual decimal.Decimal
	}
	rows := make([]row, 0, len(records))
	var gross, accumulated decimal.Decimal
	lastDay := asOf.AddDate(0, 0, -1)
	for i, rec := range records {
		get := func(c string) string {
			if j, ok := col[c]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		bad := func(c, format string, args ...any) {
			vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("rows[%d].%s", i, c), Rule: fmt.Sprintf(format, args...)})
		}
		date := func(c string) time.Time {
			d, err := time.Parse(time.DateOnly, get(c))
			if err != nil {
				bad(c, "must be a date YYYY-MM-DD, got %q", get(c))
			}
			return d
		}
		money := func(c string) decimal.Decimal {
			if get(c) == "" {
				return decimal.Zero
			}
			d, err := decimal.NewFromString(get(c))
			if err != nil || d.IsNegative() || !d.Equal(d.Round(2)) {
				bad(c, "must be an amount such as 1234.50, got %q", get(c))
			}
			return d
		}
		rw := row{in: AssetInput{Code: get("code"), Name: get("name"), ClassCode: get("class"), Location: get("location"), Ward: get("ward"),
			FunctionCode: get("function"), FundCode: get("fund"), FundingSource: get("funding_source"), Scheme: get("scheme"),
			AcquisitionMode: "opening", AcquiredOn: date("acquired_on"), Quantity: get("quantity")},
			cost: money("cost"), accumulated: money("accumulated_depreciation")}
		put := date("put_to_use_on")
		rw.in.PutToUseOn = &put
		c, ok := byCode[rw.in.ClassCode]
		switch {
		case !ok:
			bad("class", "no class %q", rw.in.ClassCode)
		case !c.Depreciable && rw.accumulated.IsPositive():
			bad("accumulated_depreciation", "class %s is not depreciated", c.Code)
		}
		rw.residual = residual(c, rw.cost)
		if get("residual_value") != "" {
			rw.residual = money("residual_value")
		}
		if !assetCode.MatchString(rw.in.Code) {
			bad("code", "must be letters, digits and / _ . - (at most 40)")
		}
		if rw.in.Name == "" {
			bad("name", "is required")
		}
		switch rw.in.FundingSource {
		case "own", "grant", "loan":
		default:
			bad("funding_source", "must be own, grant or loan")
		}
		switch {
		case !rw.cost.IsPositive():
			bad("cost", "must be positive (an asset received free is recorded at 1 rupee)")
		case rw.accumulated.GreaterThan(rw.cost.Sub(rw.residual)):
			bad("accumulated_depreciation", "%s exceeds cost %s less residual value %s", rw.accumulated.StringFixed(2),
				rw.cost.StringFixed(2), rw.residual.StringFixed(2))
		}
		if !put.IsZero() && !put.Before(asOf) {
			bad("put_to_use_on", "must be before the opening date %s", asOf.Format(time.DateOnly))
		}
		gross = gross.Add(rw.cost)
		accumulated = accumulated.Add(rw.accumulated)
		rows = append(rows, rw)
	}
	if len(vs) > 0 {
		return Import{}, &ledger.ValidationError{Violations: vs}
	}
	var out dbq.AssetImport
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		out, err = q.AssetImportInsert(ctx, dbq.AssetImportInsertParams{TenantID: tenant, AsOf: asOf, Assets: int32(len(rows)),
			Gross: gross, Accumulated: accumulated, ImportedBy: actor})
		if err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		for i, rw := range rows {
			var through *time.Time
			if byCode[rw.in.ClassCode].Depreciable {
				through = &lastDay
			}
			_, err := q.AssetInsert(ctx, dbq.AssetInsertParams{TenantID: tenant, Code: rw.in.Code, Name: rw.in.Name, ClassCode: rw.in.ClassCode,
				Location: rw.in.Location, Ward: rw.in.Ward, FunctionCode: rw.in.FunctionCode, FundCode: rw.in.FundCode,
				FundingSource: rw.in.FundingSource, Scheme: rw.in.Scheme, AcquisitionMode: "opening", AcquiredOn: rw.in.AcquiredOn,
				PutToUseOn: rw.in.PutToUseOn, Quantity: rw.in.Quantity, Status: "opening", Cost: rw.cost, ResidualValue: rw.residual,
				Accumulated: rw.accumulated, DepreciatedTo: through, ImportID: pgtype.Int8{Int64: out.ID, Valid: true}, CreatedBy: actor})
			if err := assetInsertError(err, rw.in.Code); err != nil {
				var ve *ledger.ValidationError
				if errors.As(err, &ve) {
					ve.Violations[0].Field = fmt.Sprintf("rows[%d]", i)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Import{}, err
	}
	return importOf(out), nil
}

// ApproveImport approves an opening import as checker, who must not be its
// importer: it posts the opening-balance voucher dated the import's as-of
// day (Dr each class's gross block, Cr its accumulated depreciation, by
// fund and function, and the net block Cr 3101001 municipal fund) and puts
// the assets in use, in one transaction.
func (s *Service) ApproveImport(ctx context.Context, tenant, checker string, id int64) (Import, error) {
	var out dbq.AssetImport
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		imp, err := q.AssetImportGetForUpdate(ctx, dbq.AssetImportGetForUpdateParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return &ledger.NotFoundError{What: fmt.Sprintf("import %d", id)}
		}
		if err != nil {
			return fmt.Errorf("lock import: %w", err)
		}
		switch {
		case imp.Status != "proposed":
			return &ledger.PreconditionError{Field: "import_id", Kind: ErrAssetState, Reason: fmt.Sprintf("import %d is already approved", id)}
		case imp.ImportedBy == checker:
			return &ledger.PreconditionError{Field: "import_id", Kind: ledger.ErrSelfApproval,
				Reason: fmt.Sprintf("%s imported %d and may not approve it: another approver must", checker, id)}
		}
		lines, err := q.AssetImportOpeningLines(ctx, dbq.AssetImportOpeningLinesParams{TenantID: tenant, ImportID: pgtype.Int8{Int64: id, Valid: true}})
		if err != nil {
			return fmt.Errorf("read opening lines: %w", err)
		}
		v := ledger.Voucher{Type: ledger.Journal, Date: imp.AsOf, IdempotencyKey: fmt.Sprintf("asset-import:%d", id),
			SourceRef: fmt.Sprintf("ASSET-IMPORT/%d", id),
			Narration: fmt.Sprintf("Opening fixed-asset register as on %s: %d assets", imp.AsOf.Format(time.DateOnly), imp.Assets)}
		net := map[[2]string]decimal.Decimal{}
		var order [][2]string
		for _, l := range lines {
			v.Lines = append(v.Lines, ledger.Line{AccountCode: l.GrossBlockAccount, FundCode: l.FundCode, FunctionCode: l.FunctionCode, Debit: l.Gross})
			if l.Accumulated.IsPositive() {
				v.Lines = append(v.Lines, ledger.Line{AccountCode: l.AccumulatedAccount.String, FundCode: l.FundCode, FunctionCode: l.FunctionCode, Credit: l.Accumulated})
			}
			k := [2]string{l.FundCode, l.FunctionCode}
			if _, seen := net[k]; !seen {
				order = append(order, k)
			}
			net[k] = net[k].Add(l.Gross.Sub(l.Accumulated))
		}
		for _, k := range order {
			if net[k].IsPositive() {
				v.Lines = append(v.Lines, ledger.Line{AccountCode: municipalFundAccount, FundCode: k[0], FunctionCode: k[1], Credit: net[k]})
			}
		}
		vid, err := s.post(ctx, tx, tenant, checker, v)
		if err != nil {
			return err
		}
		if _, err := q.AssetActivateImport(ctx, dbq.AssetActivateImportParams{TenantID: tenant, ImportID: pgtype.Int8{Int64: id, Valid: true}}); err != nil {
			return fmt.Errorf("put assets in use: %w", err)
		}
		if err := q.AssetImportApprove(ctx, dbq.AssetImportApproveParams{TenantID: tenant, ID: id,
			ApprovedBy: pgtype.Text{String: checker, Valid: true}, VoucherID: pgtype.Int8{Int64: vid, Valid: true}}); err != nil {
			return fmt.Errorf("approve import: %w", err)
		}
		out, err = q.AssetImportGetForUpdate(ctx, dbq.AssetImportGetForUpdateParams{TenantID: tenant, ID: id})
		return err
	})
	if err != nil {
		return Import{}, err
	}
	return importOf(out), nil
}
