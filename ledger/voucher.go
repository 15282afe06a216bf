package ledger

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// VoucherType is the NMAM voucher class; each type has its own number series.
type VoucherType string

// The voucher types.
const (
	Journal VoucherType = "JV"
	Receipt VoucherType = "RV"
	Payment VoucherType = "PV"
	Contra  VoucherType = "CV"
)

func (t VoucherType) valid() bool {
	switch t {
	case Journal, Receipt, Payment, Contra:
		return true
	}
	return false
}

// maxAmount keeps every amount and total inside numeric(18,2).
var maxAmount = decimal.New(1, 15)

// Voucher is a voucher to post.
type Voucher struct {
	Type           VoucherType
	Date           time.Time // accounting date; only year, month and day count
	Narration      string
	SourceRef      string
	IdempotencyKey string
	Lines          []Line
	// ID, when set, is an id from ReserveVoucherIDs the voucher is to be
	// posted under, so that rows naming it can be written first; otherwise
	// the voucher gets one when posted.
	ID int64

	// reverses and reversalReason are set only by Reverse.
	reverses       int64
	reversalReason string
}

// Line is one debit or one credit.
type Line struct {
	AccountCode  string
	FundCode     string
	FunctionCode string
	FieldCode    string // ward or zone, optional
	Party        string // sub-ledger: property id, consumer number, supplier; optional
	Debit        decimal.Decimal
	Credit       decimal.Decimal
}

// Posted is a voucher in the books.
type Posted struct {
	ID             int64
	TenantID       string
	Number         string
	Serial         int64
	Type           VoucherType
	FiscalYear     int
	Period         int
	Date           time.Time
	Narration      string
	SourceRef      string
	IdempotencyKey string
	Lines          []PostedLine
	Total          decimal.Decimal
	ReversesID     int64
	ReversalReason string
	ReversedByID   int64
	PostedBy       string
	PostedAt       time.Time
	ChainSeq       int64
	Hash           []byte
}

// PostedLine is a line of a posted voucher.
type PostedLine struct {
	LineNo int
	Line
}

// Validate checks the voucher's own rules, naming each broken field under
// prefix (e.g. "vouchers[3]"): a type, a narration, an idempotency key, at
// least two lines, exactly one positive side per line with at most two
// decimals, and equal debit and credit totals.
func (v *Voucher) Validate(prefix string) error {
	var vs []FieldViolation
	add := func(field, format string, args ...any) {
		vs = append(vs, FieldViolation{Field: prefix + field, Rule: fmt.Sprintf(format, args...)})
	}
	if !v.Type.valid() {
		add(".type", "must be one of JV, RV, PV, CV")
	}
	if v.Date.IsZero() {
		add(".date", "is required")
	}
	if v.Narration == "" {
		add(".narration", "is required")
	}
	if v.IdempotencyKey == "" {
		add(".idempotency_key", "is required")
	}
	if len(v.Lines) < 2 {
		add(".lines", "a voucher needs at least two lines")
	}
	var dr, cr decimal.Decimal
	for i, l := range v.Lines {
		lp := fmt.Sprintf(".lines[%d]", i)
		if l.AccountCode == "" {
			add(lp+".account_code", "is required")
		}
		if l.FundCode == "" {
			add(lp+".fund_code", "is required")
		}
		if l.FunctionCode == "" {
			add(lp+".function_code", "is required")
		}
		for _, side := range []struct {
			name string
			amt  decimal.Decimal
		}{{"debit", l.Debit}, {"credit", l.Credit}} {
			switch {
			case side.amt.IsNegative():
				add(lp+"."+side.name, "must not be negative")
			case !side.amt.Equal(side.amt.Round(2)):
				add(lp+"."+side.name, "must have at most 2 decimals")
			case side.amt.GreaterThanOrEqual(maxAmount):
				add(lp+"."+side.name, "must be less than 10^15")
			}
		}
		switch {
		case l.Debit.IsPositive() && l.Credit.IsPositive():
			add(lp, "a line takes a debit or a credit, not both")
		case l.Debit.IsZero() && l.Credit.IsZero():
			add(lp, "a line needs a positive debit or credit")
		}
		dr = dr.Add(l.Debit)
		cr = cr.Add(l.Credit)
	}
	if len(vs) == 0 && !dr.Equal(cr) {
		add(".lines", "debits (%s) must equal credits (%s)", dr.StringFixed(2), cr.StringFixed(2))
	}
	if len(vs) == 0 && dr.GreaterThanOrEqual(maxAmount) {
		add(".lines", "total must be less than 10^15")
	}
	if len(vs) > 0 {
		return &ValidationError{Violations: vs}
	}
	return nil
}

// total is the sum of the debits. Call it on a validated voucher.
func (v *Voucher) total() decimal.Decimal {
	var t decimal.Decimal
	for _, l := range v.Lines {
		t = t.Add(l.Debit)
	}
	return t
}

// FiscalYearOf returns the fiscal year (1 April - 31 March) a date falls in:
// 2026 for any date from 2026-04-01 to 2027-03-31.
func FiscalYearOf(d time.Time) int {
	if d.Month() >= time.April {
		return d.Year()
	}
	return d.Year() - 1
}

// FiscalYearLabel is the printed form of a fiscal year: 2026 -> "2026-27".
func FiscalYearLabel(fy int) string {
	return fmt.Sprintf("%d-%02d", fy, (fy+1)%100)
}

// voucherNumber prints a voucher number, e.g. "JV/2026-27/000123".
func voucherNumber(t VoucherType, fy int, serial int64) string {
	return fmt.Sprintf("%s/%s/%06d", t, FiscalYearLabel(fy), serial)
}

// Date builds a calendar date (midnight UTC), the form every accounting date
// takes in Munim.
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// IST is the ULBs' calendar: India has one time zone and no daylight saving.
var IST = time.FixedZone("Asia/Kolkata", 5*3600+1800)

// DayOf is the ULB's calendar day of t, as an accounting date.
func DayOf(t time.Time) time.Time {
	t = t.In(IST)
	return Date(t.Year(), t.Month(), t.Day())
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid(field, "must be a date YYYY-MM-DD, got %q", s)
	}
	return t, nil
}

// ParseAmount reads a decimal string; empty means zero.
func ParseAmount(field, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, invalid(field, "must be a decimal amount such as \"1234.50\", got %q", s)
	}
	return d, nil
}
