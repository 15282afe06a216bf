package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
)

// A sample ULB's revenue set-up, shared by the demo and the demand
// benchmark: tax heads mapped as DESIGN.md's entries table says, masters on
// tariffs.md's figures (a unit-area property-tax master with the state's
// library and education cesses, the Punjab rebate, penalty and interest,
// the sample water and bakery tariffs), and register generators
// (ulbregisters.go).

// headSet is the mapping a service's heads share: the receivable they
// accrue to and the NMAM function, in the municipal fund.
type headSet struct{ service, receivable, function string }

// The receivables and functions of DESIGN.md's entries table.
var (
	propertyTaxSet = headSet{billing.PropertyTax, "4311001", "9091"}
	waterSet       = headSet{billing.Water, "4313001", "9092"}
	licenceSet     = headSet{billing.TradeLicence, "4313002", "9093"}
)

func (s headSet) head(code, name string, cat billing.Category, prio int, income string) billing.TaxHead {
	return billing.TaxHead{Service: s.service, Code: code, Name: name, Category: cat, Priority: prio,
		IncomeAccount: income, ReceivableAccount: s.receivable, FundCode: "01", FunctionCode: s.function}
}

// saveHeads saves heads, naming the one that fails.
func saveHeads(ctx context.Context, b *billing.Service, tenant string, heads []billing.TaxHead) error {
	for _, h := range heads {
		if _, err := b.SaveTaxHead(ctx, tenant, h, "setup"); err != nil {
			return fmt.Errorf("%s tax head %s: %w", h.Service, h.Code, err)
		}
	}
	return nil
}

// propertyTaxHeads are the property-tax heads: the tax, two state cesses
// (liabilities, not income) and the round-off.
func propertyTaxHeads() []billing.TaxHead {
	pt := propertyTaxSet.head("PT", "Property tax", billing.Tax, 40, "1100101")
	pt.RoundToRupee = true
	return []billing.TaxHead{
		pt,
		propertyTaxSet.head("LIB_CESS", "Library cess", billing.Cess, 30, "3503001"),
		propertyTaxSet.head("EDU_CESS", "Education cess", billing.Cess, 30, "3503002"),
		propertyTaxSet.head("ROUNDOFF", "Round off", billing.RoundOff, 50, "1808099"),
	}
}

// propertyTaxMaster is tariffs.md's unit-area sample with the cesses, levied
// to the rupee.
func propertyTaxMaster() calc.UnitAreaMaster {
	m := calc.SampleUnitAreaMaster()
	m.Cesses = []calc.Cess{
		{Head: "LIB_CESS", Percent: decimal.RequireFromString("3")},
		{Head: "EDU_CESS", Percent: decimal.RequireFromString("2")},
	}
	m.RoundToRupee = true
	return m
}

// setUpPropertyTax saves the heads and the year's master.
func setUpPropertyTax(ctx context.Context, b *billing.Service, tenant string, fy int) error {
	for _, h := range propertyTaxHeads() {
		if _, err := b.SaveTaxHead(ctx, tenant, h, "setup"); err != nil {
			return fmt.Errorf("tax head %s: %w", h.Code, err)
		}
	}
	return b.SaveUnitAreaMaster(ctx, tenant, fy, propertyTaxMaster(), "setup")
}

// propertyTaxChargeHeads are the heads of the early-payment rebate and the
// late-payment penalty and interest, levied to the rupee like the tax.
func propertyTaxChargeHeads() []billing.TaxHead {
	heads := []billing.TaxHead{
		propertyTaxSet.head("REBATE", "Rebate for early payment", billing.Rebate, 60, "1109004"),
		propertyTaxSet.head("PENALTY", "Penalty on late payment", billing.Penalty, 20, "1402010"),
		propertyTaxSet.head("INTEREST", "Interest on late payment", billing.Interest, 10, "1718001"),
	}
	for i := range heads {
		heads[i].RoundToRupee = true
	}
	return heads
}

// propertyTaxLatePayment is tariffs.md's Punjab pattern for the demands of
// fiscal year fy: 10 % rebate until 25 September, a 10 % penalty once the
// due date has passed and 18 % a year simple interest, on the tax and the
// cesses.
func propertyTaxLatePayment(fy int) billing.LatePaymentMaster {
	penalty, interest := calc.SamplePenaltyPunjab(), calc.SampleInterestPunjab()
	return billing.LatePaymentMaster{
		RebateWindows: calc.SampleRebatePunjab(fy), RebateHead: "REBATE",
		Penalty: &penalty, PenaltyHead: "PENALTY",
		Interest: &interest, InterestHead: "INTEREST",
		BaseCategories: []billing.Category{billing.Tax, billing.Cess},
	}
}

