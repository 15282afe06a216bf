package assets_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/tenancy"
)

// importInUse brings assets into tenant's register as at 1 April 2026 (an
// approved opening import of "code,class,cost" rows put to use in 2020, no
// depreciation yet), so that runs charge them from that day.
func importInUse(t *testing.T, b bundle, tenantID string, rows ...string) {
	t.Helper()
	csv := "code,name,class,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation\n"
	for _, r := range rows {
		f := strings.Split(r, ",")
		csv += f[0] + ",asset " + f[0] + "," + f[1] + ",0100,01,own,2020-04-01,2020-04-01," + f[2] + ",0\n"
	}
	imp, err := b.assets.ImportOpening(b.ctx, tenantID, maker, day(2026, 4, 1), strings.NewReader(csv))
	require.NoError(t, err)
	_, err = b.assets.ApproveImport(b.ctx, tenantID, checker, imp.ID)
	require.NoError(t, err)
}

// A class may depreciate at a yearly rate (percent of cost) instead of over
// a life, never both; the charge is pro rata by days, a rerun posts
// nothing, and it stops at the residual value.
func TestDepreciationAtARate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lights := assets.Class{Code: "STREET_LIGHT", Name: "Street lighting", GrossBlockAccount: "4103301", AccumulatedAccount: "4113301",
		DepreciationAccount: "2723300", CWIPAccount: "4120061", RatePercent: amt("10"), Depreciable: true}
	refused := []struct {
		name  string
		class func(assets.Class) assets.Class
		field string
		rule  string
	}{
		{"a life and a rate both", func(c assets.Class) assets.Class { c.UsefulLifeYears = 10; return c }, "class.rate_percent", "not both"},
		{"a rate over 100%", func(c assets.Class) assets.Class { c.RatePercent = amt("100.5"); return c }, "class.rate_percent", "at most 100"},
		{"no life, no rate and no default for the code", func(c assets.Class) assets.Class { c.RatePercent = amt("0"); return c },
			"class.useful_life_years", "no useful life or rate"},
		{"a rate on a class that is not depreciated", func(c assets.Class) assets.Class {
			c.Depreciable, c.AccumulatedAccount, c.DepreciationAccount = false, "", ""
			return c
		}, "class.depreciable", "no depreciation heads, life or rate"},
	}
	for _, c := range refused {
		_, err := b.assets.SaveClass(b.ctx, tenant, c.class(lights))
		var ve *ledger.ValidationError
		require.ErrorAs(t, err, &ve, c.name)
		assert.Equal(t, c.field, ve.Violations[0].Field, c.name)
		assert.Contains(t, ve.Violations[0].Rule, c.rule, c.name)
	}
	saved, err := b.assets.SaveClass(b.ctx, tenant, lights)
	require.NoError(t, err)
	assert.Equal(t, assets.Terms{RatePercent: amt("10"), From: assets.TermsOfClass}.RatePercent.String(), saved.Terms.RatePercent.String())
	assert.Equal(t, assets.TermsOfClass, saved.Terms.From)

	// A light whose residual value (5%) a 100% rate would pass in the year.
	burnt := lights
	burnt.Code, burnt.RatePercent, burnt.ResidualPercent = "LAMP", amt("100"), amt("5")
	_, err = b.assets.SaveClass(b.ctx, tenant, burnt)
	require.NoError(t, err)
	importInUse(t, b, tenant, "SL-1,STREET_LIGHT,100000", "LP-1,LAMP,20000")

	// 1 April to 30 September 2026 is 183 days: 10% of 1,00,000 x 183/365.
	half, err := b.assets.Depreciate(b.ctx, tenant, maker, day(2026, 9, 30))
	require.NoError(t, err)
	assert.Equal(t, "5013.70", assetNow(t, b, "SL-1").Accumulated.StringFixed(2))
	again, err := b.assets.Depreciate(b.ctx, tenant, maker, day(2026, 9, 30))
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, half.VoucherID, again.VoucherID, "a rerun posts nothing")
	// The other 182 days bring the year to exactly 10%.
	_, err = b.assets.Depreciate(b.ctx, tenant, maker, day(2027, 3, 31))
	require.NoError(t, err)
	assert.Equal(t, "10000.00", assetNow(t, b, "SL-1").Accumulated.StringFixed(2))
	// 100% a year would take the lamp to nothing; it stops at its 5% (1,000).
	lamp := assetNow(t, b, "LP-1")
	assert.Equal(t, "19000.00", lamp.Accumulated.StringFixed(2))
	assert.Equal(t, "1000.00", lamp.NetBlock().StringFixed(2))
	requireTie(t, b)
}

