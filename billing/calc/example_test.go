package calc_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing/calc"
)

// The worked example of the unit-area method, then the first-quarter
// rebate on a payment made on the last day of the quarter.
func ExampleUnitAreaTax() {
	prop := calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{{
		AreaM2: decimal.NewFromInt(100), Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1980,
	}}}
	lines, err := calc.UnitAreaTax(prop, calc.SampleUnitAreaMaster(), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	rebate, err := calc.Rebate(lines[0].Amount, calc.SampleRebateDelhi(2025), time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	lines = append(lines, rebate...)
	for _, l := range lines {
		fmt.Printf("%s %s: %s\n", l.Head, l.Amount.StringFixed(2), l.Basis)
	}
	fmt.Println("net", calc.Net(lines).StringFixed(2))
	// Output:
	// PT 3600.00: B 500/m2 x 100 m2 x age 0.6 (45 y) x use 1 x structure 1 x occupancy 1 = 30000.00; 12% = 3600.00
	// REBATE 540.00: 15% of 3600.00 for payment on 2025-06-30 (on or before 2025-06-30) = 540.00
	// net 3060.00
}

func ExampleMeteredWater() {
	reading := calc.MeterReading{Previous: decimal.RequireFromString("1200"), Current: decimal.RequireFromString("1245")}
	lines, err := calc.MeteredWater(reading, 1, calc.SampleWaterResidential())
	if err != nil {
		panic(err)
	}
	for _, l := range lines {
		fmt.Printf("%s %s: %s\n", l.Head, l.Amount.StringFixed(2), l.Basis)
	}
	// Output:
	// WATER 320.00: readings 1200 -> 1245: 45 KL over 1 month(s); slab 1: 10 KL @ 2 = 20.00; slab 2: 10 KL @ 2.5 = 25.00; slab 3: 10 KL @ 8 = 80.00; slab 4: 10 KL @ 12 = 120.00; slab 5: 5 KL @ 15 = 75.00; slabs 320.00
}

func ExampleTradeLicenceFee() {
	licence := calc.TradeLicence{
		Kind:    calc.LicenceRenewal,
		Units:   []calc.TradeUnit{{Trade: "bakery_small", Size: 12}, {Trade: "bakery_medium", Size: 40}},
		Expires: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
	}
	lines, err := calc.TradeLicenceFee(licence, calc.SampleTradeMaster(), time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	for _, l := range lines {
		fmt.Printf("%s %s: %s\n", l.Head, l.Amount.StringFixed(2), l.Basis)
	}
	// Output:
	// TL_FEE 6500.00: bakery_small size 12 (band 1-20) renewal 2000.00; bakery_medium size 40 (band 1+) renewal 4500.00; sum = 6500.00
	// TL_PENALTY 1625.00: applied 2026-03-20, 11 day(s) before expiry on 2026-03-31: 25% of 6500.00 = 1625.00
}

// The Punjab pattern on an arrear: 10 % penalty once after the due date,
// and 18 % a year for each month or part of one since.
func ExampleInterest() {
	arrear := calc.Arrear{Amount: decimal.NewFromInt(3600), DueDate: time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)}
	asOf := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	penalty, err := calc.Penalty(arrear, calc.SamplePenaltyPunjab(), asOf)
	if err != nil {
		panic(err)
	}
	interest, err := calc.Interest(arrear, calc.SampleInterestPunjab(), asOf)
	if err != nil {
		panic(err)
	}
	for _, l := range append(penalty, interest...) {
		fmt.Printf("%s %s: %s\n", l.Head, l.Amount.StringFixed(2), l.Basis)
	}
	// Output:
	// PENALTY 360.00: 10% of 3600.00 unpaid after 2025-09-25 = 360.00
	// INTEREST 162.00: 18% a year x 3/12 on 3600.00 (3 month(s) or part after 2025-09-25 to 2025-12-01) = 162.00
}
