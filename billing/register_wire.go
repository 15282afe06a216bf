package billing

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing/calc"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/ledger"
)

// The register service's messages to and from the domain. Decoding
// collects a violation per malformed field, named by its request path.

type decoder struct{ vs []ledger.FieldViolation }

func (w *decoder) bad(field, format string, args ...any) {
	w.vs = append(w.vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
}

func (w *decoder) err() error {
	if len(w.vs) == 0 {
		return nil
	}
	return &ledger.ValidationError{Violations: w.vs}
}

// dec reads a required decimal.
func (w *decoder) dec(field, s string) decimal.Decimal {
	if s == "" {
		w.bad(field, "is required")
		return decimal.Zero
	}
	return w.decOpt(field, s)
}

// decOpt reads a decimal; empty is zero.
func (w *decoder) decOpt(field, s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		w.bad(field, "must be a decimal such as \"12.50\", got %q", s)
	}
	return d
}

func (w *decoder) decMap(field string, in map[string]string) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(in))
	for _, k := range slices.Sorted(maps.Keys(in)) {
		out[k] = w.dec(field+"["+k+"]", in[k])
	}
	return out
}

func (w *decoder) decTables(field string, in map[string]*billingv1.DecimalTable) map[string]map[string]decimal.Decimal {
	out := make(map[string]map[string]decimal.Decimal, len(in))
	for _, k := range slices.Sorted(maps.Keys(in)) {
		out[k] = w.decMap(field+"["+k+"]", in[k].GetValues())
	}
	return out
}

// date reads a required date.
func (w *decoder) date(field, s string) time.Time {
	if s == "" {
		w.bad(field, "is required")
		return time.Time{}
	}
	return w.dateOpt(field, s)
}

// dateOpt reads a date; empty is the zero time.
func (w *decoder) dateOpt(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := ledger.ParseDate(field, s)
	if err != nil {
		w.bad(field, "must be a date YYYY-MM-DD, got %q", s)
	}
	return t
}

func intPtr(p *int32) *int {
	if p == nil {
		return nil
	}
	n := int(*p)
	return &n
}

func int32Ptr(p *int) *int32 {
	if p == nil {
		return nil
	}
	n := int32(*p)
	return &n
}

func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func decStrings(m map[string]decimal.Decimal) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

func decTablesOut(m map[string]map[string]decimal.Decimal) map[string]*billingv1.DecimalTable {
	out := make(map[string]*billingv1.DecimalTable, len(m))
	for k, v := range m {
		out[k] = &billingv1.DecimalTable{Values: decStrings(v)}
	}
	return out
}

func (w *decoder) properties(in []*billingv1.Property) []Property {
	out := make([]Property, len(in))
	for i, p := range in {
		out[i] = Property{ConsumerCode: p.GetConsumerCode(), OwnerName: p.GetOwnerName(), OwnerPhone: p.GetOwnerPhone(),
			OwnerEmail: p.GetOwnerEmail(), Address: p.GetAddress(), Ward: p.GetWard(), Category: p.GetCategory()}
		for j, u := range p.GetUnits() {
			out[i].Units = append(out[i].Units, calc.AreaUnit{Label: u.GetLabel(),
				AreaM2: w.dec(fmt.Sprintf("properties[%d].units[%d].area_m2", i, j), u.GetAreaM2()), Use: u.GetUse(),
				Structure: u.GetStructure(), Occupancy: u.GetOccupancy(), YearBuilt: int(u.GetYearBuilt())})
		}
	}
	return out
}

func propertyOut(p Property) *billingv1.Property {
	out := &billingv1.Property{ConsumerCode: p.ConsumerCode, OwnerName: p.OwnerName, OwnerPhone: p.OwnerPhone,
		OwnerEmail: p.OwnerEmail, Address: p.Address, Ward: p.Ward, Category: p.Category}
	for _, u := range p.Units {
		out.Units = append(out.Units, &billingv1.PropertyUnit{Label: u.Label, AreaM2: u.AreaM2.StringFixed(2), Use: u.Use,
			Structure: u.Structure, Occupancy: u.Occupancy, YearBuilt: int32(u.YearBuilt)})
	}
	return out
}

