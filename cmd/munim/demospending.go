package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/ledger"
)

// The demo's budget officers: the accountant drafts and enters, the
// approver approves (the demo's tokens are for the same names).
const (
	demoMaker   = "user:accountant.ravi"
	demoChecker = "user:approver.meena"
)

// demoLines are the demo's budget lines for 2026-27 with their BE.
var demoLines = []struct {
	key                  string
	head, function, fund string
	name, department     string
	control              budget.Control
	be                   string
}{
	{"sanitation", "2302001", "4000", "01", "Sanitation and conservancy material", "Health", budget.ControlBlock, "1200000"},
	{"office-power", "2201101", "0100", "01", "Office electricity", "Administration", budget.ControlWarn, "300000"},
	{"stores", "2303001", "2010", "01", "Engineering stores", "Public Works", budget.ControlBlock, "800000"},
	{"roads", "4120041", "2010", "02", "Road upgradation (AMRUT 2.0)", "Public Works", budget.ControlBlock, "15000000"},
	{"equipment", "410", "0200", "02", "Office equipment and computers", "Accounts", budget.ControlWarn, "2000000"},
}

// demoOpeningRegister is the register Dehradun brings onto Munim, as it
// stood on 31 March 2026.
const demoOpeningRegister = `code,name,class,location,ward,function,fund,funding_source,scheme,acquired_on,put_to_use_on,cost,accumulated_depreciation,quantity
LAND-TOWNHALL,Town hall land,LAND,Clock Tower,W01,0100,01,own,,1952-06-01,1952-06-01,4500000,0,2.1 acre
BLD-TOWNHALL,Town hall,BUILDING_RCC,Clock Tower,W01,0100,01,own,,1998-04-01,1998-04-01,32000000,14933333.33,
BLD-DISPENSARY,Karanpur dispensary,BUILDING_OTHER,Karanpur,W04,3000,01,own,,2011-04-01,2011-04-01,6500000,3250000,
RD-CHAKRATA,Chakrata Road (2.4 km),ROAD_RCC,Chakrata Road,W02,2010,02,grant,JNNURM,2019-04-01,2019-04-01,48000000,33600000,2.4 km x 12 m
BR-BINDAL,Bindal bridge,BRIDGE,Bindal,W03,2020,02,loan,HUDCO loan 2015/77,2016-04-01,2016-04-01,21000000,7000000,
TRK-01,Garbage compactor UK07-CA-1021,BUS_LORRY,Workshop,W05,4000,01,own,,2022-04-01,2022-04-01,2400000,1600000,1
CAR-01,Commissioner's car UK07-GA-0001,CAR,Clock Tower,W01,0100,01,own,,2023-04-01,2023-04-01,900000,337500,1
PC-ACCOUNTS,Accounts section computers,COMPUTER,Clock Tower,W01,0200,01,own,,2023-10-01,2023-10-01,600000,500000,8
`

// seedDemoSpending gives the demo ULB its year's budget (a BE approved,
// a supplementary provision, three re-appropriations, a work order and a
// purchase order), bills against it (some paid, some over a warn-mode
// line), and a fixed-asset register: the opening register approved, a
// road in CWIP built from its contractor's bills, a toilet block
// capitalised, computers bought, and the half-year's depreciation run. It
// is idempotent, as every step of the demo is: each record is found by its
// key or code when it is there.
func seedDemoSpending(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, led *ledger.Ledger) error {
	bud := budget.NewService(pool, nil)
	spend := expenditure.NewService(pool, led, bud, nil)
	reg := assets.NewService(pool, led, nil)
	lines, err := demoBudget(ctx, bud)
	if err != nil {
		return fmt.Errorf("demo budget: %w", err)
	}
	bills, err := demoBills(ctx, bud, spend, lines)
	if err != nil {
		return fmt.Errorf("demo bills: %w", err)
	}
	if err := demoAssets(ctx, reg, bills); err != nil {
		return fmt.Errorf("demo assets: %w", err)
	}
	log.Info("demo budget, bills and asset register in place", "budget_lines", len(lines), "bills", len(bills))
	return nil
}

