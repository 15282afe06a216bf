package receiptdoc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

func TestAmountInWords(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, amount, want string
	}{
		{"zero is spelt, not left blank", "0", "Rupees Zero Only"},
		{"zero paise are left out", "1.00", "Rupees One Only"},
		{"teens are one word", "17", "Rupees Seventeen Only"},
		{"tens and units are hyphenated", "78", "Rupees Seventy-Eight Only"},
		{"hundreds take no and", "608", "Rupees Six Hundred Eight Only"},
		{"a round thousand", "1000", "Rupees One Thousand Only"},
		{"one lakh is 1,00,000", "100000", "Rupees One Lakh Only"},
		{"one crore is 1,00,00,000", "10000000", "Rupees One Crore Only"},
		{
			"the issue's example",
			"12345678.50",
			"Rupees One Crore Twenty-Three Lakh Forty-Five Thousand Six Hundred Seventy-Eight and Fifty Paise Only",
		},
		{
			"the largest amount under 100 crore",
			"999999999.99",
			"Rupees Ninety-Nine Crore Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine and Ninety-Nine Paise Only",
		},
		{"paise only", "0.50", "Fifty Paise Only"},
		{"one paisa is singular", "0.01", "One Paisa Only"},
		{"rupees and one paisa", "2.01", "Rupees Two and One Paisa Only"},
		{"a trailing zero is not a third decimal", "5.500", "Rupees Five and Fifty Paise Only"},
		{"100 crore counts the crores", "1000000000", "Rupees One Hundred Crore Only"},
		{
			"12,345 crore counts the crores in thousands",
			"123450000000",
			"Rupees Twelve Thousand Three Hundred Forty-Five Crore Only",
		},
		{"a lakh crore", "1000000000000", "Rupees One Lakh Crore Only"},
		{
			"crores of crores with a remainder",
			"123456789012.05",
			"Rupees Twelve Thousand Three Hundred Forty-Five Crore Sixty-Seven Lakh Eighty-Nine Thousand Twelve and Five Paise Only",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := receiptdoc.AmountInWords(dec(tc.amount))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAmountInWordsRefuses(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct{ name, amount string }{
		{"a negative amount", "-1"},
		{"a negative paisa", "-0.01"},
		{"a fraction of a paisa", "10.005"},
		{"more than numeric(18,2) holds", "10000000000000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := receiptdoc.AmountInWords(dec(tc.amount))
			requireInputError(t, err, "amount")
		})
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct{ amount, want string }{
		{"0", "0.00"},
		{"5.5", "5.50"},
		{"999", "999.00"},
		{"1000", "1,000.00"},
		{"12345", "12,345.00"},
		{"100000", "1,00,000.00"},
		{"1234567", "12,34,567.00"},
		{"12345678.5", "1,23,45,678.50"},
		{"123456789012.05", "1,23,45,67,89,012.05"},
		{"-1234.5", "-1,234.50"},
	} {
		t.Run(tc.amount, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, receiptdoc.FormatAmount(dec(tc.amount)))
		})
	}
}