func (w *decoder) connections(in []*billingv1.WaterConnection) []WaterConnection {
	out := make([]WaterConnection, len(in))
	for i, c := range in {
		p := fmt.Sprintf("connections[%d]", i)
		out[i] = WaterConnection{ConsumerCode: c.GetConsumerCode(), PropertyCode: c.GetPropertyCode(), HolderName: c.GetHolderName(),
			Address: c.GetAddress(), Ward: c.GetWard(), Kind: c.GetKind(), Usage: c.GetUsage(), PipeSizeMM: int(c.GetPipeSizeMm()),
			ConnectedOn: w.date(p+".connected_on", c.GetConnectedOn()), DisconnectedOn: w.dateOpt(p+".disconnected_on", c.GetDisconnectedOn()),
			MeterNumber: c.GetMeterNumber()}
	}
	return out
}

func (w *decoder) readings(in []*billingv1.MeterReading) []MeterReading {
	out := make([]MeterReading, len(in))
	for i, r := range in {
		p := fmt.Sprintf("readings[%d]", i)
		out[i] = MeterReading{ConsumerCode: r.GetConsumerCode(), Date: w.date(p+".reading_date", r.GetReadingDate()),
			Reading: w.dec(p+".reading", r.GetReading())}
		if rp := r.GetReplacement(); rp != nil {
			out[i].Replacement = &calc.MeterReplacement{OldFinal: w.dec(p+".replacement.old_final", rp.GetOldFinal()),
				NewInitial: w.dec(p+".replacement.new_initial", rp.GetNewInitial())}
		}
	}
	return out
}

func (w *decoder) licences(in []*billingv1.TradeLicence) []Licence {
	out := make([]Licence, len(in))
	for i, l := range in {
		p := fmt.Sprintf("licences[%d]", i)
		out[i] = Licence{ConsumerCode: l.GetConsumerCode(), HolderName: l.GetHolderName(), TradeName: l.GetTradeName(),
			Address: l.GetAddress(), Ward: l.GetWard(), CommencedOn: w.dateOpt(p+".commenced_on", l.GetCommencedOn()),
			ValidFrom: w.date(p+".valid_from", l.GetValidFrom()), ValidTo: w.date(p+".valid_to", l.GetValidTo()), Status: l.GetStatus()}
		for _, u := range l.GetUnits() {
			out[i].Units = append(out[i].Units, calc.TradeUnit{Trade: u.GetTrade(), Size: int(u.GetSize())})
		}
	}
	return out
}

func (w *decoder) cesses(field string, in []*billingv1.Cess) []calc.Cess {
	var out []calc.Cess
	for i, c := range in {
		out = append(out, calc.Cess{Head: c.GetHead(), Percent: w.dec(fmt.Sprintf("%s[%d].percent", field, i), c.GetPercent())})
	}
	return out
}

func cessesOut(cs []calc.Cess) []*billingv1.Cess {
	var out []*billingv1.Cess
	for _, c := range cs {
		out = append(out, &billingv1.Cess{Head: c.Head, Percent: c.Percent.String()})
	}
	return out
}

func (w *decoder) lateBands(field string, in []*billingv1.LateBand) []calc.LateBand {
	var out []calc.LateBand
	for i, b := range in {
		out = append(out, calc.LateBand{UpToDays: intPtr(b.UpToDays), Percent: w.dec(fmt.Sprintf("%s[%d].percent", field, i), b.GetPercent())})
	}
	return out
}

func lateBandsOut(bs []calc.LateBand) []*billingv1.LateBand {
	var out []*billingv1.LateBand
	for _, b := range bs {
		out = append(out, &billingv1.LateBand{UpToDays: int32Ptr(b.UpToDays), Percent: b.Percent.String()})
	}
	return out
}

