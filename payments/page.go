package payments

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gateway"
)

// The citizen's payment page: enter a consumer code, see the dues of every
// service, pay them through the gateway's checkout, and get the receipt
// (PDF, with its verification link). Served without a token; the checkout's
// signature is what lets the payer fetch the receipt.
const (
	PagePath         = "/pay/{tenant}"
	pageOrderPath    = "/pay/{tenant}/order"
	pageCallbackPath = "/pay/{tenant}/callback"
	pageReceiptPath  = "/pay/{tenant}/receipt"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Pay your dues — {{.Tenant}}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ccc;text-align:left}.amt{text-align:right}.err{color:#a00}</style>
</head><body>
<h1>Pay your dues</h1>
<form method="get" action="/pay/{{.Tenant}}">
<label>Consumer code <input id="consumer" name="consumer" value="{{.Consumer}}" required maxlength="60"></label>
<button id="find" type="submit">Show dues</button>
</form>
{{with .Error}}<p class="err" id="error">{{.}}</p>{{end}}
{{if .Consumer}}{{if .Dues}}
<table id="dues"><tr><th>Service</th><th class="amt">Due (₹)</th></tr>
{{range .Dues}}<tr><td>{{.Service}}</td><td class="amt">{{.Amount}}</td></tr>{{end}}
<tr><th>Total</th><th class="amt" id="total">{{.Total}}</th></tr></table>
<form method="post" action="/pay/{{.Tenant}}/order">
<input type="hidden" name="consumer" value="{{.Consumer}}">
<input type="hidden" name="key" value="{{.Key}}">
<label>Your name <input name="payer_name" maxlength="200"></label>
<button id="pay" type="submit">Pay ₹{{.Total}}</button>
</form>
{{else}}<p id="nodues">Nothing is due from {{.Consumer}}.</p>{{end}}{{end}}
</body></html>`))

var resultTmpl = template.Must(template.New("result").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Payment {{.Status}}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}</style></head><body>
<h1 id="status">Payment {{.Status}}</h1>
{{range .Receipts}}<p>Receipt <strong class="receipt-no">{{.Number}}</strong> for ₹{{.Amount}}:
<a class="receipt-pdf" href="{{.PDF}}">download the receipt (PDF)</a> ·
<a class="receipt-verify" href="{{.Verify}}">verify it</a></p>{{end}}
{{if eq .Status "pending"}}<p id="pending">Your bank has not confirmed the payment yet. If money has left your account it will
be receipted as soon as it does; you need not pay again.</p>{{end}}
{{if eq .Status "failed"}}<p>The payment did not go through. <a href="/pay/{{.Tenant}}">Try again</a>.</p>{{end}}
</body></html>`))

type pageDue struct{ Service, Amount string }

type pageReceipt struct{ Number, Amount, PDF, Verify string }

// NewPage returns the citizen payment page's handler, for every pattern
// under /pay/.
func (s *Service) NewPage() (string, http.Handler) {
	m := http.NewServeMux()
	m.HandleFunc("GET "+PagePath, s.pageDues)
	m.HandleFunc("POST "+pageOrderPath, s.pageOrder)
	m.HandleFunc("POST "+pageCallbackPath, s.pageCallback)
	m.HandleFunc("GET "+pageReceiptPath, s.pageReceipt)
	return "/pay/", m
}

func (s *Service) pageDues(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if _, ok := s.accounts[tenant]; !ok {
		http.Error(w, "this municipality takes no online payments", http.StatusNotFound)
		return
	}
	data := map[string]any{"Tenant": tenant, "Consumer": strings.TrimSpace(r.URL.Query().Get("consumer"))}
	if c := data["Consumer"].(string); c != "" {
		dues, total, err := s.duesOf(r, tenant, c)
		if err != nil {
			s.log.ErrorContext(r.Context(), "payment page: dues", "tenant", tenant, "err", err)
			data["Error"] = "Dues could not be read just now; try again."
		}
		data["Dues"], data["Total"] = dues, total.StringFixed(2)
		key := make([]byte, 12)
		rand.Read(key)
		data["Key"] = "page-" + hex.EncodeToString(key) // one checkout per page shown
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, data)
}

