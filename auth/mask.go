package auth

import (
	"strings"
	"unicode/utf8"
)

// What public endpoints (dues lookup, receipt verification) may show of a
// person: no more than a printed receipt does. They must also answer "not
// found" alike whether a consumer is absent or belongs to a tenant the
// caller did not name, so that nobody can probe which ULB holds whom.

// MaskPhone keeps the last two digits of a phone number: "+91 98765 43210"
// becomes "**********10". Too short a number is masked whole.
func MaskPhone(phone string) string {
	var digits []rune
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) < 6 {
		return strings.Repeat("*", len(digits))
	}
	return strings.Repeat("*", len(digits)-2) + string(digits[len(digits)-2:])
}

// MaskEmail keeps the first letter of the mailbox and the domain:
// "ravi.kumar@example.in" becomes "r*********@example.in".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return strings.Repeat("*", utf8.RuneCountInString(email))
	}
	first, size := utf8.DecodeRuneInString(local)
	return string(first) + strings.Repeat("*", utf8.RuneCountInString(local[size:])) + "@" + domain
}
