package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/ledger"
)

// Register generators for a sample ULB's water and trade licence
// registers, to go with sampleProperties. Each draws from the caller's
// seeded generator, so the same seed makes the same registers.

// sampleConnections gives n of the properties (at most all of them) a
// water connection in the owner's name: a property with a commercial unit
// draws non-residential water, a few connections serve government offices
// on the flat rate, and about six in ten of the others are metered. Most
// were made between 1990 and 2025; about one in thirty during the first
// half of fiscal year fy (before the 28th of its month), so its first bill
// is for part of a month.
func sampleConnections(rng *rand.Rand, props []billing.Property, n, fy int) []billing.WaterConnection {
	picked := rng.Perm(len(props))[:min(n, len(props))]
	out := make([]billing.WaterConnection, len(picked))
	for i, k := range picked {
		p := props[k]
		c := billing.WaterConnection{
			ConsumerCode: fmt.Sprintf("WC-%06d", i+1),
			PropertyCode: p.ConsumerCode,
			HolderName:   p.OwnerName,
			Address:      p.Address,
			Ward:         p.Ward,
			Kind:         billing.NonMetered,
			Usage:        waterUsage(p),
			PipeSizeMM:   15,
			ConnectedOn:  ledger.Date(1990, time.January, 1).AddDate(0, 0, rng.IntN(36*365)),
		}
		if rng.IntN(30) == 0 {
			c.ConnectedOn = ledger.Date(fy, time.April+time.Month(rng.IntN(6)), 1+rng.IntN(27))
		}
		switch {
		case rng.IntN(30) == 0:
			c.Usage, c.PipeSizeMM = "government", 25
		case rng.IntN(10) < 6:
			c.Kind, c.MeterNumber = billing.Metered, fmt.Sprintf("DJS-%07d", 1_000_000+rng.IntN(9_000_000))
		}
		if c.Usage == "non_residential" {
			c.PipeSizeMM = 20
		}
		out[i] = c
	}
	return out
}

// waterUsage is the tariff class of a property's water: non-residential
// when any unit is used commercially.
func waterUsage(p billing.Property) string {
	if slices.ContainsFunc(p.Units, func(u calc.AreaUnit) bool { return u.Use == "commercial" }) {
		return "non_residential"
	}
	return "residential"
}

// sampleReadings reads every metered connection at the end of each month
// from..to, after an opening reading the day before from (or on the day a
// later connection was made, from zero). A household draws 6 to 36 KL a
// month, a shop or office 8 to 68; meters read to the litre.
func sampleReadings(rng *rand.Rand, cs []billing.WaterConnection, from, to time.Time) []billing.MeterReading {
	var out []billing.MeterReading
	for _, c := range cs {
		if c.Kind != billing.Metered {
			continue
		}
		open, reading := from.AddDate(0, 0, -1), decimal.New(int64(rng.IntN(4_000_000)), -3)
		if c.ConnectedOn.After(open) {
			open, reading = c.ConnectedOn, decimal.Zero
		}
		out = append(out, billing.MeterReading{ConsumerCode: c.ConsumerCode, Date: open, Reading: reading})
		lo, spread := 6_000, 30_000
		if c.Usage == "non_residential" {
			lo, spread = 8_000, 60_000
		}
		for end := monthEnd(from); !end.After(to); end = monthEnd(end.AddDate(0, 0, 1)) {
			if !end.After(open) {
				continue
			}
			reading = reading.Add(decimal.New(int64(lo+rng.IntN(spread)), -3))
			out = append(out, billing.MeterReading{ConsumerCode: c.ConsumerCode, Date: end, Reading: reading})
		}
	}
	return out
}

// monthEnd is the last day of d's month.
func monthEnd(d time.Time) time.Time {
	return ledger.Date(d.Year(), d.Month(), 1).AddDate(0, 1, -1)
}

var bakeryNames = []string{"Doon Bakers", "Rajpur Road Bakery", "Paltan Bazaar Rusks", "Clock Tower Confectioners",
	"Himalayan Bake House", "Ganga Biscuit Works", "Mussoorie Road Bakery", "Prem Nagar Bakers", "Dharampur Cakes",
	"Jakhan Bread Co."}

// sampleLicences makes n bakery licences numbered from 1 in wards W01 to
// W(wards), whose renewal falls due in fiscal year fy: about one in seven
// lapsed on 31 March, one in ten expires in April, the rest later in the
// year. One in fifty is suspended, and is not renewed. Most are small
// bakeries of 1 to 30 workers, some medium, a few carry on both.
func sampleLicences(rng *rand.Rand, n, wards, fy int) []billing.Licence {
	out := make([]billing.Licence, n)
	for i := range out {
		ward := 1 + rng.IntN(wards)
		validTo := ledger.Date(fy, time.March, 31)
		switch r := rng.IntN(100); {
		case r < 14: // lapsed on 31 March
		case r < 24:
			validTo = ledger.Date(fy, time.April, 1+rng.IntN(30))
		default:
			validTo = ledger.Date(fy, time.May, 1).AddDate(0, 0, rng.IntN(334))
		}
		l := billing.Licence{
			ConsumerCode: fmt.Sprintf("TL-%05d", i+1),
			HolderName:   sampleNames[rng.IntN(len(sampleNames))],
			TradeName:    bakeryNames[rng.IntN(len(bakeryNames))],
			Address:      fmt.Sprintf("Shop %d, Ward %d", 1+rng.IntN(200), ward),
			Ward:         fmt.Sprintf("W%02d", ward),
			Units:        []calc.TradeUnit{{Trade: "bakery_small", Size: 1 + rng.IntN(30)}},
			CommencedOn:  ledger.Date(1985+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)),
			ValidFrom:    validTo.AddDate(-1, 0, 1),
			ValidTo:      validTo,
			Status:       billing.LicenceActive,
		}
		switch r := rng.IntN(100); {
		case r < 15:
			l.Units[0].Trade = "bakery_medium"
		case r < 20:
			l.Units = append(l.Units, calc.TradeUnit{Trade: "bakery_medium", Size: 5 + rng.IntN(40)})
		}
		if rng.IntN(50) == 0 {
			l.Status = billing.LicenceSuspended
		}
		out[i] = l
	}
	return out
}
