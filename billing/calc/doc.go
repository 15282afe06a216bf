// Package calc owns the tariff arithmetic of municipal revenue: given a
// register entry (a property, a water connection, a trade licence
// application), the rate master in force and the dates that matter, it
// returns demand lines, one per tax head, each carrying the working a
// citizen or an auditor can redo by hand.
//
// Calculators are pure functions. They must never do I/O, never read a clock
// (the as-of, payment or application date is always a parameter, compared by
// calendar day), and never let money touch a float64: amounts are
// decimal.Decimal and every rounding is a named step (RoundPaise, RoundRupee,
// WithRoundOff). Loading masters, choosing the master in force on a date,
// mapping heads to GL accounts and posting demands belong to the billing
// domain, which calls this package.
//
// Sign convention: every Line amount is non-negative and its head says
// whether it adds to the demand or reduces it (REBATE is the only reducing
// head produced here). ROUNDOFF is the one signed line: positive when the
// net was rounded up, negative when rounded down. Net applies the convention.
//
// Rounding: each line is rounded to paise, half-up, at the end of its own
// working; a figure shown in a working is the rounded figure the next step
// uses, so the Basis always recomputes exactly. Optional heads (cess, rebate,
// penalty, interest, meter rent, round-off) are omitted when they come to
// zero; the main head of a demand is always present.
//
// Bad input is reported as *InputError naming the field and the rule. Fields
// under "master." are faults in the rate master (fix the master data); the
// others are faults in the register entry or the dates passed.
package calc
