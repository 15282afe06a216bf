package ledger

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// request is one all-or-nothing posting: every voucher of it commits, or none.
type request struct {
	ctx      context.Context
	tenant   string
	actor    string
	vouchers []Voucher
	hashes   [][]byte
	lines    int
	done     chan result
	// written holds each voucher's lines as StageTx wrote them (nil when
	// not staged): allocate takes them as they are, and insertVouchers
	// writes only the headers.
	written [][]PostedLine
	// audit, when set, is the call's audit entry, written in the posting
	// transaction if the request succeeds (see auth.AuditSlot).
	audit *auth.AuditSlot
}

// result is what a request gets back: its vouchers, or why it failed.
type result struct {
	posted []Posted
	// replay holds the ids of vouchers posted by an earlier request with the
	// same idempotency keys and bodies; they are read back after commit.
	replay []int64
	err    error
}

func newRequest(ctx context.Context, tenant, actor string, vouchers []Voucher) *request {
	r := &request{ctx: ctx, tenant: tenant, actor: actor, vouchers: vouchers, done: make(chan result, 1),
		audit: auth.AuditSlotFrom(ctx)}
	r.hashes = make([][]byte, len(vouchers))
	for i := range vouchers {
		r.hashes[i] = requestHash(tenant, &vouchers[i])
		r.lines += len(vouchers[i].Lines)
	}
	return r
}

// writeBatch posts the requests of one tenant in the caller's transaction.
// Requests that break a rule of the books' present state (an idempotency
// conflict, a closed period, a voucher already reversed) get their own error
// in results and write nothing; the others are written together. A non-nil
// error means the transaction itself failed and must be rolled back.
//
// Lock order, the same in every posting transaction: the tenant's chain
// head, then the periods covering the dates (shared), then the number series
// in key order, then the balance rows in key order.
func writeBatch(ctx context.Context, tx pgx.Tx, tenant string, reqs []*request, now time.Time) ([]result, error) {
	results, err := writeVouchers(ctx, tx, tenant, reqs, now)
	if err != nil {
		return nil, err
	}
	// Each successful call's audit entry commits with its vouchers.
	var events []auth.Event
	for i, r := range reqs {
		if r.audit != nil && results[i].err == nil {
			events = append(events, r.audit.Event)
		}
	}
	if len(events) > 0 {
		if err := auth.InsertEventsTx(ctx, tx, tenant, events); err != nil {
			return nil, fmt.Errorf("write audit entries: %w", err)
		}
	}
	return results, nil
}

func writeVouchers(ctx context.Context, tx pgx.Tx, tenant string, reqs []*request, now time.Time) ([]result, error) {
	q := dbq.New(tx)
	results := make([]result, len(reqs))
	head, err := q.ChainHeadLock(ctx, tenant)
	if errors.Is(err, pgx.ErrNoRows) {
		for i := range results {
			results[i].err = &NotFoundError{What: fmt.Sprintf("tenant %q", tenant)}
		}
		return results, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock chain head: %w", err)
	}

	items, ids, err := claimFast(ctx, tx, tenant, reqs)
	if err != nil {
		return nil, err
	}
	if items == nil {
		if items, ids, err = claimCareful(ctx, q, tenant, reqs, results); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		return results, nil
	}

	posted, err := allocate(ctx, q, tenant, items, ids, head, now)
	if err != nil {
		return nil, err
	}
	if err := db.WriterTx(ctx, tx, func() error { return insertVouchers(ctx, q, tenant, reqs, items, posted) }); err != nil {
		return nil, err
	}
	if err := addBalances(ctx, q, tenant, posted); err != nil {
		return nil, err
	}
	last := posted[len(posted)-1]
	if err := q.ChainHeadSet(ctx, dbq.ChainHeadSetParams{TenantID: tenant, LastSeq: last.ChainSeq, LastHash: last.Hash}); err != nil {
		return nil, fmt.Errorf("advance chain head: %w", err)
	}
	for k, p := range posted {
		results[items[k].owner].posted = append(results[items[k].owner].posted, p)
	}
	// A request that repeated a batch-mate's keys and bodies gets its answer.
	for i := range results {
		if mate, ok := sameAsMate(reqs, results, i); ok {
			results[i] = results[mate]
		}
	}
	return results, nil
}