func (w *decoder) meteredWater(field string, in *billingv1.MeteredWaterMaster) calc.MeteredWaterMaster {
	m := calc.MeteredWaterMaster{MinimumCharge: w.decOpt(field+".minimum_charge", in.GetMinimumCharge()),
		MeterRent: w.decOpt(field+".meter_rent", in.GetMeterRent()), RoundToRupee: in.GetRoundToRupee()}
	for i, s := range in.GetSlabs() {
		f := fmt.Sprintf("%s.slabs[%d]", field, i)
		slab := calc.Slab{Rate: w.dec(f+".rate", s.GetRate())}
		if s.GetUpToKl() != "" {
			kl := w.dec(f+".up_to_kl", s.GetUpToKl())
			slab.UpToKL = &kl
		}
		m.Slabs = append(m.Slabs, slab)
	}
	return m
}

// rateMaster decodes a master; its fields are named under "master".
func (w *decoder) rateMaster(in *billingv1.RateMaster) RateMaster {
	m := RateMaster{Service: in.GetService(), FiscalYear: int(in.GetFiscalYear())}
	switch k := in.GetMaster().(type) {
	case *billingv1.RateMaster_UnitArea:
		u, f := k.UnitArea, "master.unit_area"
		m.UnitArea = &calc.UnitAreaMaster{UnitRates: w.decMap(f+".unit_rates", u.GetUnitRates()),
			UseFactors: w.decMap(f+".use_factors", u.GetUseFactors()), StructureFactors: w.decMap(f+".structure_factors", u.GetStructureFactors()),
			OccupancyFactors: w.decMap(f+".occupancy_factors", u.GetOccupancyFactors()), TaxRates: w.decTables(f+".tax_rates", u.GetTaxRates()),
			Cesses: w.cesses(f+".cesses", u.GetCesses()), RoundToRupee: u.GetRoundToRupee()}
		for i, b := range u.GetAgeFactors() {
			m.UnitArea.AgeFactors = append(m.UnitArea.AgeFactors, calc.AgeBand{UpToYears: intPtr(b.UpToYears),
				Factor: w.dec(fmt.Sprintf("%s.age_factors[%d].factor", f, i), b.GetFactor())})
		}
	case *billingv1.RateMaster_Arv:
		a, f := k.Arv, "master.arv"
		m.ARV = &calc.ARVMaster{ZoneRates: w.decMap(f+".zone_rates", a.GetZoneRates()),
			DepreciationPercent: w.decTables(f+".depreciation_percent", a.GetDepreciationPercent()),
			GeneralTaxRates:     w.decMap(f+".general_tax_rates", a.GetGeneralTaxRates()), Cesses: w.cesses(f+".cesses", a.GetCesses()),
			RoundToRupee: a.GetRoundToRupee()}
	case *billingv1.RateMaster_WaterMetered:
		m.WaterMetered = &MeteredWaterTariff{ByUsage: map[string]calc.MeteredWaterMaster{}}
		byUsage := k.WaterMetered.GetByUsage()
		for _, u := range slices.Sorted(maps.Keys(byUsage)) {
			m.WaterMetered.ByUsage[u] = w.meteredWater("master.water_metered.by_usage["+u+"]", byUsage[u])
		}
	case *billingv1.RateMaster_WaterFlat:
		fl, f := k.WaterFlat, "master.water_flat"
		m.WaterFlat = &calc.FlatWaterMaster{By: calc.FlatBasis(fl.GetBy()), PerMonthByUsage: w.decMap(f+".per_month_by_usage", fl.GetPerMonthByUsage()),
			PerMonthByPipeMM: map[int]decimal.Decimal{}, RoundToRupee: fl.GetRoundToRupee()}
		byPipe := fl.GetPerMonthByPipeMm()
		for _, mm := range slices.Sorted(maps.Keys(byPipe)) {
			m.WaterFlat.PerMonthByPipeMM[int(mm)] = w.dec(fmt.Sprintf("%s.per_month_by_pipe_mm[%d]", f, mm), byPipe[mm])
		}
	case *billingv1.RateMaster_TradeLicence:
		t, f := k.TradeLicence, "master.trade_licence"
		m.Trade = &calc.TradeMaster{Fees: map[string][]calc.FeeBand{}, Combine: calc.Combine(t.GetCombine()),
			NewLateBands: w.lateBands(f+".new_late_bands", t.GetNewLateBands()), RenewalLateBands: w.lateBands(f+".renewal_late_bands", t.GetRenewalLateBands()),
			RoundToRupee: t.GetRoundToRupee()}
		fees := t.GetFees()
		for _, trade := range slices.Sorted(maps.Keys(fees)) {
			for i, b := range fees[trade].GetBands() {
				bf := fmt.Sprintf("%s.fees[%s][%d]", f, trade, i)
				m.Trade.Fees[trade] = append(m.Trade.Fees[trade], calc.FeeBand{UpToSize: intPtr(b.UpToSize),
					New: w.dec(bf+".new_fee", b.GetNewFee()), Renewal: w.dec(bf+".renewal_fee", b.GetRenewalFee())})
			}
		}
	case *billingv1.RateMaster_LatePayment:
		m.LatePayment = w.latePayment("master.late_payment", k.LatePayment)
	}
	return m
}