// setUpPropertyTaxCharges saves the charge heads and each year's
// late-payment master.
func setUpPropertyTaxCharges(ctx context.Context, b *billing.Service, tenant string, years ...int) error {
	if err := saveHeads(ctx, b, tenant, propertyTaxChargeHeads()); err != nil {
		return err
	}
	for _, fy := range years {
		if err := b.SaveLatePaymentMaster(ctx, tenant, billing.PropertyTax, fy, propertyTaxLatePayment(fy), "setup"); err != nil {
			return fmt.Errorf("property-tax late-payment master for %d: %w", fy, err)
		}
	}
	return nil
}

// waterHeads are the water charges and the meter rent.
func waterHeads() []billing.TaxHead {
	return []billing.TaxHead{
		waterSet.head("WATER", "Water charges", billing.Fee, 40, "1405013"),
		waterSet.head("METER_RENT", "Meter rent", billing.Fee, 40, "1405016"),
	}
}

// meteredWaterTariff is tariffs.md's residential and non-residential slabs.
// tariffs.md gives no meter rent: the 15 rupees a month on non-residential
// meters is illustrative.
func meteredWaterTariff() billing.MeteredWaterTariff {
	nonResidential := calc.SampleWaterNonResidential()
	nonResidential.MeterRent = decimal.RequireFromString("15")
	return billing.MeteredWaterTariff{ByUsage: map[string]calc.MeteredWaterMaster{
		"residential": calc.SampleWaterResidential(), "non_residential": nonResidential}}
}

// setUpWater saves the water heads and the year's metered and flat tariffs.
func setUpWater(ctx context.Context, b *billing.Service, tenant string, fy int) error {
	if err := saveHeads(ctx, b, tenant, waterHeads()); err != nil {
		return err
	}
	if err := b.SaveMeteredWaterMaster(ctx, tenant, fy, meteredWaterTariff(), "setup"); err != nil {
		return fmt.Errorf("metered water master: %w", err)
	}
	if err := b.SaveFlatWaterMaster(ctx, tenant, fy, calc.SampleWaterFlat(), "setup"); err != nil {
		return fmt.Errorf("flat water master: %w", err)
	}
	return nil
}

// licenceHeads are the trade licence fee and its late-renewal penalty.
func licenceHeads() []billing.TaxHead {
	return []billing.TaxHead{
		licenceSet.head("TL_FEE", "Trade licence fee", billing.Fee, 40, "1401101"),
		licenceSet.head("TL_PENALTY", "Late renewal penalty", billing.Penalty, 20, "1402010"),
	}
}

// setUpTradeLicences saves the licence heads and the year's bakery tariff.
func setUpTradeLicences(ctx context.Context, b *billing.Service, tenant string, fy int) error {
	if err := saveHeads(ctx, b, tenant, licenceHeads()); err != nil {
		return err
	}
	if err := b.SaveTradeMaster(ctx, tenant, fy, calc.SampleTradeMaster(), "setup"); err != nil {
		return fmt.Errorf("trade licence master: %w", err)
	}
	return nil
}

// sampleProperties makes n properties numbered from first: wards W01 to
// W(wards), colony categories A to C, one to three floors, mostly
// residential and self-occupied, built between 1960 and 2024.
func sampleProperties(rng *rand.Rand, first, n, wards int) []billing.Property {
	out := make([]billing.Property, n)
	uses := []string{"residential", "residential", "residential", "commercial"}
	structures := []string{"pucca", "pucca", "semi_pucca", "kutcha"}
	occupancies := []string{"self", "self", "tenanted"}
	for i := range out {
		no := first + i
		ward := 1 + rng.IntN(wards)
		p := billing.Property{
			ConsumerCode: fmt.Sprintf("PT-%02d-%07d", ward, no),
			OwnerName:    sampleNames[rng.IntN(len(sampleNames))],
			OwnerPhone:   fmt.Sprintf("98%08d", rng.IntN(100_000_000)),
			Address:      fmt.Sprintf("%d, Ward %d", 1+rng.IntN(400), ward),
			Ward:         fmt.Sprintf("W%02d", ward),
			Category:     string(rune('A' + rng.IntN(3))),
		}
		built := 1960 + rng.IntN(65)
		for f := range 1 + rng.IntN(3) {
			p.Units = append(p.Units, calc.AreaUnit{
				Label:     fmt.Sprintf("floor %d", f),
				AreaM2:    decimal.New(int64(4000+rng.IntN(16000)), -2), // 40.00 to 199.99 m2
				Use:       uses[rng.IntN(len(uses))],
				Structure: structures[rng.IntN(len(structures))],
				Occupancy: occupancies[rng.IntN(len(occupancies))],
				YearBuilt: built,
			})
		}
		out[i] = p
	}
	return out
}

var sampleNames = []string{"Aarti Negi", "Bhupesh Rawat", "Chandra Bisht", "Deepa Joshi", "Gaurav Pant",
	"Harish Chauhan", "Indu Bhatt", "Kamal Thapa", "Lata Semwal", "Manoj Uniyal", "Neha Dobhal", "Prakash Nautiyal",
	"Rekha Gusain", "Sanjay Kandari", "Tara Bahuguna", "Vikram Panwar"}
