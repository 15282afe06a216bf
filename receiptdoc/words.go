package receiptdoc

import (
	"strings"

	"github.com/shopspring/decimal"
)

// maxAmount bounds what a receipt can carry: numeric(18,2) holds 16 digits
// before the point.
var maxAmount = decimal.New(1, 16)

// checkAmount is the rule for every printed or signed amount: to the paisa,
// not negative, within numeric(18,2).
func checkAmount(field string, d decimal.Decimal) error {
	switch {
	case d.IsNegative():
		return invalid(field, "must not be negative, got %s", d)
	case !d.Equal(d.Truncate(2)):
		return invalid(field, "must have at most 2 decimals (paise), got %s", d)
	case d.GreaterThanOrEqual(maxAmount):
		return invalid(field, "must be below 10^16 rupees, got %s", d)
	}
	return nil
}

// AmountInWords spells an amount the way an Indian receipt does, in lakh and
// crore: 12345678.50 reads "Rupees One Crore Twenty-Three Lakh Forty-Five
// Thousand Six Hundred Seventy-Eight and Fifty Paise Only". Zero paise are
// left out; an amount under a rupee reads "Fifty Paise Only". Amounts of 100
// crore and more count the crores in the same words ("One Hundred Crore").
// A negative amount or one with more than two decimals is an *InputError.
func AmountInWords(amount decimal.Decimal) (string, error) {
	if err := checkAmount("amount", amount); err != nil {
		return "", err
	}
	rupees := uint64(amount.IntPart())
	paise := uint64(amount.Sub(amount.Truncate(0)).Shift(2).IntPart())

	var b strings.Builder
	switch {
	case rupees == 0 && paise == 0:
		return "Rupees Zero Only", nil
	case rupees > 0:
		b.WriteString("Rupees ")
		b.WriteString(indianWords(rupees))
		if paise > 0 {
			b.WriteString(" and ")
		}
	}
	if paise > 0 {
		b.WriteString(indianWords(paise))
		if paise == 1 {
			b.WriteString(" Paisa")
		} else {
			b.WriteString(" Paise")
		}
	}
	b.WriteString(" Only")
	return b.String(), nil
}

var (
	ones = [...]string{"", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
		"Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
		"Eighteen", "Nineteen"}
	tens = [...]string{"", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"}
)

// indianWords spells n > 0 in the Indian system. The count of crores is
// itself spelt in lakh and thousand, so 12,345 crore is "Twelve Thousand
// Three Hundred Forty-Five Crore".
func indianWords(n uint64) string {
	var parts []string
	if c := n / 1_00_00_000; c > 0 {
		parts = append(parts, indianWords(c)+" Crore")
		n %= 1_00_00_000
	}
	for _, unit := range []struct {
		size uint64
		name string
	}{{1_00_000, "Lakh"}, {1_000, "Thousand"}, {100, "Hundred"}} {
		if q := n / unit.size; q > 0 {
			parts = append(parts, underHundred(q)+" "+unit.name)
			n %= unit.size
		}
	}
	if n > 0 {
		parts = append(parts, underHundred(n))
	}
	return strings.Join(parts, " ")
}

func underHundred(n uint64) string {
	if n < 20 {
		return ones[n]
	}
	if n%10 == 0 {
		return tens[n/10]
	}
	return tens[n/10] + "-" + ones[n%10]
}

// FormatAmount writes an amount in figures with Indian digit grouping and
// two decimals: 12345678.5 is "1,23,45,678.50". The caller has checked the
// amount; a negative one keeps its sign.
func FormatAmount(amount decimal.Decimal) string {
	s := amount.Abs().StringFixed(2)
	whole, frac := s[:len(s)-3], s[len(s)-2:]

	// Groups of two digits above the thousands; the odd one out leads.
	var groups []string
	if len(whole) > 3 {
		head := whole[:len(whole)-3]
		if len(head)%2 == 1 {
			groups = append(groups, head[:1])
			head = head[1:]
		}
		for ; head != ""; head = head[2:] {
			groups = append(groups, head[:2])
		}
		whole = whole[len(whole)-3:]
	}
	groups = append(groups, whole)

	sign := ""
	if amount.IsNegative() {
		sign = "-"
	}
	return sign + strings.Join(groups, ",") + "." + frac
}