// A class with no terms of its own follows its state's default for the
// code, else the built-in one (tariffs.md); its own life or rate wins over
// both. A Uttarakhand ULB's computers go at the uk rate, a Himachal ULB's
// over the built-in three years.
func TestClassesFollowTheirStatesDefaults(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const other = "hp.shimla"
	_, err := tenancy.NewService(b.pool).Create(b.ctx, other, "Shimla", 2026, "test")
	require.NoError(t, err)
	require.NoError(t, b.assets.SeedDefaultClasses(b.ctx, other))

	_, err = b.assets.SetStateDefault(b.ctx, "uk", "COMPUTER", "user:state-admin", assets.Terms{RatePercent: amt("40")})
	require.NoError(t, err)
	_, err = b.assets.SetStateDefault(b.ctx, "uk", "FURNITURE", "user:state-admin", assets.Terms{UsefulLifeYears: 20})
	require.NoError(t, err)
	for _, bad := range []assets.Terms{{}, {UsefulLifeYears: 5, RatePercent: amt("20")}, {UsefulLifeYears: 201}} {
		_, err = b.assets.SetStateDefault(b.ctx, "uk", "COMPUTER", "user:state-admin", bad)
		var ve *ledger.ValidationError
		assert.ErrorAs(t, err, &ve, "%+v", bad)
	}
	_, err = b.assets.SetStateDefault(b.ctx, "Uttarakhand", "COMPUTER", "user:state-admin", assets.Terms{UsefulLifeYears: 4})
	assert.ErrorContains(t, err, "state")
	// The table's policy: a ULB's own transaction reads its state's
	// defaults but cannot write them.
	err = db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO asset_class_state_defaults (tenant_id, class_code, useful_life_years, updated_by)
			VALUES ('uk.*', 'CAR', 2, 'user:ulb')`)
		return err
	})
	assert.ErrorContains(t, err, "row-level security")

	// Dehradun keeps furniture over 5 years of its own.
	for _, c := range assets.DefaultClasses() {
		if c.Code == "FURNITURE" {
			c.UsefulLifeYears = 5
			_, err := b.assets.SaveClass(b.ctx, tenant, c)
			require.NoError(t, err)
		}
	}

	terms := func(tenantID, code string) assets.Terms {
		cs, err := b.assets.Classes(b.ctx, tenantID)
		require.NoError(t, err)
		for _, c := range cs {
			if c.Code == code {
				return c.Terms
			}
		}
		t.Fatalf("no class %s", code)
		return assets.Terms{}
	}
	cases := []struct {
		name, tenant, class string
		from                string
		life                int
		rate                string
		cost, year          string // a year's depreciation of an asset of cost
	}{
		{"a uk tenant takes the uk default", tenant, "COMPUTER", assets.TermsOfState, 0, "40", "30000", "12000.00"},
		{"another state takes the built-in default", other, "COMPUTER", assets.TermsBuiltIn, 3, "0", "30000", "10000.00"},
		{"a class's own life wins over its state's", tenant, "FURNITURE", assets.TermsOfClass, 5, "0", "50000", "10000.00"},
		{"another state's furniture: built-in 10 years", other, "FURNITURE", assets.TermsBuiltIn, 10, "0", "50000", "5000.00"},
	}
	for _, c := range cases {
		got := terms(c.tenant, c.class)
		assert.Equal(t, c.from, got.From, c.name)
		assert.Equal(t, c.life, got.UsefulLifeYears, c.name)
		assert.Equal(t, c.rate, got.RatePercent.String(), c.name)
	}
	for _, tn := range []string{tenant, other} {
		importInUse(t, b, tn, "PC-1,COMPUTER,30000", "DESK-1,FURNITURE,50000")
		_, err := b.assets.Depreciate(b.ctx, tn, maker, day(2027, 3, 31))
		require.NoError(t, err)
	}
	for _, c := range cases {
		code := map[string]string{"COMPUTER": "PC-1", "FURNITURE": "DESK-1"}[c.class]
		a, err := b.assets.Assets(b.ctx, c.tenant, "", "")
		require.NoError(t, err)
		for _, x := range a {
			if x.Code == code {
				assert.Equal(t, c.year, x.Accumulated.StringFixed(2), c.name)
			}
		}
	}
	requireTie(t, b)

	ds, err := b.assets.StateDefaults(b.ctx, "uk")
	require.NoError(t, err)
	byCode := map[string]assets.Terms{}
	for _, d := range ds {
		byCode[d.ClassCode] = d.Terms
	}
	assert.Equal(t, "40", byCode["COMPUTER"].RatePercent.String())
	assert.Equal(t, assets.TermsBuiltIn, byCode["BUILDING_RCC"].From)
	assert.Equal(t, 60, byCode["BUILDING_RCC"].UsefulLifeYears)
}
