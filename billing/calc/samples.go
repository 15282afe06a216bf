package calc

import (
	"time"

	"github.com/shopspring/decimal"
)

// Sample masters built from the published figures in
// shared/reference/tariffs.md, for the demo and the tests. They are not the
// notified tariff of any city. Where tariffs.md gives no figure, the sample
// says so and uses a neutral or illustrative value. Each call returns fresh
// maps and slices, so a caller may change its copy.

// SampleUnitAreaMaster is the Delhi pattern: unit area values A 630, B 500,
// C 400 per m2; tax 12 % residential and 20 % commercial. tariffs.md gives
// the age factor's range (0.5 to 1.0) but not its bands: the ten-year bands
// here are illustrative. It gives no use, structure or occupancy figures,
// so those factors are 1; and it states the rates for A and B only, so C
// takes the same. No cess, no rounding to the rupee.
func SampleUnitAreaMaster() UnitAreaMaster {
	return UnitAreaMaster{
		UnitRates: map[string]decimal.Decimal{"A": dec("630"), "B": dec("500"), "C": dec("400")},
		AgeFactors: []AgeBand{
			{UpToYears: upTo(10), Factor: dec("1.0")},
			{UpToYears: upTo(20), Factor: dec("0.9")},
			{UpToYears: upTo(30), Factor: dec("0.8")},
			{UpToYears: upTo(40), Factor: dec("0.7")},
			{UpToYears: upTo(50), Factor: dec("0.6")},
			{Factor: dec("0.5")},
		},
		UseFactors:       map[string]decimal.Decimal{"residential": dec("1"), "commercial": dec("1")},
		StructureFactors: map[string]decimal.Decimal{"pucca": dec("1"), "semi_pucca": dec("1"), "kutcha": dec("1")},
		OccupancyFactors: map[string]decimal.Decimal{"self": dec("1"), "tenanted": dec("1")},
		TaxRates: map[string]map[string]decimal.Decimal{
			"A": {"residential": dec("12"), "commercial": dec("20")},
			"B": {"residential": dec("12"), "commercial": dec("20")},
			"C": {"residential": dec("12"), "commercial": dec("20")},
		},
	}
}

// SampleARVMaster is the Andhra pattern: 40 % depreciation for
// owner-occupied residential, general tax on the ARV, education tax and a
// library cess on the tax. tariffs.md gives no zone rates or percentages,
// so the zone rates (rupees per m2 a month), the 20 % / 25 % general tax,
// the 5 % education tax and the 8 % library cess are illustrative.
func SampleARVMaster() ARVMaster {
	return ARVMaster{
		ZoneRates: map[string]decimal.Decimal{"1": dec("3.00"), "2": dec("2.50"), "3": dec("2.00")},
		DepreciationPercent: map[string]map[string]decimal.Decimal{
			"residential": {"owner_occupied": dec("40"), "tenanted": dec("0")},
			"commercial":  {"owner_occupied": dec("0"), "tenanted": dec("0")},
		},
		GeneralTaxRates: map[string]decimal.Decimal{"residential": dec("20"), "commercial": dec("25")},
		Cesses: []Cess{
			{Head: "PT_CESS_EDU", Percent: dec("5")},
			{Head: "PT_CESS_LIB", Percent: dec("8")},
		},
	}
}

// SampleRebateDelhi is 15 % for payment in the first quarter of the fiscal
// year that starts on 1 April of fyStart.
func SampleRebateDelhi(fyStart int) []RebateWindow {
	return []RebateWindow{{LastDay: day(fyStart, time.June, 30), Percent: dec("15")}}
}

// SampleRebateBengaluru is 5 % if paid in full by 30 April.
func SampleRebateBengaluru(fyStart int) []RebateWindow {
	return []RebateWindow{{LastDay: day(fyStart, time.April, 30), Percent: dec("5")}}
}

// SampleRebatePunjab is 10 % until 25 September (a later notification moved
// it to 26 December; pass that as another master if needed).
func SampleRebatePunjab(fyStart int) []RebateWindow {
	return []RebateWindow{{LastDay: day(fyStart, time.September, 25), Percent: dec("10")}}
}

