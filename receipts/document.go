package receipts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receiptdoc"
)

// ErrNoSigningKey is why a server without a receipt signing key cannot
// print or verify receipts.
var ErrNoSigningKey = errors.New("no receipt signing key configured")

var tenantPattern = regexp.MustCompile(`^[a-z]{2}\.[a-z][a-z0-9_-]{1,62}$`)

var modeLabel = map[Mode]string{Cash: "Cash", Cheque: "Cheque", DD: "Demand draft", Card: "Card (POS)", NEFT: "NEFT/RTGS", Online: "Online"}

// Document is receipt id as printed: its lines are what the payment
// settled by period and head (a round-off netted into its period's head
// above it) and any advance held, and its QR code carries the signed
// verification URL. A cancelled or dishonoured receipt prints so.
func (s *Service) Document(ctx context.Context, tenant string, id int64) (receiptdoc.Document, error) {
	if s.signer == nil {
		return receiptdoc.Document{}, &ledger.PreconditionError{Field: "receipt_id", Reason: "receipts cannot be printed: " + ErrNoSigningKey.Error(), Kind: ErrNoSigningKey}
	}
	r, err := s.Get(ctx, tenant, id)
	if err != nil {
		return receiptdoc.Document{}, err
	}
	var ulb string
	err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		t, err := dbq.New(tx).TenantGet(ctx, tenant)
		ulb = t.Name
		return err
	})
	if err != nil {
		return receiptdoc.Document{}, fmt.Errorf("read tenant: %w", err)
	}
	heads, err := s.billing.TaxHeads(ctx, tenant, "")
	if err != nil {
		return receiptdoc.Document{}, err
	}
	headName := map[string]string{}
	for _, h := range heads {
		headName[h.Service+"/"+h.Code] = h.Name
	}
	d := receiptdoc.Document{ULBName: ulb, TenantID: tenant, ReceiptNo: r.Number, Date: r.Date, PayerName: r.PayerName,
		Total: r.Amount, Mode: modeLabel[r.Mode], Cashier: r.CollectedBy, Status: receiptdoc.Status(r.Status),
		StatusDate: r.UndoneOn, StatusReason: r.UndoReason}
	if d.PayerName == "" {
		d.PayerName = "Not stated"
	}
	if r.Mode != Cash && r.Instrument.Number != "" {
		d.Instrument = &receiptdoc.Instrument{Number: r.Instrument.Number, Date: r.Instrument.Date, Bank: r.Instrument.Bank,
			Branch: r.Instrument.Branch}
	}
	for _, it := range r.Items {
		d.Consumers = append(d.Consumers, receiptdoc.Consumer{Service: serviceLabel(it.Service), Code: it.ConsumerCode})
	}
	for _, a := range r.Allocations {
		if a.Kind != "payment" {
			continue
		}
		period := a.PeriodFrom.Format(time.DateOnly) + " to " + a.PeriodTo.Format(time.DateOnly)
		if a.PeriodFrom.Month() == time.April && a.PeriodFrom.Day() == 1 && a.PeriodTo.Equal(a.PeriodFrom.AddDate(1, 0, -1)) {
			period = ledger.FiscalYearLabel(a.PeriodFrom.Year())
		}
		n := len(d.Lines)
		switch {
		case a.Amount.IsNegative() && n > 0 && d.Lines[n-1].Period == period:
			d.Lines[n-1].Amount = d.Lines[n-1].Amount.Add(a.Amount)
		default:
			d.Lines = append(d.Lines, receiptdoc.Line{Period: period, Head: headName[a.Service+"/"+a.Head], Amount: a.Amount})
		}
	}
	for _, it := range r.Items {
		if it.Advance.IsPositive() {
			d.Lines = append(d.Lines, receiptdoc.Line{Head: "Advance, for " + it.ConsumerCode + "'s next demand", Amount: it.Advance})
		}
	}
	d.VerifyURL = s.signer.VerifyURL(s.verifyURL, d.Fields())
	return d, nil
}

func serviceLabel(service string) string {
	words := strings.Split(service, "_")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// PDF renders receipt id as a PDF, marked CANCELLED or DISHONOURED when it
// no longer stands.
func (s *Service) PDF(ctx context.Context, tenant string, id int64) ([]byte, receiptdoc.Document, error) {
	d, err := s.Document(ctx, tenant, id)
	if err != nil {
		return nil, d, err
	}
	var b bytes.Buffer
	if err := receiptdoc.Render(&b, receiptdoc.NewPDFRenderer(), d); err != nil {
		return nil, d, fmt.Errorf("render receipt %s: %w", d.ReceiptNo, err)
	}
	return b.Bytes(), d, nil
}

// Verify checks a receipt's verification fields and signature, as read
// from its QR code, against the books: it is genuine when the signature is
// the server's and the tenant has a receipt of that number, amount and date.
// The page says how the receipt stands today, and nothing about the payer.
func (s *Service) Verify(ctx context.Context, f receiptdoc.Fields, sig string) (receiptdoc.VerifyPage, error) {
	notVerified := receiptdoc.VerifyPage{ReceiptNo: f.ReceiptNo}
	if s.signer == nil {
		return notVerified, &ledger.PreconditionError{Reason: "receipts cannot be verified: " + ErrNoSigningKey.Error(), Kind: ErrNoSigningKey}
	}
	if !tenantPattern.MatchString(f.TenantID) || !s.signer.Verify(f, sig) {
		return notVerified, nil
	}
	var (
		r   Receipt
		ulb string
	)
	err := db.ReadTenant(ctx, s.pool, db.Scope(f.TenantID), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		id, err := receiptID(ctx, q, f.TenantID, f.ReceiptNo)
		if err != nil {
			return err
		}
		rs, err := readReceipts(ctx, q, f.TenantID, []int64{id})
		if err != nil || len(rs) == 0 {
			return err
		}
		r = rs[0]
		t, err := q.TenantGet(ctx, f.TenantID)
		ulb = t.Name
		return err
	})
	var nf *ledger.NotFoundError
	switch {
	case errors.As(err, &nf) || errors.Is(err, pgx.ErrNoRows):
		return notVerified, nil
	case err != nil:
		return notVerified, err
	case !r.Amount.Equal(f.Amount) || r.Date.Format(time.DateOnly) != f.Date.Format(time.DateOnly):
		return notVerified, nil
	}
	return receiptdoc.VerifyPage{Genuine: true, ULBName: ulb, ReceiptNo: r.Number, Date: r.Date, Amount: r.Amount,
		Status: receiptdoc.Status(r.Status), StatusDate: r.UndoneOn}, nil
}
