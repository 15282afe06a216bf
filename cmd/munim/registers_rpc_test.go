package main

import (
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/munimhq/munim/auth"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
)

func (w world) registers(cred string) billingv1connect.RegisterServiceClient {
	return billingv1connect.NewRegisterServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

// violationField is the first field an InvalidArgument error names, from
// the domain's checks or the proto's rules.
func violationField(t *testing.T, err error) string {
	t.Helper()
	var ce *connect.Error
	require.ErrorAs(t, err, &ce)
	require.Equal(t, connect.CodeInvalidArgument, ce.Code(), "%v", err)
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if br, ok := v.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
				return br.FieldViolations[0].Field
			}
			if vs, ok := v.(*validate.Violations); ok && len(vs.GetViolations()) > 0 {
				return protovalidate.FieldPathString(vs.GetViolations()[0].GetField())
			}
		}
	}
	return ce.Message()
}

// An administrator keeps the water register and its tariff over RPC; a
// cashier previews a bill, working and all; nobody else writes the
// registers, and bad input comes back naming the field.
func TestRegistersOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	const ulb = "uk.dehradun"
	admin := w.registers(token(t, "asha", []auth.Role{auth.RoleAdmin}, ulb))
	cashier := w.registers(token(t, "sunil", []auth.Role{auth.RoleCashier}, ulb))
	bills := w.billing(token(t, "asha", []auth.Role{auth.RoleAdmin}, ulb))
	_, err := bills.SaveTaxHead(w.ctx, connect.NewRequest(&billingv1.SaveTaxHeadRequest{TenantId: ulb, TaxHead: &billingv1.TaxHead{
		Service: "water", Code: "WATER", Name: "Water charges", Category: "fee", Priority: 40,
		IncomeAccount: "1405013", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"}}))
	require.NoError(t, err)

	// The sample residential slabs of tariffs.md and the flat rates.
	upTo := func(kl string) *billingv1.WaterSlab { return &billingv1.WaterSlab{UpToKl: kl} }
	slabs := []*billingv1.WaterSlab{upTo("10"), upTo("20"), upTo("30"), upTo("40"), {}}
	for i, rate := range []string{"2", "2.5", "8", "12", "15"} {
		slabs[i].Rate = rate
	}
	_, err = admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
		Service: "water", FiscalYear: 2026, Master: &billingv1.RateMaster_WaterMetered{WaterMetered: &billingv1.MeteredWaterTariff{
			ByUsage: map[string]*billingv1.MeteredWaterMaster{"residential": {Slabs: slabs, MinimumCharge: "100"}}}}}}))
	require.NoError(t, err)
	saved, err := admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
		Service: "water", FiscalYear: 2026, Master: &billingv1.RateMaster_WaterFlat{WaterFlat: &billingv1.FlatWaterMaster{
			By: "usage", PerMonthByUsage: map[string]string{"residential": "250", "government": "650"}}}}}))
	require.NoError(t, err)
	assert.Equal(t, "water_flat", saved.Msg.Method)
	masters, err := cashier.GetRateMaster(w.ctx, connect.NewRequest(&billingv1.GetRateMasterRequest{TenantId: ulb, Service: "water", FiscalYear: 2026}))
	require.NoError(t, err)
	require.Len(t, masters.Msg.Masters, 2, "a metered and a flat master")
	metered := masters.Msg.Masters[1].GetWaterMetered() // by method: water_flat, water_metered
	require.NotNil(t, metered)
	require.Len(t, metered.GetByUsage()["residential"].GetSlabs(), 5)
	assert.Equal(t, "2.5", metered.GetByUsage()["residential"].GetSlabs()[1].GetRate())

	// The late-payment master sits beside the tariff.
	_, err = bills.SaveTaxHead(w.ctx, connect.NewRequest(&billingv1.SaveTaxHeadRequest{TenantId: ulb, TaxHead: &billingv1.TaxHead{
		Service: "water", Code: "WATER_PENALTY", Name: "Penalty on late payment", Category: "penalty", Priority: 20,
		IncomeAccount: "1402010", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"}}))
	require.NoError(t, err)
	saved, err = admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
		Service: "water", FiscalYear: 2026, Master: &billingv1.RateMaster_LatePayment{LatePayment: &billingv1.LatePaymentMaster{
			Penalty: &billingv1.PenaltyRule{Percent: "10"}, PenaltyHead: "WATER_PENALTY", BaseCategories: []string{"fee"}}}}}))
	require.NoError(t, err)
	assert.Equal(t, "late_payment", saved.Msg.Method)
	masters, err = cashier.GetRateMaster(w.ctx, connect.NewRequest(&billingv1.GetRateMasterRequest{TenantId: ulb, Service: "water", FiscalYear: 2026}))
	require.NoError(t, err)
	require.Len(t, masters.Msg.Masters, 3, "the tariff's two and the late-payment master")
	late := masters.Msg.Masters[0].GetLatePayment()
	require.NotNil(t, late)
	assert.Equal(t, "10", late.GetPenalty().GetPercent())
	assert.Equal(t, "WATER_PENALTY", late.GetPenaltyHead())
	assert.Nil(t, late.GetInterest())
	assert.Equal(t, []string{"fee"}, late.GetBaseCategories())

	_, err = admin.SaveWaterConnections(w.ctx, connect.NewRequest(&billingv1.SaveWaterConnectionsRequest{TenantId: ulb,
		Connections: []*billingv1.WaterConnection{
			{ConsumerCode: "WC-1", HolderName: "Meena", Ward: "W01", Kind: "metered", Usage: "residential", PipeSizeMm: 15,
				ConnectedOn: "2024-01-10", MeterNumber: "M-77"},
			{ConsumerCode: "WC-2", HolderName: "Block office", Ward: "W01", Kind: "non_metered", Usage: "government", PipeSizeMm: 25,
				ConnectedOn: "2024-01-10"},
		}}))
	require.NoError(t, err)
	rec, err := admin.RecordMeterReadings(w.ctx, connect.NewRequest(&billingv1.RecordMeterReadingsRequest{TenantId: ulb,
		Readings: []*billingv1.MeterReading{
			{ConsumerCode: "WC-1", ReadingDate: "2026-03-31", Reading: "1000"},
			{ConsumerCode: "WC-1", ReadingDate: "2026-04-30", Reading: "1035.500"},
		}}))
	require.NoError(t, err)
	assert.EqualValues(t, 2, rec.Msg.Recorded)

	// 35.5 KL: 10 @ 2 + 10 @ 2.5 + 10 @ 8 + 5.5 @ 12 = 191.
	bill, err := cashier.CalculateDemand(w.ctx, connect.NewRequest(&billingv1.CalculateDemandRequest{TenantId: ulb, Service: "water",
		ConsumerCode: "WC-1", PeriodFrom: "2026-04-01", PeriodTo: "2026-04-30"}))
	require.NoError(t, err)
	assert.Equal(t, "191.00", bill.Msg.Demand.Total)
	require.Len(t, bill.Msg.Demand.Lines, 1)
	assert.Contains(t, bill.Msg.Demand.Lines[0].Basis, "slab 4: 5.5 KL @ 12 = 66.00")
	assert.Equal(t, "2026-05-30", bill.Msg.Demand.DueDate)
	flatBill, err := cashier.CalculateDemand(w.ctx, connect.NewRequest(&billingv1.CalculateDemandRequest{TenantId: ulb, Service: "water",
		ConsumerCode: "WC-2", PeriodFrom: "2026-04-01", PeriodTo: "2026-06-30"}))
	require.NoError(t, err)
	assert.Equal(t, "1950.00", flatBill.Msg.Demand.Total, "three months at 650")

	// A property round-trips, and its code is then taken in every register.
	_, err = admin.SaveProperties(w.ctx, connect.NewRequest(&billingv1.SavePropertiesRequest{TenantId: ulb, Properties: []*billingv1.Property{{
		ConsumerCode: "PT-1", OwnerName: "Meena", Ward: "W01", Category: "B",
		Units: []*billingv1.PropertyUnit{{AreaM2: "100.5", Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1990}}}}}))
	require.NoError(t, err)
	got, err := cashier.GetProperty(w.ctx, connect.NewRequest(&billingv1.GetPropertyRequest{TenantId: ulb, ConsumerCode: "PT-1"}))
	require.NoError(t, err)
	assert.Equal(t, "100.50", got.Msg.Property.Units[0].AreaM2)

	cases := []struct {
		name  string
		call  func() error
		field string
	}{
		{"a meter running backwards", func() error {
			_, err := admin.RecordMeterReadings(w.ctx, connect.NewRequest(&billingv1.RecordMeterReadingsRequest{TenantId: ulb,
				Readings: []*billingv1.MeterReading{{ConsumerCode: "WC-1", ReadingDate: "2026-05-31", Reading: "1030"}}}))
			return err
		}, "readings[0].reading"},
		{"a kind the proto does not allow", func() error {
			_, err := admin.SaveWaterConnections(w.ctx, connect.NewRequest(&billingv1.SaveWaterConnectionsRequest{TenantId: ulb,
				Connections: []*billingv1.WaterConnection{{ConsumerCode: "WC-3", HolderName: "X", Ward: "W01", Kind: "bulk",
					Usage: "residential", PipeSizeMm: 15, ConnectedOn: "2024-01-10"}}}))
			return err
		}, "connections[0].kind"},
		{"a licence under a property's code", func() error {
			_, err := admin.SaveTradeLicences(w.ctx, connect.NewRequest(&billingv1.SaveTradeLicencesRequest{TenantId: ulb,
				Licences: []*billingv1.TradeLicence{{ConsumerCode: "PT-1", HolderName: "X", Ward: "W01", ValidFrom: "2026-04-01",
					ValidTo: "2027-03-31", Status: "active", Units: []*billingv1.TradeUnit{{Trade: "bakery_small", Size: 4}}}}}))
			return err
		}, "licences[0].consumer_code"},
		{"a master its calculator refuses", func() error {
			_, err := admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
				Service: "water", FiscalYear: 2027, Master: &billingv1.RateMaster_WaterFlat{WaterFlat: &billingv1.FlatWaterMaster{
					By: "usage", PerMonthByUsage: map[string]string{"residential": "-250"}}}}}))
			return err
		}, "master.water_flat.per_month_by_usage[residential]"},
		{"a master under another service", func() error {
			_, err := admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
				Service: "property_tax", FiscalYear: 2027, Master: &billingv1.RateMaster_WaterFlat{WaterFlat: &billingv1.FlatWaterMaster{
					By: "usage", PerMonthByUsage: map[string]string{"residential": "250"}}}}}))
			return err
		}, "service"},
		{"a late-payment master charging a penalty under a fee head", func() error {
			_, err := admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
				Service: "water", FiscalYear: 2026, Master: &billingv1.RateMaster_LatePayment{LatePayment: &billingv1.LatePaymentMaster{
					Penalty: &billingv1.PenaltyRule{Percent: "10"}, PenaltyHead: "WATER", BaseCategories: []string{"fee"}}}}}))
			return err
		}, "master.late_payment.penalty_head"},
		{"a late-payment master with a rebate window of no day", func() error {
			_, err := admin.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
				Service: "water", FiscalYear: 2026, Master: &billingv1.RateMaster_LatePayment{LatePayment: &billingv1.LatePaymentMaster{
					RebateWindows: []*billingv1.RebateWindow{{LastDay: "2026-13-01", Percent: "5"}}, RebateHead: "WATER", BaseCategories: []string{"fee"}}}}}))
			return err
		}, "master.late_payment.rebate_windows[0].last_day"},
		{"a water bill for part of a month", func() error {
			_, err := cashier.CalculateDemand(w.ctx, connect.NewRequest(&billingv1.CalculateDemandRequest{TenantId: ulb, Service: "water",
				ConsumerCode: "WC-1", PeriodFrom: "2026-04-01", PeriodTo: "2026-04-15"}))
			return err
		}, "period.to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.field, violationField(t, c.call()))
		})
	}

	// A bill the registers cannot support yet is a failed precondition.
	_, err = cashier.CalculateDemand(w.ctx, connect.NewRequest(&billingv1.CalculateDemandRequest{TenantId: ulb, Service: "water",
		ConsumerCode: "WC-1", PeriodFrom: "2026-05-01", PeriodTo: "2026-05-31"}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "no reading in May: %v", err)
	_, err = cashier.CalculateDemand(w.ctx, connect.NewRequest(&billingv1.CalculateDemandRequest{TenantId: ulb, Service: "property_tax",
		ConsumerCode: "PT-1", FiscalYear: 2026}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "no property-tax master: %v", err)
	_, err = cashier.GetProperty(w.ctx, connect.NewRequest(&billingv1.GetPropertyRequest{TenantId: ulb, ConsumerCode: "PT-404"}))
	assert.Equal(t, connect.CodeNotFound, connect.CodeOf(err))

	// Registers and masters are the administrator's; readers only read.
	accountant := w.registers(token(t, "ravi", []auth.Role{auth.RoleAccountant}, ulb))
	_, err = accountant.RecordMeterReadings(w.ctx, connect.NewRequest(&billingv1.RecordMeterReadingsRequest{TenantId: ulb,
		Readings: []*billingv1.MeterReading{{ConsumerCode: "WC-1", ReadingDate: "2026-05-31", Reading: "1040"}}}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))
	_, err = cashier.SaveProperties(w.ctx, connect.NewRequest(&billingv1.SavePropertiesRequest{TenantId: ulb, Properties: []*billingv1.Property{got.Msg.Property}}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))
}
