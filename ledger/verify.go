package ledger

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/gen/dbq"
)

// Breach is the first voucher whose stored content no longer matches the
// hash chain, or the first gap in the chain.
type Breach struct {
	VoucherID int64
	Number    string
	ChainSeq  int64
	Reason    string
}

// Verification is the outcome of Verify.
type Verification struct {
	Checked int64
	Breach  *Breach // nil when the chain is intact
}

// verifyPage is how many vouchers Verify reads at a time.
const verifyPage = 2000

// Verify recomputes a tenant's hash chain from the vouchers and lines as
// stored and reports the first voucher that does not match: one whose lines
// or header were altered, or a gap where a voucher was removed. It also
// checks the chain head.
func (l *Ledger) Verify(ctx context.Context, tenant string) (Verification, error) {
	if err := l.requireTenant(ctx, tenant); err != nil {
		return Verification{}, err
	}
	var out Verification
	err := l.read(ctx, tenant, func(tx pgx.Tx, q *dbq.Queries) error {
		var err error
		out, err = verifyChain(ctx, tx, q, tenant)
		return err
	})
	return out, err
}

func verifyChain(ctx context.Context, tx pgx.Tx, q *dbq.Queries, tenant string) (Verification, error) {
	var out Verification
	var prev []byte
	var seq, afterSeq int64
	for {
		rows, err := q.VoucherChainPage(ctx, dbq.VoucherChainPageParams{TenantID: tenant, AfterSeq: afterSeq, RowLimit: verifyPage})
		if err != nil {
			return out, fmt.Errorf("read chain: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		afterSeq = rows[len(rows)-1].ChainSeq
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		vs, err := getVouchers(ctx, tx, tenant, ids)
		if err != nil {
			return out, err
		}
		slices.SortFunc(vs, func(a, b Posted) int { return cmp.Compare(a.ChainSeq, b.ChainSeq) })
		for _, v := range vs {
			breach := func(reason string) (Verification, error) {
				out.Breach = &Breach{VoucherID: v.ID, Number: v.Number, ChainSeq: v.ChainSeq, Reason: reason}
				return out, nil
			}
			if v.ChainSeq != seq+1 {
				return breach(fmt.Sprintf("chain position %d expected, found %d: a voucher is missing before this one", seq+1, v.ChainSeq))
			}
			if got := chainHash(prev, tenant, &v); !bytes.Equal(got, v.Hash) {
				return breach("stored content does not match its hash: the voucher or its lines were altered")
			}
			prev, seq = v.Hash, v.ChainSeq
			out.Checked++
		}
	}
	head, err := q.ChainHeadGet(ctx, tenant)
	if err != nil {
		return out, fmt.Errorf("read chain head: %w", err)
	}
	if head.LastSeq != seq || !bytes.Equal(head.LastHash, prev) {
		out.Breach = &Breach{ChainSeq: head.LastSeq, Reason: fmt.Sprintf("chain head says %d vouchers, the books hold %d: vouchers at the end were removed", head.LastSeq, seq)}
	}
	return out, nil
}

// Integrity is the outcome of CheckIntegrity: what double entry and gapless
// numbering promise, checked against the books as stored.
type Integrity struct {
	// BalanceMismatches lists balance rows that differ from the sum of their lines.
	BalanceMismatches []string
	// SeriesGaps lists voucher series whose numbers are not 1..n without gaps.
	SeriesGaps []string
	// Vouchers counts the vouchers checked, by series.
	Vouchers int64
}

// OK reports whether nothing was found wrong.
func (i Integrity) OK() bool { return len(i.BalanceMismatches) == 0 && len(i.SeriesGaps) == 0 }

// CheckIntegrity compares every maintained balance with the sum of its lines
// and every voucher series with a gapless 1..n.
func (l *Ledger) CheckIntegrity(ctx context.Context, tenant string) (Integrity, error) {
	var out Integrity
	err := l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		var err error
		out, err = checkIntegrity(ctx, q, tenant)
		return err
	})
	return out, err
}

func checkIntegrity(ctx context.Context, q *dbq.Queries, tenant string) (Integrity, error) {
	var out Integrity
	mism, err := q.BalanceMismatches(ctx, tenant)
	if err != nil {
		return out, fmt.Errorf("compare balances with lines: %w", err)
	}
	for _, m := range mism {
		out.BalanceMismatches = append(out.BalanceMismatches, fmt.Sprintf("%s fund %s function %s %s period %d: balance Dr %s Cr %s, lines Dr %s Cr %s",
			m.AccountCode, m.FundCode, m.FunctionCode, FiscalYearLabel(int(m.FiscalYear)), m.Period,
			m.BalanceDebit, m.BalanceCredit, m.LinesDebit, m.LinesCredit))
	}
	series, err := q.VoucherSeriesCheck(ctx, tenant)
	if err != nil {
		return out, fmt.Errorf("check series: %w", err)
	}
	for _, s := range series {
		out.Vouchers += s.VoucherCount
		if s.VoucherCount != s.MaxSerial || s.MaxSerial != s.LastNumber {
			out.SeriesGaps = append(out.SeriesGaps, fmt.Sprintf("%s/%s: %d vouchers, highest number %d, counter %d",
				s.VoucherType, FiscalYearLabel(int(s.FiscalYear)), s.VoucherCount, s.MaxSerial, s.LastNumber))
		}
	}
	return out, nil
}
