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
// benchmark: property-tax heads mapped as DESIGN.md's entries table says,
// a unit-area master on tariffs.md's figures with the state's library and
// education cesses, and a register generator.

// propertyTaxHeads are the property-tax heads: the tax, two state cesses
// (liabilities, not income) and the round-off.
func propertyTaxHeads() []billing.TaxHead {
	head := func(code, name string, cat billing.Category, prio int, income string) billing.TaxHead {
		return billing.TaxHead{Service: billing.PropertyTax, Code: code, Name: name, Category: cat, Priority: prio,
			IncomeAccount: income, ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"}
	}
	pt := head("PT", "Property tax", billing.Tax, 40, "1100101")
	pt.RoundToRupee = true
	return []billing.TaxHead{
		pt,
		head("LIB_CESS", "Library cess", billing.Cess, 30, "3503001"),
		head("EDU_CESS", "Education cess", billing.Cess, 30, "3503002"),
		head("ROUNDOFF", "Round off", billing.RoundOff, 50, "1808099"),
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
