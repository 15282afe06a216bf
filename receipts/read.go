package receipts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Get reads one receipt with what it paid.
func (s *Service) Get(ctx context.Context, tenant string, id int64) (Receipt, error) {
	var out Receipt
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = GetTx(ctx, tx, tenant, id)
		return err
	})
	return out, err
}

// GetTx reads a receipt with its items in the caller's transaction.
func GetTx(ctx context.Context, tx pgx.Tx, tenant string, id int64) (Receipt, error) {
	out, err := readReceipts(ctx, dbq.New(tx), tenant, []int64{id})
	if err != nil {
		return Receipt{}, err
	}
	if len(out) == 0 {
		return Receipt{}, &ledger.NotFoundError{What: fmt.Sprintf("receipt %d", id)}
	}
	return out[0], nil
}

// GetByNumber reads a receipt by its printed number.
func (s *Service) GetByNumber(ctx context.Context, tenant, number string) (Receipt, error) {
	var id int64
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		id, err = receiptID(ctx, dbq.New(tx), tenant, number)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	return s.Get(ctx, tenant, id)
}

func receiptID(ctx context.Context, q *dbq.Queries, tenant, number string) (int64, error) {
	id, err := q.ReceiptIDByNumber(ctx, dbq.ReceiptIDByNumberParams{TenantID: tenant, Number: number})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, &ledger.NotFoundError{What: fmt.Sprintf("receipt %s", number)}
	}
	if err != nil {
		return 0, fmt.Errorf("find receipt: %w", err)
	}
	return id, nil
}

// Filter selects receipts for List.
type Filter struct {
	From, To     time.Time // receipt dates, inclusive (zero: any)
	CollectedBy  string
	Status       Status
	ConsumerCode string
	PageSize     int
	PageToken    string
}

// List returns receipts newest first, a page at a time; the next page
// token is empty on the last page.
func (s *Service) List(ctx context.Context, tenant string, f Filter) ([]Receipt, string, error) {
	size := f.PageSize
	if size <= 0 || size > 500 {
		size = 100
	}
	var before int64
	if f.PageToken != "" {
		n, err := strconv.ParseInt(f.PageToken, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", invalid("page_token", "is not a token this list returned")
		}
		before = n
	}
	from, to := f.From, f.To
	if from.IsZero() {
		from = ledger.Date(2000, time.January, 1)
	}
	if to.IsZero() {
		to = ledger.Date(2200, time.January, 1)
	}
	var out []Receipt
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		ids, err := q.ReceiptList(ctx, dbq.ReceiptListParams{TenantID: tenant, FromDate: from, ToDate: to,
			CollectedBy: f.CollectedBy, Status: string(f.Status), ConsumerCode: f.ConsumerCode, BeforeID: before,
			PageSize: int32(size + 1)})
		if err != nil {
			return fmt.Errorf("list receipts: %w", err)
		}
		if len(ids) > size {
			ids = ids[:size]
			before = ids[size-1]
		} else {
			before = 0
		}
		out, err = readReceipts(ctx, q, tenant, ids)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if before != 0 {
		next = strconv.FormatInt(before, 10)
	}
	return out, next, nil
}

// readReceipts reads receipts with their items and allocations, in the
// order of ids.
func readReceipts(ctx context.Context, q *dbq.Queries, tenant string, ids []int64) ([]Receipt, error) {
	rows, err := q.ReceiptGetMany(ctx, dbq.ReceiptGetManyParams{TenantID: tenant, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("read receipts: %w", err)
	}
	items, err := q.ReceiptItemsOf(ctx, dbq.ReceiptItemsOfParams{TenantID: tenant, ReceiptIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read receipt items: %w", err)
	}
	allocs, err := q.ReceiptAllocationsOf(ctx, dbq.ReceiptAllocationsOfParams{TenantID: tenant, ReceiptIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read receipt allocations: %w", err)
	}
	byID := make(map[int64]*Receipt, len(rows))
	for _, r := range rows {
		rc := receiptOf(r)
		byID[r.ID] = &rc
	}
	for _, it := range items {
		r := byID[it.ReceiptID]
		r.Items = append(r.Items, Item{Service: it.Service, ConsumerCode: it.ConsumerCode, Amount: it.Amount,
			Rebate: it.Rebate, Advance: it.Advance})
	}
	for _, a := range allocs {
		r := byID[a.ReceiptID]
		r.Allocations = append(r.Allocations, Allocation{DemandID: a.DemandID, LineNo: int(a.LineNo), Head: a.HeadCode,
			Service: a.Service, ConsumerCode: a.ConsumerCode, PeriodFrom: a.PeriodFrom, PeriodTo: a.PeriodTo,
			Kind: a.Kind, Amount: a.Amount})
	}
	out := make([]Receipt, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, *r)
		}
	}
	return out, nil
}

func receiptOf(r dbq.Receipt) Receipt {
	day := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	return Receipt{ID: r.ID, TenantID: r.TenantID, Number: r.Number, Series: r.Series, FiscalYear: int(r.FiscalYear),
		Serial: r.Serial, Date: r.ReceiptDate, Mode: Mode(r.Mode), Amount: r.Amount, FundCode: r.FundCode,
		DebitAccount: r.DebitAccount, PayerName: r.PayerName,
		Instrument: Instrument{Number: r.InstrumentNo, Date: day(r.InstrumentDate), Bank: r.BankName, Branch: r.Branch},
		VoucherID:  r.VoucherID, RebateVoucherID: r.RebateVoucherID.Int64, IdempotencyKey: r.IdempotencyKey,
		CollectedBy: r.CollectedBy, CollectedAt: r.CollectedAt, Status: Status(r.Status), UndoneOn: day(r.UndoneOn),
		UndoneBy: r.UndoneBy.String, UndoReason: r.UndoReason, UndoVoucherID: r.UndoVoucherID.Int64,
		ChequeStatus: r.ChequeStatus.String, DepositID: r.DepositID.Int64, RealisedOn: day(r.RealisedOn),
		DishonourDemandID: r.DishonourDemandID.Int64, RemittanceID: r.RemittanceID.Int64}
}
