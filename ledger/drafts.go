package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gen/dbq"
)

// Maker-checker: vouchers entered by people are drafts, outside the books,
// until someone else with the approver role approves them. Approval posts
// the voucher (with the draft's idempotency key) and links it to the draft
// in one transaction; the draft is kept either way.

// Draft statuses.
const (
	DraftPending  = "draft"
	DraftPosted   = "posted"
	DraftRejected = "rejected"
)

// ErrSelfApproval reports a maker approving their own draft.
var ErrSelfApproval = errors.New("the maker of a voucher may not approve it")

// ErrDraftDecided reports a decision on a draft already decided otherwise.
var ErrDraftDecided = errors.New("draft already decided")

// Draft is a voucher entered by a maker.
type Draft struct {
	ID             int64
	TenantID       string
	Voucher        Voucher
	Maker          string
	CreatedAt      time.Time
	Status         string
	Checker        string
	DecidedAt      *time.Time
	DecisionReason string
	// VoucherID is the posted voucher, once approved.
	VoucherID int64
}

// draftBody is how a draft's voucher is kept: amounts as decimal strings.
type draftBody struct {
	Type      VoucherType `json:"type"`
	Date      string      `json:"date"`
	Narration string      `json:"narration"`
	SourceRef string      `json:"source_ref,omitempty"`
	Lines     []draftLine `json:"lines"`
}

type draftLine struct {
	Account  string `json:"account"`
	Fund     string `json:"fund"`
	Function string `json:"function"`
	Field    string `json:"field,omitempty"`
	Party    string `json:"party,omitempty"`
	Debit    string `json:"debit"`
	Credit   string `json:"credit"`
}

func encodeDraft(v *Voucher) ([]byte, error) {
	b := draftBody{Type: v.Type, Date: v.Date.Format(time.DateOnly), Narration: v.Narration, SourceRef: v.SourceRef}
	for _, l := range v.Lines {
		b.Lines = append(b.Lines, draftLine{Account: l.AccountCode, Fund: l.FundCode, Function: l.FunctionCode,
			Field: l.FieldCode, Party: l.Party, Debit: l.Debit.StringFixed(2), Credit: l.Credit.StringFixed(2)})
	}
	return json.Marshal(b)
}

func draftOf(r dbq.VoucherDraft) (Draft, error) {
	var b draftBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		return Draft{}, fmt.Errorf("read draft %d: %w", r.ID, err)
	}
	date, err := time.Parse(time.DateOnly, b.Date)
	if err != nil {
		return Draft{}, fmt.Errorf("read draft %d: %w", r.ID, err)
	}
	v := Voucher{Type: b.Type, Date: date, Narration: b.Narration, SourceRef: b.SourceRef, IdempotencyKey: r.IdempotencyKey}
	for _, l := range b.Lines {
		dr, err1 := decimal.NewFromString(l.Debit)
		cr, err2 := decimal.NewFromString(l.Credit)
		if err := errors.Join(err1, err2); err != nil {
			return Draft{}, fmt.Errorf("read draft %d: %w", r.ID, err)
		}
		v.Lines = append(v.Lines, Line{AccountCode: l.Account, FundCode: l.Fund, FunctionCode: l.Function,
			FieldCode: l.Field, Party: l.Party, Debit: dr, Credit: cr})
	}
	return Draft{ID: r.ID, TenantID: r.TenantID, Voucher: v, Maker: r.Maker, CreatedAt: r.CreatedAt, Status: r.Status,
		Checker: r.Checker.String, DecidedAt: r.DecidedAt, DecisionReason: r.DecisionReason, VoucherID: r.VoucherID.Int64}, nil
}

// SaveDrafts records vouchers entered by maker as drafts, all or nothing.
// They are checked as a posting would be (balance, accounts, funds,
// functions) so a draft that could never post is refused at once. Replaying
// the same request returns the same drafts; a key reused with another body
// is a conflict.
func (l *Ledger) SaveDrafts(ctx context.Context, tenant, maker string, vouchers []Voucher) ([]Draft, error) {
	if err := l.prepare(ctx, tenant, vouchers); err != nil {
		return nil, err
	}
	keys := make([]string, len(vouchers))
	for i, v := range vouchers {
		keys[i] = v.IdempotencyKey
	}
	var out []Draft
	err := l.write(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		out = nil
		existing, err := q.DraftByIdempotencyKeys(ctx, dbq.DraftByIdempotencyKeysParams{TenantID: tenant, Keys: keys})
		if err != nil {
			return fmt.Errorf("look up drafts: %w", err)
		}
		byKey := map[string]dbq.VoucherDraft{}
		for _, d := range existing {
			byKey[d.IdempotencyKey] = d
		}
		for i := range vouchers {
			v := &vouchers[i]
			hash := requestHash(tenant, v)
			if d, ok := byKey[v.IdempotencyKey]; ok {
				if !bytes.Equal(d.RequestHash, hash) || len(existing) != len(vouchers) {
					return &ConflictError{Field: fmt.Sprintf("vouchers[%d].idempotency_key", i), Key: v.IdempotencyKey}
				}
				dr, err := draftOf(d)
				if err != nil {
					return err
				}
				out = append(out, dr)
				continue
			}
			if len(existing) > 0 {
				return &ConflictError{Field: fmt.Sprintf("vouchers[%d].idempotency_key", i), Key: v.IdempotencyKey}
			}
			body, err := encodeDraft(v)
			if err != nil {
				return err
			}
			row, err := q.DraftInsert(ctx, dbq.DraftInsertParams{TenantID: tenant, IdempotencyKey: v.IdempotencyKey,
				RequestHash: hash, Body: body, Maker: maker})
			if err != nil {
				return fmt.Errorf("save draft: %w", err)
			}
			dr, err := draftOf(row)
			if err != nil {
				return err
			}
			out = append(out, dr)
		}
		return nil
	})
	return out, err
}

