package calc

import (
	"cmp"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Arrear is an amount left unpaid after its due date: the register entry
// penalty and interest are charged on. Amount is the principal (normally
// tax and cess), never a penalty or interest, so that nothing compounds.
type Arrear struct {
	Amount decimal.Decimal `json:"amount"`
	// DueDate is the last day the amount could be paid without penalty.
	DueDate time.Time `json:"due_date"`
}

func (a Arrear) check() error {
	if err := checkNonNegative("arrear.amount", a.Amount); err != nil {
		return err
	}
	if a.DueDate.IsZero() {
		return invalid("arrear.due_date", "required")
	}
	return nil
}

// PenaltyRule is a one-time penalty: Percent of the arrear, charged once
// when the due date has passed, however long ago.
type PenaltyRule struct {
	Percent decimal.Decimal `json:"percent"`
}

// Validate checks the rule on its own, so a master is refused when saved.
func (r PenaltyRule) Validate() error { return checkPercent("master.penalty.percent", r.Percent) }

// Penalty returns the PENALTY line on a as of asOf, or none when asOf is on
// or before the due date: paying on the due date is paying in time.
func Penalty(a Arrear, r PenaltyRule, asOf time.Time) ([]Line, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		return nil, invalid("as_of", "required")
	}
	if !civil(asOf).After(civil(a.DueDate)) {
		return nil, nil
	}
	amt := percentOf(a.Amount, r.Percent)
	if amt.IsZero() {
		return nil, nil
	}
	return []Line{{
		Head:   HeadPenalty,
		Amount: amt,
		Basis: fmt.Sprintf("%s%% of %s unpaid after %s = %s",
			r.Percent, money(a.Amount), isoDay(a.DueDate), money(amt)),
	}}, nil
}

// RatePeriod is the period an interest percentage is quoted for.
type RatePeriod string

// The periods a rate may be quoted for. A yearly rate is charged per month
// as a twelfth (18 % a year = 1.5 % a month), divided last so it stays exact.
const (
	PerMonth RatePeriod = "month"
	PerYear  RatePeriod = "year"
)

// InterestRule is simple interest on arrears, charged per month or part of
// a month after the due date.
type InterestRule struct {
	Percent decimal.Decimal `json:"percent"`
	Per     RatePeriod      `json:"per"`
	// Head is the head the charge is booked to; default INTEREST. Some
	// states call the same monthly charge a penalty (Andhra: "2 % a month
	// simple penalty on arrears") and book it so.
	Head string `json:"head"`
}

// Validate checks the rule on its own, so a master is refused when saved.
func (r InterestRule) Validate() error {
	if err := checkPercent("master.interest.percent", r.Percent); err != nil {
		return err
	}
	if r.Per != PerMonth && r.Per != PerYear {
		return invalid("master.interest.per", "must be %q or %q, got %q", PerMonth, PerYear, r.Per)
	}
	return nil
}

// Interest returns simple interest on a as of asOf, or none on or before the
// due date.
//
// Months are counted as started months: each month or part of a month
// after the due date counts in full, the "for every month or part thereof"
// wording of Indian revenue statutes, read here as the pattern behind the
// published 2 % a month (Bengaluru, Andhra) and 18 % a year (Punjab)
// charges. Month k ends on the kth monthly anniversary of the due date
// (month-ends stay month-ends), so with a due date of 30 June, 1 July is
// month 1, 31 July is still month 1, and 1 August starts month 2.
func Interest(a Arrear, r InterestRule, asOf time.Time) ([]Line, error) {
	lines, _, err := InterestSince(a, r, time.Time{}, asOf)
	return lines, err
}

// InterestSince is Interest for the months not charged yet: those started
// after chargedThrough (the zero time when none was) up to asOf. It also
// returns the day the charged months then run through, the last day of the
// last month started (the kth monthly anniversary of the due date), for the
// caller to keep and pass as chargedThrough next time; it is zero when no
// new month has started. A month started is charged in full on the amount
// unpaid when it is charged, so a caller that charges before every payment
// charges each month on what was unpaid when that month began.
func InterestSince(a Arrear, r InterestRule, chargedThrough, asOf time.Time) ([]Line, time.Time, error) {
	if err := a.check(); err != nil {
		return nil, time.Time{}, err
	}
	if err := r.Validate(); err != nil {
		return nil, time.Time{}, err
	}
	if asOf.IsZero() {
		return nil, time.Time{}, invalid("as_of", "required")
	}
	done := 0
	if !chargedThrough.IsZero() {
		done = monthsStarted(a.DueDate, chargedThrough)
	}
	months := monthsStarted(a.DueDate, asOf)
	if months <= done {
		return nil, time.Time{}, nil
	}
	through := addMonths(a.DueDate, months)
	perMonths := int64(1)
	if r.Per == PerYear {
		perMonths = 12
	}
	n := months - done
	amt := a.Amount.Mul(r.Percent).Mul(decimal.NewFromInt(int64(n))).
		DivRound(decimal.NewFromInt(100*perMonths), 2)
	if amt.IsZero() {
		return nil, time.Time{}, nil
	}
	monthsFactor := fmt.Sprint(n)
	if perMonths != 1 {
		monthsFactor = fmt.Sprintf("%d/%d", n, perMonths)
	}
	span := fmt.Sprintf("%d month(s) or part after %s to %s", months, isoDay(a.DueDate), isoDay(asOf))
	if done > 0 {
		span = fmt.Sprintf("months %d to %d after %s, to %s; months 1 to %d charged before", done+1, months,
			isoDay(a.DueDate), isoDay(asOf), done)
	}
	return []Line{{
		Head:   cmp.Or(r.Head, HeadInterest),
		Amount: amt,
		Basis: fmt.Sprintf("%s%% a %s x %s on %s (%s) = %s",
			r.Percent, r.Per, monthsFactor, money(a.Amount), span, money(amt)),
	}}, through, nil
}
