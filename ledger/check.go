package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/gen/dbq"
)

// PostCheck vets vouchers that reach the ledger through its own API (Post,
// Reverse, Approve), inside the transaction that posts them: the budget's
// appropriation check is one, set through Config.Check by the binary,
// because the ledger imports no other domain. Packages that post through
// PostTx do their own checks in their own transactions and are not vetted
// again.
//
// CheckTx runs before the tenant's chain-head lock is taken (whatever it
// locks comes first, as in every other posting transaction), with each
// voucher's ID already reserved; its error fails the posting and rolls the
// transaction back, and so does anything that keeps the vouchers from
// posting after it (a replayed or conflicting idempotency key, a closed
// period), so what it wrote never outlives a posting that did not happen.
type PostCheck interface {
	CheckTx(ctx context.Context, tx pgx.Tx, tenant string, vs []Voucher) error
}

// Reverses is the id of the voucher v reverses (0 unless v is a reversal).
func (v *Voucher) Reverses() int64 { return v.reverses }

// IsExpenditure reports whether code is an expenditure head (NMAM class 2).
func IsExpenditure(code string) bool { return strings.HasPrefix(code, "2") }

// needsCheck reports whether vouchers go through the PostCheck: a voucher
// with a line on an expenditure head, or a reversal (which may undo one).
// Others take the group committer as before.
func (l *Ledger) needsCheck(vouchers []Voucher) bool {
	if l.check == nil {
		return false
	}
	for i := range vouchers {
		if vouchers[i].reverses != 0 {
			return true
		}
		for _, ln := range vouchers[i].Lines {
			if IsExpenditure(ln.AccountCode) {
				return true
			}
		}
	}
	return false
}

// errNotPosted rolls back a checked posting that wrote no vouchers.
var errNotPosted = errors.New("ledger: checked vouchers not posted")

// postChecked posts vouchers in a transaction of their own, the PostCheck
// first: the check's locks (budget lines) queue concurrent posts, so two
// of them cannot pass the same check on the same state.
func (l *Ledger) postChecked(ctx context.Context, tenant, actor string, vouchers []Voucher) ([]Posted, error) {
	var res result
	slot := auth.AuditSlotFrom(ctx)
	err := l.write(ctx, tenant, func(tx pgx.Tx, q *dbq.Queries) error {
		vs, err := l.checkUnlessReplay(ctx, tx, tenant, vouchers)
		if err != nil {
			return err
		}
		results, err := writeBatch(ctx, tx, tenant, []*request{newRequest(ctx, tenant, actor, vs)}, l.now())
		if err != nil {
			return err
		}
		res = results[0]
		if res.err != nil || res.replay != nil {
			return errNotPosted
		}
		return nil
	})
	switch {
	case errors.Is(err, errNotPosted) && res.err != nil:
		return nil, res.err
	case errors.Is(err, errNotPosted):
		var out []Posted
		err := l.read(ctx, tenant, func(tx pgx.Tx, _ *dbq.Queries) error {
			var err error
			out, err = l.answer(ctx, tx, tenant, res)
			return err
		})
		return out, err
	case err != nil:
		return nil, err
	}
	if slot != nil {
		slot.MarkWritten()
	}
	return res.posted, nil
}

// checkUnlessReplay runs the check unless a voucher's idempotency key is
// taken: then the request is a replay (every key, same bodies) or a
// conflict, which writeBatch answers without posting anything, and a
// replay's charges were made when it first posted. A check that fails
// looks again, for a first post of the same keys that committed while the
// check waited for its locks.
func (l *Ledger) checkUnlessReplay(ctx context.Context, tx pgx.Tx, tenant string, vouchers []Voucher) ([]Voucher, error) {
	taken := func() (bool, error) {
		keys := make([]string, len(vouchers))
		for i := range vouchers {
			keys[i] = vouchers[i].IdempotencyKey
		}
		rows, err := dbq.New(tx).VoucherByIdempotencyKeys(ctx, dbq.VoucherByIdempotencyKeysParams{TenantID: tenant, Keys: keys})
		if err != nil {
			return false, fmt.Errorf("look up idempotency keys: %w", err)
		}
		return len(rows) > 0, nil
	}
	if some, err := taken(); err != nil || some {
		return vouchers, err
	}
	vs, err := l.checkTx(ctx, tx, tenant, vouchers)
	if err != nil {
		if some, terr := taken(); terr == nil && some {
			return vouchers, nil
		}
		return nil, err
	}
	return vs, nil
}

// checkTx reserves ids for the vouchers that have none and runs the
// PostCheck on them in tx, returning the vouchers as they are to post.
func (l *Ledger) checkTx(ctx context.Context, tx pgx.Tx, tenant string, vouchers []Voucher) ([]Voucher, error) {
	vs := slices.Clone(vouchers)
	need := 0
	for i := range vs {
		if vs[i].ID == 0 {
			need++
		}
	}
	if need > 0 {
		ids, err := l.ReserveVoucherIDs(ctx, tx, need)
		if err != nil {
			return nil, err
		}
		for i := range vs {
			if vs[i].ID == 0 {
				vs[i].ID, ids = ids[0], ids[1:]
			}
		}
	}
	if err := l.check.CheckTx(ctx, tx, tenant, vs); err != nil {
		return nil, err
	}
	return vs, nil
}
