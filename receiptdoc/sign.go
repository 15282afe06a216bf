package receiptdoc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// MinKeyLen is the shortest server key NewSigner accepts: 32 bytes, the
// size of the HMAC-SHA256 output, so the key is not the weak link.
const MinKeyLen = 32

// Fields are what a receipt's signature covers: enough to tell a forged or
// altered receipt from a genuine one, and nothing personal, because they
// travel in a URL anyone can read from the QR code.
type Fields struct {
	// TenantID is the ULB, e.g. "uk.dehradun".
	TenantID string
	// ReceiptNo is the receipt number as printed.
	ReceiptNo string
	// Amount is the receipt's total, to the paisa.
	Amount decimal.Decimal
	// Date is the receipt's calendar day, read in the time's own location.
	Date time.Time
}

// Signer signs and checks receipts with a server key (HMAC-SHA256). It is
// safe for concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key, which must be at least MinKeyLen bytes
// of secret random data. The key is copied.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("receiptdoc: signing key is %d bytes, need at least %d", len(key), MinKeyLen)
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// signatureDomain starts every signed message, so a MAC made with the same
// key for any other purpose can never pass as a receipt's.
const signatureDomain = "munim.receipt.v1"

// message is the canonical encoding of f: the domain, then tenant, receipt
// number, amount with exactly two decimals and date as YYYY-MM-DD, each
// preceded by its length as four big-endian bytes. Length prefixes make the
// encoding unambiguous whatever bytes a field holds.
func message(f Fields) []byte {
	parts := [...]string{signatureDomain, f.TenantID, f.ReceiptNo, f.Amount.StringFixed(2), f.Date.Format(time.DateOnly)}
	var b []byte
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

func (s *Signer) mac(f Fields) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write(message(f))
	return h.Sum(nil)
}

// Sign returns the signature of f, URL-safe base64 without padding. The
// amount is signed with two decimals; the caller has checked it is to the
// paisa (NewLayout does).
func (s *Signer) Sign(f Fields) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(f))
}

// Verify reports whether sig is the signature of f under this Signer's key.
// It compares in constant time.
func (s *Signer) Verify(f Fields, sig string) bool {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !f.Amount.Equal(f.Amount.Truncate(2)) {
		return false
	}
	return hmac.Equal(got, s.mac(f))
}

// Query parameters of the verification URL.
const (
	paramTenant  = "tenant"
	paramReceipt = "receipt"
	paramAmount  = "amount"
	paramDate    = "date"
	paramSig     = "sig"
)

// VerifyURL is the public URL printed in the QR code: base (e.g.
// "https://munim.example.in/verify/receipt") with the fields and their
// signature as query parameters. ParseVerifyQuery reads them back.
func (s *Signer) VerifyURL(base string, f Fields) string {
	q := url.Values{
		paramTenant:  {f.TenantID},
		paramReceipt: {f.ReceiptNo},
		paramAmount:  {f.Amount.StringFixed(2)},
		paramDate:    {f.Date.Format(time.DateOnly)},
		paramSig:     {s.Sign(f)},
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + q.Encode()
}

// ParseVerifyQuery reads the fields and signature from a verification URL's
// query. A missing, repeated or malformed parameter is an *InputError whose
// Field is the parameter's name. It does not check the signature: that is
// Verify, with the server's key.
func ParseVerifyQuery(q url.Values) (Fields, string, error) {
	var f Fields
	var errs []error
	one := func(name string) string {
		switch v := q[name]; {
		case len(v) == 0 || v[0] == "":
			errs = append(errs, invalid(name, "is required"))
		case len(v) > 1:
			errs = append(errs, invalid(name, "must be given once, got %d values", len(v)))
		default:
			return v[0]
		}
		return ""
	}

	f.TenantID = one(paramTenant)
	f.ReceiptNo = one(paramReceipt)
	if v := one(paramAmount); v != "" {
		amount, err := decimal.NewFromString(v)
		if err != nil {
			errs = append(errs, invalid(paramAmount, "must be a decimal amount such as 1234.50, got %q", v))
		} else if err := checkAmount(paramAmount, amount); err != nil {
			errs = append(errs, err)
		}
		f.Amount = amount
	}
	if v := one(paramDate); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs = append(errs, invalid(paramDate, "must be a date as YYYY-MM-DD, got %q", v))
		}
		f.Date = d
	}
	sig := one(paramSig)
	if sig != "" {
		if raw, err := base64.RawURLEncoding.DecodeString(sig); err != nil || len(raw) != sha256.Size {
			errs = append(errs, invalid(paramSig, "must be %d bytes in unpadded URL-safe base64", sha256.Size))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Fields{}, "", err
	}
	return f, sig, nil
}
