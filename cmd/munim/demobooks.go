package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/ledger"
)

// demoBooks builds the demo ULB's vouchers that no demand stands behind.
type demoBooks struct {
	rng      *rand.Rand
	vouchers []ledger.Voucher
}

// demoVouchers is seven months (April to October 2026) of what the demo
// ULB's books hold besides its demands: fees taken at the counter for
// services paid on the spot (birth and death certificates, parking),
// remitted to the bank the same day; the state's monthly devolution
// grant; road repairs, salaries and power for street lights and water
// pumping, paid from the bank. None touches a receivable: the demands and
// their accruals come from the demand runs, so the DCB ties to the ledger,
// and collections against demands are the receipts module's to post. The
// generator is seeded, so every demo has the same books.
func demoVouchers() []ledger.Voucher {
	b := &demoBooks{rng: rand.New(rand.NewPCG(2026, 27))}
	for m := time.April; m <= time.October; m++ {
		end := monthEnd(ledger.Date(2026, m, 1))
		for d := ledger.Date(2026, m, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
			b.day(d)
		}
		b.payMonth(end)
	}
	return b.vouchers
}

func (b *demoBooks) money(lo, hi int) decimal.Decimal {
	return decimal.New(int64(lo*100+b.rng.IntN((hi-lo)*100)), -2)
}

// add appends a two-line voucher: debit dr, credit cr, amt, under function fn.
func (b *demoBooks) add(t ledger.VoucherType, d time.Time, narration, ref, dr, cr, fn string, amt decimal.Decimal) {
	b.vouchers = append(b.vouchers, ledger.Voucher{Type: t, Date: d, Narration: narration, SourceRef: ref,
		IdempotencyKey: fmt.Sprintf("demo-books-%05d", len(b.vouchers)+1), Lines: []ledger.Line{
			{AccountCode: dr, FundCode: "01", FunctionCode: fn, Debit: amt},
			{AccountCode: cr, FundCode: "01", FunctionCode: fn, Credit: amt},
		}})
}

// day is a working day's counter fees, the grant on the 5th, road repairs
// on the 12th and 26th, and the day's fee cash remitted.
func (b *demoBooks) day(d time.Time) {
	if d.Day() == 5 {
		b.add(ledger.Receipt, d, "State Finance Commission devolution, per capita grant "+d.Month().String(), "SFC/"+d.Format("2006-01"),
			"4502101", "1601002", "0100", b.money(4_500_000, 5_000_000))
	}
	if d.Weekday() == time.Sunday {
		return
	}
	certificates, parking := b.money(400, 3000), b.money(1500, 6000)
	b.add(ledger.Receipt, d, "Birth and death certificate fees", "COUNTER/"+d.Format(time.DateOnly), "4501001", "1401302", "3000", certificates)
	b.add(ledger.Receipt, d, "Parking fees, Paltan Bazaar", "COUNTER/"+d.Format(time.DateOnly), "4501001", "1301010", "5000", parking)
	if d.Day() == 12 || d.Day() == 26 {
		b.add(ledger.Payment, d, "By-lane road repairs, running bill", "WORKS/"+d.Format(time.DateOnly), "2305002", "4502101", "2010", b.money(100_000, 400_000))
	}
	// The day's fee cash goes to the bank with the day's challan, so cash on
	// hand holds only what the receipts' own cash book shows.
	b.add(ledger.Contra, d, "Counter fee cash remitted to SBI", "CHALLAN/"+d.Format(time.DateOnly), "4502101", "4501001", "0200",
		certificates.Add(parking))
}

// payMonth pays the month's salaries and power bills on its last day.
func (b *demoBooks) payMonth(d time.Time) {
	month := d.Month().String()
	b.add(ledger.Payment, d, "Salaries "+month, "PAYROLL", "2101001", "4502101", "0100", b.money(2_800_000, 3_100_000))
	b.add(ledger.Payment, d, "Power for water pumping "+month, "UPCL", "2301002", "4502101", "8000", b.money(300_000, 500_000))
	b.add(ledger.Payment, d, "Street-light electricity "+month, "UPCL", "2301001", "4502101", "2030", b.money(180_000, 260_000))
}
