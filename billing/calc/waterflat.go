package calc

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

// FlatBasis is what a non-metered tariff charges by.
type FlatBasis string

// The attributes a flat water tariff can be keyed on.
const (
	FlatByUsage    FlatBasis = "usage"
	FlatByPipeSize FlatBasis = "pipe_size"
)

// FlatWaterMaster is the tariff of non-metered connections: a fixed sum a
// month, by the connection's usage or by its pipe size, as By says; a city
// uses one or the other, so a master holds one table in use.
type FlatWaterMaster struct {
	By FlatBasis `json:"by"`
	// PerMonthByUsage is rupees a month by usage (residential,
	// non_residential, government).
	PerMonthByUsage map[string]decimal.Decimal `json:"per_month_by_usage"`
	// PerMonthByPipeMM is rupees a month by pipe diameter in millimetres.
	PerMonthByPipeMM map[int]decimal.Decimal `json:"per_month_by_pipe_mm"`
	RoundToRupee     bool                    `json:"round_to_rupee"`
}

// FlatConnection is the register entry of a non-metered connection.
type FlatConnection struct {
	Usage      string `json:"usage"`
	PipeSizeMM int    `json:"pipe_size_mm"`
}

// Validate checks the master's own consistency, so a bad master is refused
// when it is saved rather than when a bill is cut.
func (m FlatWaterMaster) Validate() error {
	switch m.By {
	case FlatByUsage:
		if len(m.PerMonthByUsage) == 0 {
			return invalid("master.per_month_by_usage", "at least one usage is required when charging by usage")
		}
		for _, k := range slices.Sorted(maps.Keys(m.PerMonthByUsage)) {
			if err := checkNonNegative("master.per_month_by_usage["+k+"]", m.PerMonthByUsage[k]); err != nil {
				return err
			}
		}
	case FlatByPipeSize:
		if len(m.PerMonthByPipeMM) == 0 {
			return invalid("master.per_month_by_pipe_mm", "at least one pipe size is required when charging by pipe size")
		}
		for _, k := range slices.Sorted(maps.Keys(m.PerMonthByPipeMM)) {
			f := "master.per_month_by_pipe_mm[" + strconv.Itoa(k) + "]"
			if k <= 0 {
				return invalid(f, "pipe size must be greater than zero")
			}
			if err := checkNonNegative(f, m.PerMonthByPipeMM[k]); err != nil {
				return err
			}
		}
	default:
		return invalid("master.by", "must be %q or %q, got %q", FlatByUsage, FlatByPipeSize, m.By)
	}
	return nil
}

// FlatWater bills a non-metered connection for the given number of months.
func FlatWater(c FlatConnection, months int, m FlatWaterMaster) ([]Line, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := checkMonths("months", months); err != nil {
		return nil, err
	}
	var rate decimal.Decimal
	var what string
	switch m.By {
	case FlatByUsage:
		r, ok := m.PerMonthByUsage[c.Usage]
		if !ok {
			return nil, invalid("connection.usage", "%q is not in master.per_month_by_usage", c.Usage)
		}
		rate, what = r, c.Usage
	case FlatByPipeSize:
		r, ok := m.PerMonthByPipeMM[c.PipeSizeMM]
		if !ok {
			return nil, invalid("connection.pipe_size_mm", "%d mm is not in master.per_month_by_pipe_mm", c.PipeSizeMM)
		}
		rate, what = r, fmt.Sprintf("%d mm pipe", c.PipeSizeMM)
	}
	amt := RoundPaise(rate.Mul(decimal.NewFromInt(int64(months))))
	lines := []Line{{
		Head:   HeadWater,
		Amount: amt,
		Basis:  fmt.Sprintf("flat %s: %s a month x %d = %s", what, money(rate), months, money(amt)),
	}}
	if m.RoundToRupee {
		lines = WithRoundOff(lines)
	}
	return lines, nil
}