// survivors lists the vouchers of the requests in todo that have no error.
func survivors(reqs []*request, todo []int, results []result, periodOf map[*Voucher]periodKey) []pending {
	var items []pending
	for _, i := range todo {
		if results[i].err != nil {
			continue
		}
		for j := range reqs[i].vouchers {
			v := &reqs[i].vouchers[j]
			it := pending{v: v, hash: reqs[i].hashes[j], actor: reqs[i].actor, owner: i, period: periodOf[v]}
			if reqs[i].written != nil {
				it.lines = reqs[i].written[j]
			}
			items = append(items, it)
		}
	}
	return items
}

// claimFast is the common case in one statement: every request passes the
// period and reversal checks and every idempotency key is new, so the keys
// are recorded at once. It returns nil items, having written nothing, when
// any of that is not so; claimCareful then sorts the requests out.
func claimFast(ctx context.Context, tx pgx.Tx, tenant string, reqs []*request) ([]pending, []int64, error) {
	q := dbq.New(tx)
	all := make([]int, len(reqs))
	for i := range all {
		all[i] = i
	}
	scratch := make([]result, len(reqs))
	periodOf, err := lockPeriods(ctx, q, tenant, reqs, all, scratch)
	if err != nil {
		return nil, nil, err
	}
	if err := checkReversals(ctx, q, tenant, reqs, all, scratch); err != nil {
		return nil, nil, err
	}
	for _, r := range scratch {
		if r.err != nil {
			return nil, nil, nil
		}
	}
	items := survivors(reqs, all, scratch, periodOf)
	ids, err := voucherIDs(ctx, q, items)
	if err != nil {
		return nil, nil, err
	}
	// A savepoint, so that a batch holding a replayed key leaves no trace.
	sp, err := tx.Begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	n, err := dbq.New(sp).VoucherKeyClaim(ctx, keyClaim(tenant, items, ids))
	if err != nil {
		_ = sp.Rollback(ctx)
		return nil, nil, fmt.Errorf("claim idempotency keys: %w", err)
	}
	if n != int64(len(items)) {
		return nil, nil, sp.Rollback(ctx)
	}
	return items, ids, sp.Commit(ctx)
}

// claimCareful sets aside replays, key conflicts, vouchers in closed periods
// or unopened years, and second reversals, each failing only its request,
// then records the keys of what is left.
func claimCareful(ctx context.Context, q *dbq.Queries, tenant string, reqs []*request, results []result) ([]pending, []int64, error) {
	todo, err := sortOutReplays(ctx, q, tenant, reqs, results)
	if err != nil {
		return nil, nil, err
	}
	periodOf, err := lockPeriods(ctx, q, tenant, reqs, todo, results)
	if err != nil {
		return nil, nil, err
	}
	if err := checkReversals(ctx, q, tenant, reqs, todo, results); err != nil {
		return nil, nil, err
	}
	items := survivors(reqs, todo, results, periodOf)
	if len(items) == 0 {
		return items, nil, nil
	}
	ids, err := voucherIDs(ctx, q, items)
	if err != nil {
		return nil, nil, err
	}
	n, err := q.VoucherKeyClaim(ctx, keyClaim(tenant, items, ids))
	if err != nil {
		return nil, nil, fmt.Errorf("claim idempotency keys: %w", err)
	}
	if n != int64(len(items)) {
		// Impossible while the chain-head lock serialises the tenant's postings.
		return nil, nil, fmt.Errorf("claimed %d of %d idempotency keys after checking them", n, len(items))
	}
	return items, ids, nil
}

// voucherIDs gives each item the id reserved for it (Voucher.ID) or a new one.
func voucherIDs(ctx context.Context, q *dbq.Queries, items []pending) ([]int64, error) {
	ids := make([]int64, len(items))
	need := 0
	for k, it := range items {
		if ids[k] = it.v.ID; ids[k] == 0 {
			need++
		}
	}
	if need == 0 {
		return ids, nil
	}
	fresh, err := q.VoucherIDsNext(ctx, int32(need))
	if err != nil {
		return nil, fmt.Errorf("reserve voucher ids: %w", err)
	}
	for k := range ids {
		if ids[k] == 0 {
			ids[k], fresh = fresh[0], fresh[1:]
		}
	}
	return ids, nil
}

func keyClaim(tenant string, items []pending, ids []int64) dbq.VoucherKeyClaimParams {
	arg := dbq.VoucherKeyClaimParams{TenantID: tenant, VoucherIds: ids,
		Keys: make([]string, len(items)), RequestHashes: make([][]byte, len(items))}
	for k, it := range items {
		arg.Keys[k] = it.v.IdempotencyKey
		arg.RequestHashes[k] = it.hash
	}
	return arg
}