// demoBudget creates the lines, approves their BE and a supplementary
// provision, and sanctions the re-appropriations; it returns the line ids
// by key.
func demoBudget(ctx context.Context, bud *budget.Service) (map[string]int64, error) {
	have, err := bud.Lines(ctx, demoTenant, demoFY)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	be := map[int64]decimal.Decimal{}
	for _, dl := range demoLines {
		var id int64
		for _, l := range have {
			if l.HeadCode == dl.head && l.FunctionCode == dl.function && l.FundCode == dl.fund {
				id = l.ID
			}
		}
		if id == 0 {
			l, err := bud.CreateLine(ctx, demoTenant, demoMaker, budget.LineInput{FiscalYear: demoFY, HeadCode: dl.head, FunctionCode: dl.function,
				FundCode: dl.fund, Department: dl.department, Name: dl.name, Control: dl.control})
			if err != nil {
				return nil, err
			}
			id = l.ID
		}
		ids[dl.key] = id
		be[id] = decimal.RequireFromString(dl.be)
	}
	estimates, err := bud.Estimates(ctx, demoTenant, demoFY)
	if err != nil {
		return nil, err
	}
	find := func(kind budget.EstimateKind) *budget.Estimate {
		for i := range estimates {
			if estimates[i].Kind == kind {
				return &estimates[i]
			}
		}
		return nil
	}
	approve := func(kind budget.EstimateKind, reference string, amounts map[int64]decimal.Decimal) error {
		e := find(kind)
		if e == nil {
			got, err := bud.DraftEstimate(ctx, demoTenant, demoMaker, demoFY, kind, reference, amounts)
			if err != nil {
				return err
			}
			e = &got
		}
		if e.Status == budget.Draft {
			if _, err := bud.SubmitEstimate(ctx, demoTenant, demoMaker, e.ID); err != nil {
				return err
			}
		}
		if e.Status != budget.Approved {
			if _, err := bud.ApproveEstimate(ctx, demoTenant, demoChecker, e.ID); err != nil {
				return err
			}
		}
		return nil
	}
	if err := approve(budget.BE, "Board resolution 14/2026 of 20 March 2026", be); err != nil {
		return nil, err
	}
	if err := approve(budget.Supplementary, "Monsoon sanitation drive, resolution 41/2026",
		map[int64]decimal.Decimal{ids["sanitation"]: decimal.NewFromInt(200_000)}); err != nil {
		return nil, err
	}
	for i, r := range []struct {
		from, to, amount, sanction string
		date                       time.Time
		reason                     string
	}{
		{"office-power", "sanitation", "50000", "EO/REAPP/2026/07", ledger.Date(2026, 7, 15), "dengue control material"},
		{"stores", "sanitation", "100000", "EO/REAPP/2026/09", ledger.Date(2026, 8, 20), "monsoon drain cleaning"},
		{"equipment", "roads", "500000", "EO/REAPP/2026/11", ledger.Date(2026, 9, 25), "Rajpur Road extra length"},
	} {
		if _, err := bud.Reappropriate(ctx, demoTenant, demoChecker, budget.ReappropriationInput{FromLineID: ids[r.from], ToLineID: ids[r.to],
			Amount: decimal.RequireFromString(r.amount), SanctionNumber: r.sanction, SanctionDate: r.date, Reason: r.reason,
			IdempotencyKey: fmt.Sprintf("demo-reapp-%d", i+1)}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// demoBill is a bill of the demo: its input and whether, when and how it is paid.
type demoBill struct {
	key      string
	in       expenditure.BillInput
	payOn    time.Time // zero: unpaid
	mode     string
	ref      string
	approved expenditure.Bill
}

// demoBills enters, approves and pays the demo's bills, returning them as
// approved (the asset register captures the capital ones).
func demoBills(ctx context.Context, bud *budget.Service, spend *expenditure.Service, lines map[string]int64) ([]demoBill, error) {
	for _, p := range []expenditure.Party{
		{Code: "CON-7", Name: "Doon Builders and Engineers", Kind: "contractor", PAN: "AAFCD1234K"},
		{Code: "SUP-1", Name: "Garhwal Chemicals", Kind: "supplier", GSTIN: "05AAGCG5678L1Z2"},
		{Code: "SUP-2", Name: "Himalayan Computers", Kind: "supplier", GSTIN: "05AAHCH9012M1Z7"},
		{Code: "SUP-3", Name: "Uttarakhand Power Corporation", Kind: "supplier"},
	} {
		if _, err := spend.SaveParty(ctx, demoTenant, p); err != nil {
			return nil, err
		}
	}
	order := func(key, kind, ref, party string, line int64, amount string, date time.Time) (int64, error) {
		c, _, err := bud.Commit(ctx, demoTenant, demoMaker, budget.CommitmentInput{LineID: line, Kind: kind, Reference: ref, Party: party,
			Date: date, Amount: decimal.RequireFromString(amount), IdempotencyKey: key})
		return c.ID, err
	}
	wo, err := order("demo-wo-14", "work_order", "WO/2026/14", "CON-7", lines["roads"], "12000000", ledger.Date(2026, 5, 20))
	if err != nil {
		return nil, err
	}
	po, err := order("demo-po-31", "purchase_order", "PO/2026/31", "SUP-1", lines["sanitation"], "400000", ledger.Date(2026, 5, 2))
	if err != nil {
		return nil, err
	}
	amt := decimal.RequireFromString
	works := func(number string, date time.Time, head, fn string, gross string, commitment int64) expenditure.BillInput {
		g := amt(gross)
		pct := func(p int64) decimal.Decimal {
			return g.Mul(decimal.NewFromInt(p)).Div(decimal.NewFromInt(100)).Round(2)
		}
		return expenditure.BillInput{PartyCode: "CON-7", PartyBillNumber: number, Date: date, CommitmentID: commitment, FundCode: "02",
			Narration: "Running bill " + number, Lines: []expenditure.BillLineInput{{AccountCode: head, FunctionCode: fn, Amount: g}},
			Deductions: []expenditure.DeductionInput{{Kind: expenditure.TDS, Amount: pct(2)}, {Kind: expenditure.Retention, Amount: pct(5)},
				{Kind: expenditure.SecurityDeposit, Amount: pct(2)}}}
	}
	supply := func(party, number string, date time.Time, head, fn, gross string, commitment int64, tds string) expenditure.BillInput {
		in := expenditure.BillInput{PartyCode: party, PartyBillNumber: number, Date: date, CommitmentID: commitment, FundCode: "01",
			Narration: "Invoice " + number, Lines: []expenditure.BillLineInput{{AccountCode: head, FunctionCode: fn, Amount: amt(gross)}}}
		if tds != "" {
			in.Deductions = []expenditure.DeductionInput{{Kind: expenditure.TDS, Amount: amt(tds)}}
		}
		return in
	}
	bills := []demoBill{
		{key: "rajpur-ra1", in: works("RA-1/WO-14", ledger.Date(2026, 6, 20), "4120041", "2010", "4000000", wo),
			payOn: ledger.Date(2026, 7, 5), mode: "neft", ref: "UTR SBIN126070500114"},
		{key: "rajpur-ra2", in: works("RA-2/WO-14", ledger.Date(2026, 9, 10), "4120041", "2010", "6000000", wo)},
		{key: "toilet-ra1", in: works("RA-1/GP-T", ledger.Date(2026, 7, 18), "4120026", "5010", "900000", 0),
			payOn: ledger.Date(2026, 8, 1), mode: "rtgs", ref: "UTR SBINR52026080100031"},
		{key: "bleach-1", in: supply("SUP-1", "GC/26/118", ledger.Date(2026, 5, 14), "2302001", "4000", "150000", po, "3000"),
			payOn: ledger.Date(2026, 5, 30), mode: "cheque", ref: "CHQ 004511"},
		{key: "bleach-2", in: supply("SUP-1", "GC/26/240", ledger.Date(2026, 7, 9), "2302001", "4000", "180000", po, "3600"),
			payOn: ledger.Date(2026, 7, 28), mode: "cheque", ref: "CHQ 004602"},
		{key: "bleach-3", in: supply("SUP-1", "GC/26/377", ledger.Date(2026, 9, 3), "2302001", "4000", "70000", po, "1400")},
		{key: "stores-1", in: supply("SUP-1", "GC/26/301", ledger.Date(2026, 8, 12), "2303001", "2010", "250000", 0, "5000"),
			payOn: ledger.Date(2026, 8, 30), mode: "neft", ref: "UTR SBIN126083000412"},
		{key: "computers", in: supply("SUP-2", "HC/2026/88", ledger.Date(2026, 8, 6), "4106002", "0200", "650000", 0, "13000"),
			payOn: ledger.Date(2026, 8, 20), mode: "neft", ref: "UTR SBIN126082000077"},
	}
	bills[len(bills)-1].in.FundCode = "02"
	for m := time.April; m <= time.September; m++ {
		d := ledger.Date(2026, m+1, 8)
		gross := fmt.Sprintf("%d", 44_000+int(m)*2_100)
		b := demoBill{key: "office-power-" + d.Format("2006-01"), in: supply("SUP-3", "UPCL/"+d.Format("0601"), d, "2201101", "0100", gross, 0, "")}
		if m < time.September {
			b.payOn, b.mode, b.ref = d.AddDate(0, 0, 10), "neft", "UTR SBIN1"+d.Format("20060102")
		}
		bills = append(bills, b)
	}
	for i := range bills {
		b := &bills[i]
		b.in.IdempotencyKey = "demo-bill-" + b.key
		got, err := spend.SubmitBill(ctx, demoTenant, demoMaker, b.in)
		if err != nil {
			return nil, fmt.Errorf("bill %s: %w", b.key, err)
		}
		if got.Status == "submitted" {
			if got, _, err = spend.ApproveBill(ctx, demoTenant, demoChecker, got.ID); err != nil {
				return nil, fmt.Errorf("approve bill %s: %w", b.key, err)
			}
		}
		b.approved = got
		if !b.payOn.IsZero() {
			if _, err := spend.PayBill(ctx, demoTenant, demoMaker, expenditure.PaymentInput{BillID: got.ID, Date: b.payOn, Amount: got.Net,
				Mode: b.mode, InstrumentRef: b.ref, IdempotencyKey: "demo-pay-" + b.key}); err != nil {
				return nil, fmt.Errorf("pay bill %s: %w", b.key, err)
			}
		}
	}
	return bills, nil
}

// demoAssets brings in the opening register, builds the road and the
// toilet block from their bills, records the computers bought, capitalises
// the toilet block and runs the half-year's depreciation.
func demoAssets(ctx context.Context, reg *assets.Service, bills []demoBill) error {
	if err := reg.SeedDefaultClasses(ctx, demoTenant); err != nil {
		return err
	}
	all, err := reg.Assets(ctx, demoTenant, "", "")
	if err != nil {
		return err
	}
	byCode := map[string]assets.Asset{}
	for _, a := range all {
		byCode[a.Code] = a
	}
	opening, ok := byCode["BLD-TOWNHALL"]
	if !ok {
		imp, err := reg.ImportOpening(ctx, demoTenant, demoMaker, ledger.Date(demoFY, 4, 1), strings.NewReader(demoOpeningRegister))
		if err != nil {
			return err
		}
		opening.Status, opening.ImportID = "opening", imp.ID
	}
	if opening.Status == "opening" {
		if _, err := reg.ApproveImport(ctx, demoTenant, demoChecker, opening.ImportID); err != nil {
			return err
		}
	}
	voucher := map[string]int64{}
	for _, b := range bills {
		voucher[b.key] = b.approved.VoucherID
	}
	for _, w := range []struct {
		in       assets.AssetInput
		bills    []string
		putToUse time.Time
	}{
		{assets.AssetInput{Code: "RD-RAJPUR", Name: "Rajpur Road upgradation (3.1 km)", ClassCode: "ROAD_RCC", Location: "Rajpur Road", Ward: "W07",
			FunctionCode: "2010", FundCode: "02", FundingSource: "grant", Scheme: "AMRUT 2.0", AcquisitionMode: "construction",
			AcquiredOn: ledger.Date(2026, 5, 20), Quantity: "3.1 km x 10 m"}, []string{"rajpur-ra1", "rajpur-ra2"}, time.Time{}},
		{assets.AssetInput{Code: "BLD-GP-TOILET", Name: "Gandhi Park toilet block", ClassCode: "BUILDING_OTHER", Location: "Gandhi Park", Ward: "W01",
			FunctionCode: "5010", FundCode: "02", FundingSource: "grant", Scheme: "SBM-U 2.0", AcquisitionMode: "construction",
			AcquiredOn: ledger.Date(2026, 6, 1)}, []string{"toilet-ra1"}, ledger.Date(2026, 9, 1)},
		{assets.AssetInput{Code: "PC-2026", Name: "Computers for the accounts section", ClassCode: "COMPUTER", Location: "Clock Tower", Ward: "W01",
			FunctionCode: "0200", FundCode: "02", FundingSource: "own", AcquisitionMode: "purchase", AcquiredOn: ledger.Date(2026, 8, 6),
			PutToUseOn: ptrDate(ledger.Date(2026, 8, 10)), Quantity: "10"}, []string{"computers"}, time.Time{}},
	} {
		a, ok := byCode[w.in.Code]
		if !ok {
			if a, err = reg.AddAsset(ctx, demoTenant, demoMaker, w.in); err != nil {
				return err
			}
		}
		for _, b := range w.bills {
			if _, err := reg.CaptureCost(ctx, demoTenant, demoMaker, a.ID, voucher[b], nil); err != nil && !errors.Is(err, ledger.ErrExists) {
				return fmt.Errorf("capture %s on %s: %w", b, w.in.Code, err)
			}
		}
		if !w.putToUse.IsZero() {
			if _, err := reg.Capitalise(ctx, demoTenant, demoMaker, a.ID, w.putToUse); err != nil && !errors.Is(err, assets.ErrAssetState) {
				return err
			}
		}
	}
	_, err = reg.Depreciate(ctx, demoTenant, demoMaker, ledger.Date(demoFY, 9, 30))
	return err
}

func ptrDate(t time.Time) *time.Time { return &t }
