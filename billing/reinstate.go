package billing

import (
	"context"
	"fmt"

	"github.com/munimhq/munim/gen/dbq"
)

// The kinds of advance allocation (table advance_allocations).
const (
	advanceApplied    = "applied"
	advanceReinstated = "reinstated"
)

// recordAdvanceAllocations records allocs, of kind, on demand.
func recordAdvanceAllocations(ctx context.Context, q *dbq.Queries, tenant string, demand int64, kind string, allocs []Allocation, voucher int64) error {
	arg := dbq.AdvanceAllocationInsertParams{TenantID: tenant, DemandID: demand, Kind: kind, VoucherID: voucher}
	for _, a := range allocs {
		arg.LineNos = append(arg.LineNos, int16(a.LineNo))
		arg.Amounts = append(arg.Amounts, a.Amount)
	}
	if err := q.AdvanceAllocationInsert(ctx, arg); err != nil {
		return fmt.Errorf("record advance allocations: %w", err)
	}
	return nil
}
