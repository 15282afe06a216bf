package auth

import "testing"

func TestMaskingKeepsNoMoreThanAReceiptShows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		mask           func(string) string
	}{
		{"indian mobile", "+91 98765 43210", "**********10", MaskPhone},
		{"landline with dashes", "0135-2712345", "*********45", MaskPhone},
		{"too short to keep digits", "12345", "*****", MaskPhone},
		{"email", "ravi.kumar@example.in", "r*********@example.in", MaskEmail},
		{"one-letter mailbox", "r@example.in", "r@example.in", MaskEmail},
		{"not an email", "ravi", "****", MaskEmail},
		{"unicode mailbox", "रवि@example.in", "र**@example.in", MaskEmail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.mask(c.in); got != c.want {
				t.Errorf("mask(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