func (w *decoder) latePayment(field string, in *billingv1.LatePaymentMaster) *LatePaymentMaster {
	m := &LatePaymentMaster{RebateHead: in.GetRebateHead(), PenaltyHead: in.GetPenaltyHead(), InterestHead: in.GetInterestHead()}
	for i, rw := range in.GetRebateWindows() {
		f := fmt.Sprintf("%s.rebate_windows[%d]", field, i)
		m.RebateWindows = append(m.RebateWindows, calc.RebateWindow{LastDay: w.date(f+".last_day", rw.GetLastDay()),
			Percent: w.dec(f+".percent", rw.GetPercent())})
	}
	if p := in.GetPenalty(); p != nil {
		m.Penalty = &calc.PenaltyRule{Percent: w.dec(field+".penalty.percent", p.GetPercent())}
	}
	if r := in.GetInterest(); r != nil {
		m.Interest = &calc.InterestRule{Percent: w.dec(field+".interest.percent", r.GetPercent()), Per: calc.RatePeriod(r.GetPer())}
	}
	for _, c := range in.GetBaseCategories() {
		m.BaseCategories = append(m.BaseCategories, Category(c))
	}
	return m
}

func latePaymentOut(m *LatePaymentMaster) *billingv1.LatePaymentMaster {
	out := &billingv1.LatePaymentMaster{RebateHead: m.RebateHead, PenaltyHead: m.PenaltyHead, InterestHead: m.InterestHead}
	for _, rw := range m.RebateWindows {
		out.RebateWindows = append(out.RebateWindows, &billingv1.RebateWindow{LastDay: isoDay(rw.LastDay), Percent: rw.Percent.String()})
	}
	if m.Penalty != nil {
		out.Penalty = &billingv1.PenaltyRule{Percent: m.Penalty.Percent.String()}
	}
	if m.Interest != nil {
		out.Interest = &billingv1.InterestRule{Percent: m.Interest.Percent.String(), Per: string(m.Interest.Per)}
	}
	for _, c := range m.BaseCategories {
		out.BaseCategories = append(out.BaseCategories, string(c))
	}
	return out
}