// DraftByID returns one draft.
func (l *Ledger) DraftByID(ctx context.Context, tenant string, id int64) (Draft, error) {
	var d Draft
	err := l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		row, err := q.DraftGet(ctx, dbq.DraftGetParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return &NotFoundError{What: fmt.Sprintf("voucher %d", id)}
		}
		if err != nil {
			return err
		}
		d, err = draftOf(row)
		return err
	})
	return d, err
}

// Approve posts draft id, checked by checker, who must not be its maker.
// The posting and the draft's decision commit together. Approving a draft
// already posted returns its voucher.
func (l *Ledger) Approve(ctx context.Context, tenant string, id int64, checker string) (Posted, error) {
	var out Posted
	err := l.write(ctx, tenant, func(tx pgx.Tx, q *dbq.Queries) error {
		row, err := lockDraft(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		switch {
		case row.Status == DraftPosted:
			vs, err := getVouchers(ctx, tx, tenant, []int64{row.VoucherID.Int64})
			if err != nil || len(vs) == 0 {
				return errors.Join(err, fmt.Errorf("posted voucher of draft %d is missing", id))
			}
			out = vs[0]
			return nil
		case row.Status == DraftRejected:
			return &PreconditionError{Field: "voucher_id", Kind: ErrDraftDecided, Reason: fmt.Sprintf("draft %d was rejected", id)}
		case row.Maker == checker:
			return &PreconditionError{Field: "voucher_id", Kind: ErrSelfApproval, Reason: fmt.Sprintf("%s made draft %d and may not approve it", checker, id)}
		}
		d, err := draftOf(row)
		if err != nil {
			return err
		}
		vs := []Voucher{d.Voucher}
		if l.needsCheck(vs) {
			if vs, err = l.checkTx(ctx, tx, tenant, vs); err != nil {
				return err
			}
		}
		posted, err := l.PostTx(ctx, tx, tenant, checker, vs)
		if err != nil {
			return err
		}
		out = posted[0]
		_, err = q.DraftDecide(ctx, dbq.DraftDecideParams{TenantID: tenant, ID: id, Status: DraftPosted,
			Checker: pgtype.Text{String: checker, Valid: true}, VoucherID: pgtype.Int8{Int64: out.ID, Valid: true}})
		return err
	})
	return out, err
}

// lockDraft reads a draft and holds it until the transaction ends, so two
// checkers cannot decide it at once.
func lockDraft(ctx context.Context, q *dbq.Queries, tenant string, id int64) (dbq.VoucherDraft, error) {
	row, err := q.DraftGetForUpdate(ctx, dbq.DraftGetForUpdateParams{TenantID: tenant, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return row, &NotFoundError{What: fmt.Sprintf("draft voucher %d", id)}
	}
	if err != nil {
		return row, fmt.Errorf("lock draft: %w", err)
	}
	return row, nil
}

// Reject refuses draft id; it is kept, marked rejected with the reason.
func (l *Ledger) Reject(ctx context.Context, tenant string, id int64, checker, reason string) (Draft, error) {
	if reason == "" {
		return Draft{}, invalid("reason", "is required")
	}
	var out Draft
	err := l.write(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		row, err := lockDraft(ctx, q, tenant, id)
		if err != nil {
			return err
		}
		if row.Status != DraftPending {
			return &PreconditionError{Field: "voucher_id", Kind: ErrDraftDecided, Reason: fmt.Sprintf("draft %d is already %s", id, row.Status)}
		}
		if row.Maker == checker {
			return &PreconditionError{Field: "voucher_id", Kind: ErrSelfApproval, Reason: fmt.Sprintf("%s made draft %d and may not decide it", checker, id)}
		}
		row, err = q.DraftDecide(ctx, dbq.DraftDecideParams{TenantID: tenant, ID: id, Status: DraftRejected,
			Checker: pgtype.Text{String: checker, Valid: true}, DecisionReason: reason})
		if err != nil {
			return err
		}
		out, err = draftOf(row)
		return err
	})
	return out, err
}