// SamplePenaltyPunjab is the Punjab 10 % penalty once the rebate date (the
// arrear's due date) has passed.
func SamplePenaltyPunjab() PenaltyRule { return PenaltyRule{Percent: dec("10")} }

// SampleInterestPunjab is 18 % a year simple interest on arrears.
func SampleInterestPunjab() InterestRule { return InterestRule{Percent: dec("18"), Per: PerYear} }

// SampleInterestBengaluru is 2 % a month after the first-half due date.
func SampleInterestBengaluru() InterestRule { return InterestRule{Percent: dec("2"), Per: PerMonth} }

// SampleInterestAndhra is the Andhra 2 % a month simple penalty on arrears,
// booked to PENALTY because the state calls it one.
func SampleInterestAndhra() InterestRule {
	return InterestRule{Percent: dec("2"), Per: PerMonth, Head: HeadPenalty}
}

// SampleWaterResidential is the metered residential tariff: 0-10 KL @ 2,
// 10-20 @ 2.5, 20-30 @ 8, 30-40 @ 12, above 40 @ 15, minimum 100 a month.
// No meter rent is published, so none is charged.
func SampleWaterResidential() MeteredWaterMaster {
	return MeteredWaterMaster{
		Slabs: []Slab{
			{UpToKL: kl("10"), Rate: dec("2")},
			{UpToKL: kl("20"), Rate: dec("2.5")},
			{UpToKL: kl("30"), Rate: dec("8")},
			{UpToKL: kl("40"), Rate: dec("12")},
			{Rate: dec("15")},
		},
		MinimumCharge: dec("100"),
	}
}

// SampleWaterNonResidential is the metered non-residential tariff: 0-10 KL
// @ 13.31, 10-25 @ 26.62, 25-50 @ 66.55, 50-100 @ 106.48, above 100 @
// 133.10, minimum 200 a month.
func SampleWaterNonResidential() MeteredWaterMaster {
	return MeteredWaterMaster{
		Slabs: []Slab{
			{UpToKL: kl("10"), Rate: dec("13.31")},
			{UpToKL: kl("25"), Rate: dec("26.62")},
			{UpToKL: kl("50"), Rate: dec("66.55")},
			{UpToKL: kl("100"), Rate: dec("106.48")},
			{Rate: dec("133.10")},
		},
		MinimumCharge: dec("200"),
	}
}

// SampleWaterFlat is the non-metered flat tariff by usage: residential 250,
// non-residential 550, government 650 a month.
func SampleWaterFlat() FlatWaterMaster {
	return FlatWaterMaster{
		By: FlatByUsage,
		PerMonthByUsage: map[string]decimal.Decimal{
			"residential": dec("250"), "non_residential": dec("550"), "government": dec("650"),
		},
	}
}

// SampleTradeMaster is the bakery tariff: small bakery 1-20 workers new
// 2,500 renewal 2,000, 21-30 workers 3,000 / 2,500; medium bakery 5,000 /
// 4,500 at any size. Unit fees are summed. Late bands: new licence 0 % up to
// 60 days after commencement, 25 % up to 120, 50 % beyond; renewal 0 % up
// to 30 days before expiry, 25 % until expiry, 50 % after.
func SampleTradeMaster() TradeMaster {
	return TradeMaster{
		Fees: map[string][]FeeBand{
			"bakery_small": {
				{UpToSize: upTo(20), New: dec("2500"), Renewal: dec("2000")},
				{UpToSize: upTo(30), New: dec("3000"), Renewal: dec("2500")},
			},
			"bakery_medium": {{New: dec("5000"), Renewal: dec("4500")}},
		},
		Combine: CombineSum,
		NewLateBands: []LateBand{
			{UpToDays: upTo(60), Percent: dec("0")},
			{UpToDays: upTo(120), Percent: dec("25")},
			{Percent: dec("50")},
		},
		RenewalLateBands: []LateBand{
			{UpToDays: upTo(-30), Percent: dec("0")},
			{UpToDays: upTo(0), Percent: dec("25")},
			{Percent: dec("50")},
		},
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func kl(s string) *decimal.Decimal {
	d := dec(s)
	return &d
}

func upTo(n int) *int { return &n }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