func rateMasterOut(m RateMaster) *billingv1.RateMaster {
	out := &billingv1.RateMaster{Service: m.Service, FiscalYear: int32(m.FiscalYear)}
	switch {
	case m.UnitArea != nil:
		u := m.UnitArea
		um := &billingv1.UnitAreaMaster{UnitRates: decStrings(u.UnitRates), UseFactors: decStrings(u.UseFactors),
			StructureFactors: decStrings(u.StructureFactors), OccupancyFactors: decStrings(u.OccupancyFactors),
			TaxRates: decTablesOut(u.TaxRates), Cesses: cessesOut(u.Cesses), RoundToRupee: u.RoundToRupee}
		for _, b := range u.AgeFactors {
			um.AgeFactors = append(um.AgeFactors, &billingv1.AgeBand{UpToYears: int32Ptr(b.UpToYears), Factor: b.Factor.String()})
		}
		out.Master = &billingv1.RateMaster_UnitArea{UnitArea: um}
	case m.ARV != nil:
		a := m.ARV
		out.Master = &billingv1.RateMaster_Arv{Arv: &billingv1.ArvMaster{ZoneRates: decStrings(a.ZoneRates),
			DepreciationPercent: decTablesOut(a.DepreciationPercent), GeneralTaxRates: decStrings(a.GeneralTaxRates),
			Cesses: cessesOut(a.Cesses), RoundToRupee: a.RoundToRupee}}
	case m.WaterMetered != nil:
		t := &billingv1.MeteredWaterTariff{ByUsage: map[string]*billingv1.MeteredWaterMaster{}}
		for u, mm := range m.WaterMetered.ByUsage {
			wm := &billingv1.MeteredWaterMaster{MinimumCharge: mm.MinimumCharge.String(), MeterRent: mm.MeterRent.String(),
				RoundToRupee: mm.RoundToRupee}
			for _, s := range mm.Slabs {
				slab := &billingv1.WaterSlab{Rate: s.Rate.String()}
				if s.UpToKL != nil {
					slab.UpToKl = s.UpToKL.String()
				}
				wm.Slabs = append(wm.Slabs, slab)
			}
			t.ByUsage[u] = wm
		}
		out.Master = &billingv1.RateMaster_WaterMetered{WaterMetered: t}
	case m.WaterFlat != nil:
		fl := m.WaterFlat
		fm := &billingv1.FlatWaterMaster{By: string(fl.By), PerMonthByUsage: decStrings(fl.PerMonthByUsage),
			PerMonthByPipeMm: map[int32]string{}, RoundToRupee: fl.RoundToRupee}
		for mm, v := range fl.PerMonthByPipeMM {
			fm.PerMonthByPipeMm[int32(mm)] = v.String()
		}
		out.Master = &billingv1.RateMaster_WaterFlat{WaterFlat: fm}
	case m.Trade != nil:
		t := m.Trade
		tm := &billingv1.TradeMaster{Fees: map[string]*billingv1.FeeBands{}, Combine: string(t.Combine),
			NewLateBands: lateBandsOut(t.NewLateBands), RenewalLateBands: lateBandsOut(t.RenewalLateBands), RoundToRupee: t.RoundToRupee}
		for trade, bands := range t.Fees {
			fb := &billingv1.FeeBands{}
			for _, b := range bands {
				fb.Bands = append(fb.Bands, &billingv1.FeeBand{UpToSize: int32Ptr(b.UpToSize), NewFee: b.New.String(), RenewalFee: b.Renewal.String()})
			}
			tm.Fees[trade] = fb
		}
		out.Master = &billingv1.RateMaster_TradeLicence{TradeLicence: tm}
	case m.LatePayment != nil:
		out.Master = &billingv1.RateMaster_LatePayment{LatePayment: latePaymentOut(m.LatePayment)}
	}
	return out
}

func calculatedOut(d DemandInput) *billingv1.CalculatedDemand {
	out := &billingv1.CalculatedDemand{Service: d.Service, ConsumerCode: d.ConsumerCode, Ward: d.Ward,
		PeriodFrom: isoDay(d.PeriodFrom), PeriodTo: isoDay(d.PeriodTo), Date: isoDay(d.Date), DueDate: isoDay(d.DueDate)}
	for _, l := range d.Lines {
		out.Lines = append(out.Lines, &billingv1.CalculatedLine{Head: l.Head, Amount: l.Amount.StringFixed(2), Basis: l.Basis})
	}
	out.Total = d.total().StringFixed(2)
	return out
}
