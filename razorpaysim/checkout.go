package razorpaysim

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/munimhq/munim/gateway"
)

var checkoutTmpl = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Razorpay simulator checkout</title></head>
<body>
<h1>Pay ₹{{.Rupees}}</h1>
<p>Order <code id="order">{{.Order.ID}}</code> ({{.Order.Receipt}}), simulated checkout.</p>
<form method="post" action="/checkout/pay">
<input type="hidden" name="order_id" value="{{.Order.ID}}">
<input type="hidden" name="callback_url" value="{{.Callback}}">
<label>Method <select name="method"><option>upi</option><option>card</option><option>netbanking</option></select></label>
<button id="pay" name="outcome" value="success" type="submit">Pay</button>
<button id="fail" name="outcome" value="fail" type="submit">Fail payment</button>
</form>
</body></html>`))

var callbackTmpl = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Returning to merchant</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.URL}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>`))

// checkoutPage is the hosted checkout of an order:
// /checkout?order_id=...&callback_url=...
func (s *Sim) checkoutPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.URL.Query().Get("order_id")]
	var ord gateway.Order
	if ok {
		ord = o.Order
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	cb := r.URL.Query().Get("callback_url")
	if u, err := url.Parse(cb); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		http.Error(w, "callback_url must be an http(s) URL", http.StatusBadRequest)
		return
	}
	rupees := strconv.FormatInt(ord.Amount/100, 10) + "." + strconv.FormatInt(100+ord.Amount%100, 10)[1:]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	checkoutTmpl.Execute(w, map[string]any{"Order": ord, "Rupees": rupees, "Callback": cb})
}

// checkoutPay pays (or fails) the order and posts the result to the
// merchant's callback_url, as Razorpay's checkout does with redirect.
func (s *Sim) checkoutPay(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	cbURL := r.PostForm.Get("callback_url")
	if u, err := url.Parse(cbURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		http.Error(w, "callback_url must be an http(s) URL", http.StatusBadRequest)
		return
	}
	fail := r.PostForm.Get("outcome") == "fail"
	cb, err := s.Pay(r.PostForm.Get("order_id"), Pay{Method: r.PostForm.Get("method"), Fail: fail})
	if err != nil {
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	fields := map[string]string{"razorpay_order_id": cb.OrderID, "razorpay_payment_id": cb.PaymentID,
		"razorpay_signature": cb.Signature}
	if fail {
		fields = map[string]string{"error[code]": "BAD_REQUEST_ERROR", "error[description]": "Payment failed",
			"error[metadata][order_id]": cb.OrderID, "error[metadata][payment_id]": cb.PaymentID}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	callbackTmpl.Execute(w, map[string]any{"URL": cbURL, "Fields": fields})
}