// sortOutReplays compares every voucher's idempotency key with what is
// already posted and with the earlier requests of this batch. It returns the
// indexes of requests that still need writing.
func sortOutReplays(ctx context.Context, q *dbq.Queries, tenant string, reqs []*request, results []result) ([]int, error) {
	var keys []string
	for _, r := range reqs {
		for _, v := range r.vouchers {
			keys = append(keys, v.IdempotencyKey)
		}
	}
	rows, err := q.VoucherByIdempotencyKeys(ctx, dbq.VoucherByIdempotencyKeysParams{TenantID: tenant, Keys: keys})
	if err != nil {
		return nil, fmt.Errorf("look up idempotency keys: %w", err)
	}
	posted := make(map[string]dbq.VoucherByIdempotencyKeysRow, len(rows))
	for _, row := range rows {
		posted[row.IdempotencyKey] = row
	}
	type claim struct {
		req  int
		hash []byte
	}
	claimed := map[string]claim{}
	var todo []int
	for i, r := range reqs {
		var replay []int64
		mate := -1
		fresh := 0
		for j, v := range r.vouchers {
			field := fmt.Sprintf("vouchers[%d].idempotency_key", j)
			if row, ok := posted[v.IdempotencyKey]; ok {
				if !bytes.Equal(row.RequestHash, r.hashes[j]) {
					results[i].err = &ConflictError{Field: field, Key: v.IdempotencyKey}
					break
				}
				replay = append(replay, row.ID)
				continue
			}
			if c, ok := claimed[v.IdempotencyKey]; ok {
				if !bytes.Equal(c.hash, r.hashes[j]) || (mate >= 0 && mate != c.req) {
					results[i].err = &ConflictError{Field: field, Key: v.IdempotencyKey}
					break
				}
				mate = c.req
				continue
			}
			fresh++
		}
		switch {
		case results[i].err != nil:
		case len(replay) == len(r.vouchers):
			results[i].replay = replay
		case mate >= 0 && fresh == 0 && len(replay) == 0 && len(reqs[mate].vouchers) == len(r.vouchers):
			// Answered from the batch-mate once it is written (sameAsMate).
		case fresh == len(r.vouchers):
			for j, v := range r.vouchers {
				claimed[v.IdempotencyKey] = claim{req: i, hash: r.hashes[j]}
			}
			todo = append(todo, i)
		default:
			// Some keys were posted (or claimed) by another request: this
			// request is not a replay of any one of them.
			results[i].err = &ConflictError{Field: "vouchers", Key: r.vouchers[0].IdempotencyKey}
		}
	}
	return todo, nil
}

// sameAsMate reports whether request i repeats an earlier request of the
// batch, key for key and body for body, and which one.
func sameAsMate(reqs []*request, results []result, i int) (int, bool) {
	if results[i].err != nil || results[i].replay != nil || results[i].posted != nil {
		return 0, false
	}
	first := reqs[i].vouchers[0].IdempotencyKey
	for m := 0; m < i; m++ {
		if len(reqs[m].vouchers) > 0 && reqs[m].vouchers[0].IdempotencyKey == first && bytes.Equal(reqs[m].hashes[0], reqs[i].hashes[0]) {
			return m, true
		}
	}
	return 0, false
}

type periodKey struct {
	fiscalYear int32
	period     int16
}

// lockPeriods takes a shared lock on the periods the vouchers fall in (so
// no one closes them before this transaction commits) and fails each
// request that has a voucher in a closed period or in a year not opened.
func lockPeriods(ctx context.Context, q *dbq.Queries, tenant string, reqs []*request, todo []int, results []result) (map[*Voucher]periodKey, error) {
	var from, to time.Time
	for _, i := range todo {
		for _, v := range reqs[i].vouchers {
			if from.IsZero() || v.Date.Before(from) {
				from = v.Date
			}
			if v.Date.After(to) {
				to = v.Date
			}
		}
	}
	out := map[*Voucher]periodKey{}
	if from.IsZero() {
		return out, nil
	}
	periods, err := q.PeriodLockCovering(ctx, dbq.PeriodLockCoveringParams{TenantID: tenant, FromDate: from, ToDate: to})
	if err != nil {
		return nil, fmt.Errorf("lock periods: %w", err)
	}
	for _, i := range todo {
		for j := range reqs[i].vouchers {
			v := &reqs[i].vouchers[j]
			k := slices.IndexFunc(periods, func(p dbq.PeriodLockCoveringRow) bool {
				return !v.Date.Before(p.StartsOn) && !v.Date.After(p.EndsOn)
			})
			field := fmt.Sprintf("vouchers[%d].date", j)
			if k < 0 {
				results[i].err = &PreconditionError{Field: field, Kind: ErrYearNotOpen,
					Reason: fmt.Sprintf("fiscal year %s is not open for posting (date %s)", FiscalYearLabel(FiscalYearOf(v.Date)), v.Date.Format(time.DateOnly))}
				break
			}
			p := periods[k]
			if p.Closed {
				results[i].err = &PreconditionError{Field: field, Kind: ErrPeriodClosed,
					Reason: fmt.Sprintf("period %d of %s (%s) is closed", p.Period, FiscalYearLabel(int(p.FiscalYear)), p.StartsOn.Format("January 2006"))}
				break
			}
			out[v] = periodKey{fiscalYear: p.FiscalYear, period: p.Period}
		}
	}
	return out, nil
}

