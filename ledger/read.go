package ledger

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/gen/dbq"
)

// getVouchers reads vouchers with their lines, in the order of ids.
func getVouchers(ctx context.Context, conn dbq.DBTX, tenant string, ids []int64) ([]Posted, error) {
	q := dbq.New(conn)
	rows, err := q.VoucherGetMany(ctx, dbq.VoucherGetManyParams{TenantID: tenant, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("read vouchers: %w", err)
	}
	lines, err := q.VoucherLinesOf(ctx, dbq.VoucherLinesOfParams{TenantID: tenant, VoucherIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read voucher lines: %w", err)
	}
	byID := make(map[int64]*Posted, len(rows))
	for _, r := range rows {
		p := &Posted{
			ID: r.ID, TenantID: r.TenantID, Number: r.Number, Serial: r.Serial, Type: VoucherType(r.VoucherType),
			FiscalYear: int(r.FiscalYear), Period: int(r.Period), Date: r.VoucherDate, Narration: r.Narration,
			SourceRef: r.SourceRef, IdempotencyKey: r.IdempotencyKey, Total: r.Total,
			ReversesID: r.ReversesID.Int64, ReversalReason: r.ReversalReason, ReversedByID: r.ReversedByID.Int64,
			PostedBy: r.PostedBy, PostedAt: r.PostedAt, ChainSeq: r.ChainSeq, Hash: r.Hash,
		}
		byID[r.ID] = p
	}
	for _, ln := range lines {
		p := byID[ln.VoucherID]
		p.Lines = append(p.Lines, PostedLine{LineNo: int(ln.LineNo), Line: Line{
			AccountCode: ln.AccountCode, FundCode: ln.FundCode, FunctionCode: ln.FunctionCode,
			FieldCode: ln.FieldCode, Party: ln.Party, Debit: ln.Debit, Credit: ln.Credit,
		}})
	}
	out := make([]Posted, 0, len(ids))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, *p)
		}
	}
	return out, nil
}

// Voucher returns one posted voucher with its lines.
func (l *Ledger) Voucher(ctx context.Context, tenant string, id int64) (Posted, error) {
	var vs []Posted
	err := l.read(ctx, tenant, func(tx pgx.Tx, _ *dbq.Queries) error {
		var err error
		vs, err = getVouchers(ctx, tx, tenant, []int64{id})
		return err
	})
	if err != nil {
		return Posted{}, err
	}
	if len(vs) == 0 {
		return Posted{}, &NotFoundError{What: fmt.Sprintf("voucher %d", id)}
	}
	return vs[0], nil
}

// VoucherFilter selects vouchers for ListVouchers.
type VoucherFilter struct {
	From, To    time.Time
	Type        VoucherType // empty: every type
	AccountCode string      // empty: every account
	PageSize    int
	PageToken   string
}

// dateCursor is the keyset position of a date-ordered listing.
type dateCursor struct {
	Date string `json:"d"`
	ID   int64  `json:"i"`
	Line int    `json:"l,omitempty"`
	// Balance carries an account statement's running balance across pages.
	Balance string `json:"b,omitempty"`
}

func encodeCursor(c dateCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(token string) (dateCursor, error) {
	c := dateCursor{Date: "0001-01-01"}
	if token == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil {
		_, err = time.Parse(time.DateOnly, c.Date)
	}
	if err != nil {
		return c, invalid("page_token", "is not a token this server issued")
	}
	return c, nil
}

func pageSize(n, def, max int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}

func checkRange(from, to time.Time) error {
	if to.Before(from) {
		return invalid("to", "must not be before from")
	}
	return nil
}

// ListVouchers lists vouchers in date order; the next page token is empty
// on the last page.
func (l *Ledger) ListVouchers(ctx context.Context, tenant string, f VoucherFilter) ([]Posted, string, error) {
	if err := checkRange(f.From, f.To); err != nil {
		return nil, "", err
	}
	cur, err := decodeCursor(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	after, _ := time.Parse(time.DateOnly, cur.Date)
	size := pageSize(f.PageSize, 100, 1000)
	var vs []Posted
	more := false
	err = l.read(ctx, tenant, func(tx pgx.Tx, q *dbq.Queries) error {
		ids, err := q.VoucherList(ctx, dbq.VoucherListParams{
			TenantID: tenant, FromDate: f.From, ToDate: f.To, AfterDate: after, AfterID: cur.ID,
			VoucherType: string(f.Type), AccountCode: f.AccountCode, RowLimit: int32(size + 1),
		})
		if err != nil {
			return fmt.Errorf("list vouchers: %w", err)
		}
		if more = len(ids) > size; more {
			ids = ids[:size]
		}
		vs, err = getVouchers(ctx, tx, tenant, ids)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := vs[len(vs)-1]
		next = encodeCursor(dateCursor{Date: last.Date.Format(time.DateOnly), ID: last.ID})
	}
	return vs, next, nil
}