// duesOf is what consumer owes in every service.
func (s *Service) duesOf(r *http.Request, tenant, consumer string) ([]pageDue, decimal.Decimal, error) {
	d, err := s.billing.Dues(r.Context(), tenant, consumer, "")
	if err != nil {
		return nil, decimal.Zero, err
	}
	by := map[string]decimal.Decimal{}
	for _, dm := range d.Demands {
		for _, l := range dm.Lines {
			by[dm.Service] = by[dm.Service].Add(l.Balance())
		}
	}
	var out []pageDue
	for svc, a := range by {
		if a.IsPositive() {
			out = append(out, pageDue{Service: svc, Amount: a.StringFixed(2)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out, d.Total, nil
}

func (s *Service) pageOrder(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	consumer := strings.TrimSpace(r.PostForm.Get("consumer"))
	d, err := s.billing.Dues(r.Context(), tenant, consumer, "")
	if err != nil || consumer == "" {
		http.Error(w, "unknown consumer", http.StatusBadRequest)
		return
	}
	by := map[string]decimal.Decimal{}
	for _, dm := range d.Demands {
		for _, l := range dm.Lines {
			by[dm.Service] = by[dm.Service].Add(l.Balance())
		}
	}
	in := OrderInput{IdempotencyKey: r.PostForm.Get("key"), PayerName: r.PostForm.Get("payer_name")}
	for svc, a := range by {
		if a.IsPositive() {
			in.Items = append(in.Items, Item{Service: svc, ConsumerCode: consumer, Amount: a})
		}
	}
	sort.Slice(in.Items, func(i, j int) bool { return in.Items[i].Service < in.Items[j].Service })
	t, err := s.CreatePaymentOrder(r.Context(), tenant, "citizen", in)
	if err != nil || t.Checkout == nil {
		s.log.WarnContext(r.Context(), "payment page: order", "tenant", tenant, "err", err)
		http.Error(w, "the payment could not be started; try again", http.StatusServiceUnavailable)
		return
	}
	back := pageBase(r) + "/pay/" + tenant + "/callback"
	http.Redirect(w, r, t.Checkout.URL+"&callback_url="+url.QueryEscape(back), http.StatusSeeOther)
}

// pageBase is the server's address as the browser reached it.
func pageBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Service) pageCallback(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	data := map[string]any{"Tenant": tenant}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if f.Get("razorpay_payment_id") == "" {
		data["Status"] = "failed"
		resultTmpl.Execute(w, data)
		return
	}
	cb := CheckoutResult{OrderID: f.Get("razorpay_order_id"), PaymentID: f.Get("razorpay_payment_id"), Signature: f.Get("razorpay_signature")}
	t, err := s.ConfirmCheckout(r.Context(), tenant, "citizen", cb)
	if errors.Is(err, ErrForged) {
		http.Error(w, "the payment's signature does not verify", http.StatusForbidden)
		return
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "payment page: callback", "tenant", tenant, "err", err)
		data["Status"] = "pending"
		resultTmpl.Execute(w, data)
		return
	}
	status := string(t.Status)
	var rs []pageReceipt
	for _, p := range t.Payments {
		if p.PaymentID != cb.PaymentID || p.ReceiptID == 0 {
			continue
		}
		doc, err := s.receipts.Document(r.Context(), tenant, p.ReceiptID)
		verify := ""
		if err == nil {
			verify = doc.VerifyURL
		}
		q := url.Values{"order": {cb.OrderID}, "payment": {cb.PaymentID}, "sig": {cb.Signature}}
		rs = append(rs, pageReceipt{Number: doc.ReceiptNo, Amount: p.Amount.StringFixed(2),
			PDF: "/pay/" + tenant + "/receipt?" + q.Encode(), Verify: verify})
	}
	if status == string(Success) && len(rs) == 0 {
		status = string(Pending)
	}
	data["Status"], data["Receipts"] = status, rs
	resultTmpl.Execute(w, data)
}

// pageReceipt serves the receipt PDF of a payment to whoever holds the
// checkout's signature of it.
func (s *Service) pageReceipt(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	acct, ok := s.accounts[tenant]
	q := r.URL.Query()
	if !ok || !gateway.VerifyCheckout(acct.KeySecret, q.Get("order"), q.Get("payment"), q.Get("sig")) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	t, err := s.byOrder(r.Context(), tenant, q.Get("order"))
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	full, err := s.Get(r.Context(), tenant, t.ID)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	for _, p := range full.Payments {
		if p.PaymentID == q.Get("payment") && p.ReceiptID != 0 {
			pdf, doc, err := s.receipts.PDF(r.Context(), tenant, p.ReceiptID)
			if err != nil {
				s.log.ErrorContext(r.Context(), "payment page: receipt pdf", "tenant", tenant, "err", err)
				http.Error(w, "the receipt could not be printed just now", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `inline; filename="receipt-`+strings.ReplaceAll(doc.ReceiptNo, "/", "-")+`.pdf"`)
			w.Write(pdf)
			return
		}
	}
	http.Error(w, "not receipted yet", http.StatusNotFound)
}