// checkReversals fails a reversal whose original is already reversed, in
// the books or earlier in this batch.
func checkReversals(ctx context.Context, q *dbq.Queries, tenant string, reqs []*request, todo []int, results []result) error {
	var ids []int64
	for _, i := range todo {
		for _, v := range reqs[i].vouchers {
			if v.reverses != 0 {
				ids = append(ids, v.reverses)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.VoucherReversalsOf(ctx, dbq.VoucherReversalsOfParams{TenantID: tenant, Ids: ids})
	if err != nil {
		return fmt.Errorf("look up reversals: %w", err)
	}
	reversedBy := map[int64]string{}
	for _, r := range rows {
		reversedBy[r.ReversedID] = r.Number
	}
	for _, i := range todo {
		if results[i].err != nil {
			continue
		}
		for j, v := range reqs[i].vouchers {
			if v.reverses == 0 {
				continue
			}
			if by, done := reversedBy[v.reverses]; done {
				results[i].err = &PreconditionError{Field: fmt.Sprintf("vouchers[%d]", j), Kind: ErrAlreadyReversed,
					Reason: fmt.Sprintf("voucher %d is already reversed by %s", v.reverses, by)}
				break
			}
			reversedBy[v.reverses] = "a reversal in the same batch"
		}
	}
	return nil
}

// pending is a voucher on its way into the books.
type pending struct {
	v      *Voucher
	hash   []byte // requestHash of v
	actor  string
	owner  int // index of its request in the batch
	period periodKey
	lines  []PostedLine // as StageTx wrote them; nil when not staged
}

// allocate gives each voucher its id, its gapless number and its link in
// the hash chain.
func allocate(ctx context.Context, q *dbq.Queries, tenant string, items []pending, ids []int64, head dbq.ChainHeadLockRow, now time.Time) ([]Posted, error) {
	type seriesKey struct {
		fy int32
		t  VoucherType
	}
	counts := map[seriesKey]int64{}
	for _, it := range items {
		counts[seriesKey{it.period.fiscalYear, it.v.Type}]++
	}
	keys := make([]seriesKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b seriesKey) int { return cmp.Or(cmp.Compare(a.fy, b.fy), cmp.Compare(a.t, b.t)) })
	next := map[seriesKey]int64{}
	for _, k := range keys {
		last, err := q.VoucherSeriesTake(ctx, dbq.VoucherSeriesTakeParams{TenantID: tenant, FiscalYear: k.fy, VoucherType: string(k.t), Count: counts[k]})
		if err != nil {
			return nil, fmt.Errorf("take voucher numbers: %w", err)
		}
		next[k] = last - counts[k] + 1
	}
	postedAt := now.UTC().Truncate(time.Microsecond)
	prev, seq := head.LastHash, head.LastSeq
	posted := make([]Posted, len(items))
	for k, it := range items {
		v, pk := it.v, it.period
		sk := seriesKey{pk.fiscalYear, v.Type}
		serial := next[sk]
		next[sk]++
		seq++
		p := Posted{
			ID: ids[k], TenantID: tenant, Number: voucherNumber(v.Type, int(pk.fiscalYear), serial), Serial: serial,
			Type: v.Type, FiscalYear: int(pk.fiscalYear), Period: int(pk.period), Date: v.Date,
			Narration: v.Narration, SourceRef: v.SourceRef, IdempotencyKey: v.IdempotencyKey,
			Total: v.total(), ReversesID: v.reverses, ReversalReason: v.reversalReason,
			PostedBy: it.actor, PostedAt: postedAt, ChainSeq: seq,
			Lines: it.lines,
		}
		if p.Lines == nil {
			p.Lines = postedLines(v)
		}
		p.Hash = chainHash(prev, tenant, &p)
		prev = p.Hash
		posted[k] = p
	}
	return posted, nil
}

// insertVouchers writes the headers of posted and the lines of those
// whose lines StageTx has not already written (items[k] is posted[k]).
func insertVouchers(ctx context.Context, q *dbq.Queries, tenant string, reqs []*request, items []pending, posted []Posted) error {
	headers := make([]dbq.VoucherInsertManyParams, len(posted))
	var lines []dbq.VoucherLineInsertManyParams
	for k, p := range posted {
		headers[k] = dbq.VoucherInsertManyParams{
			TenantID: tenant, ID: p.ID, VoucherType: string(p.Type), FiscalYear: int32(p.FiscalYear),
			Period: int16(p.Period), Serial: p.Serial, Number: p.Number, VoucherDate: p.Date,
			Narration: p.Narration, SourceRef: p.SourceRef, IdempotencyKey: p.IdempotencyKey,
			ReversesID:     pgtype.Int8{Int64: p.ReversesID, Valid: p.ReversesID != 0},
			ReversalReason: p.ReversalReason, Total: p.Total, LineCount: int16(len(p.Lines)),
			PostedBy: p.PostedBy, PostedAt: p.PostedAt, ChainSeq: p.ChainSeq, Hash: p.Hash,
		}
		if reqs[items[k].owner].written == nil {
			lines = appendLineRows(lines, tenant, p.ID, p.Date, p.Lines)
		}
	}
	if _, err := q.VoucherInsertMany(ctx, headers); err != nil {
		return fmt.Errorf("copy vouchers: %w", err)
	}
	if len(lines) == 0 {
		return nil
	}
	if _, err := q.VoucherLineInsertMany(ctx, lines); err != nil {
		return fmt.Errorf("copy voucher lines: %w", err)
	}
	return nil
}

// postedLines numbers a voucher's lines from 1, amounts to the paisa, as
// they are written.
func postedLines(v *Voucher) []PostedLine {
	out := make([]PostedLine, len(v.Lines))
	for n, l := range v.Lines {
		out[n] = PostedLine{LineNo: n + 1, Line: l}
		out[n].Debit = l.Debit.Round(2)
		out[n].Credit = l.Credit.Round(2)
	}
	return out
}

func appendLineRows(rows []dbq.VoucherLineInsertManyParams, tenant string, id int64, date time.Time, lines []PostedLine) []dbq.VoucherLineInsertManyParams {
	for _, l := range lines {
		rows = append(rows, dbq.VoucherLineInsertManyParams{
			TenantID: tenant, VoucherID: id, LineNo: int16(l.LineNo), AccountCode: l.AccountCode,
			FundCode: l.FundCode, FunctionCode: l.FunctionCode, FieldCode: l.FieldCode, Party: l.Party,
			Debit: l.Debit, Credit: l.Credit, VoucherDate: date,
		})
	}
	return rows
}

type balanceKey struct {
	account, fund, function string
	fiscalYear              int32
	period                  int16
}

// addBalances folds the batch's lines into one delta per balance key and
// applies them in key order.
func addBalances(ctx context.Context, q *dbq.Queries, tenant string, posted []Posted) error {
	type sums struct{ dr, cr decimal.Decimal }
	deltas := map[balanceKey]*sums{}
	for _, p := range posted {
		for _, l := range p.Lines {
			k := balanceKey{l.AccountCode, l.FundCode, l.FunctionCode, int32(p.FiscalYear), int16(p.Period)}
			s := deltas[k]
			if s == nil {
				s = &sums{}
				deltas[k] = s
			}
			s.dr = s.dr.Add(l.Debit)
			s.cr = s.cr.Add(l.Credit)
		}
	}
	keys := make([]balanceKey, 0, len(deltas))
	for k := range deltas {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b balanceKey) int {
		return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.fund, b.fund), cmp.Compare(a.function, b.function),
			cmp.Compare(a.fiscalYear, b.fiscalYear), cmp.Compare(a.period, b.period))
	})
	arg := dbq.BalanceAddManyParams{TenantID: tenant}
	for _, k := range keys {
		arg.AccountCodes = append(arg.AccountCodes, k.account)
		arg.FundCodes = append(arg.FundCodes, k.fund)
		arg.FunctionCodes = append(arg.FunctionCodes, k.function)
		arg.FiscalYears = append(arg.FiscalYears, k.fiscalYear)
		arg.Periods = append(arg.Periods, k.period)
		arg.Debits = append(arg.Debits, deltas[k].dr)
		arg.Credits = append(arg.Credits, deltas[k].cr)
	}
	if err := q.BalanceAddMany(ctx, arg); err != nil {
		return fmt.Errorf("add balances: %w", err)
	}
	return nil
}
