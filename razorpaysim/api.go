package razorpaysim

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/munimhq/munim/gateway"
)

// apiError is Razorpay's error reply.
type apiError struct {
	status      int
	code        string
	field       string
	description string
}

func (e *apiError) Error() string { return e.description }

func badRequest(field, description string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "BAD_REQUEST_ERROR", field: field, description: description}
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, ErrNotFound):
		ae = &apiError{status: http.StatusNotFound, code: "BAD_REQUEST_ERROR", description: "The id provided does not exist"}
	default:
		ae = &apiError{status: http.StatusInternalServerError, code: "SERVER_ERROR", description: "We are facing some trouble completing your request at the moment. Please try again shortly."}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ae.status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": ae.code, "description": ae.description,
		"field": ae.field, "source": "business", "reason": "input_validation_failed", "metadata": map[string]any{}}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

type collection[T any] struct {
	Entity string `json:"entity"`
	Count  int    `json:"count"`
	Items  []T    `json:"items"`
}

func list[T any](items []T) collection[T] {
	if items == nil {
		items = []T{}
	}
	return collection[T]{Entity: "collection", Count: len(items), Items: items}
}

// ServeHTTP serves the API under /v1 (basic auth with the key), the
// checkout under /checkout and the simulator's controls under /_sim.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Sim) routes() {
	m := http.NewServeMux()
	api := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, s.api(h)) }
	api("POST /v1/orders", s.createOrder)
	api("GET /v1/orders/{id}", s.fetchOrder)
	api("GET /v1/orders/{id}/payments", s.listOrderPayments)
	api("GET /v1/payments", s.listPayments)
	api("GET /v1/payments/{id}", s.fetchPayment)
	api("POST /v1/payments/{id}/refund", s.refundPayment)
	api("GET /v1/refunds/{id}", s.fetchRefund)
	api("GET /v1/settlements/recon/combined", s.settlementReport)
	m.HandleFunc("GET /checkout", s.checkoutPage)
	m.HandleFunc("POST /checkout/pay", s.checkoutPay)
	s.controls(m)
	s.mux = m
}

// api checks the key, then applies the API faults.
func (s *Sim) api(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.KeyID)) != 1 ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.KeySecret)) != 1 {
			writeError(w, &apiError{status: http.StatusUnauthorized, code: "BAD_REQUEST_ERROR", description: "The api key provided is invalid"})
			return
		}
		s.mu.Lock()
		f := s.faults
		if s.faults.FailAPI > 0 {
			s.faults.FailAPI--
		}
		s.mu.Unlock()
		if f.FailAPI > 0 {
			writeError(w, &apiError{status: cmp.Or(f.FailStatus, http.StatusServiceUnavailable), code: "SERVER_ERROR",
				description: "We are facing some trouble completing your request at the moment. Please try again shortly."})
			return
		}
		if f.APIDelayMS > 0 {
			select {
			case <-time.After(time.Duration(f.APIDelayMS) * time.Millisecond):
			case <-r.Context().Done(): // the caller gave up; the call is done all the same
			}
		}
		h(w, r)
	})
}

func (s *Sim) createOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount         int64             `json:"amount"`
		Currency       string            `json:"currency"`
		Receipt        string            `json:"receipt"`
		Notes          map[string]string `json:"notes"`
		PaymentCapture any               `json:"payment_capture"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeError(w, badRequest("", "The request body is not valid JSON"))
		return
	}
	switch {
	case in.Amount < 100:
		writeError(w, badRequest("amount", "The amount must be atleast INR 1.00"))
		return
	case in.Currency != "INR":
		writeError(w, badRequest("currency", "The currency must be INR"))
		return
	case len(in.Receipt) > 40:
		writeError(w, badRequest("receipt", "The receipt may not be greater than 40 characters"))
		return
	}
	if in.Notes == nil {
		in.Notes = map[string]string{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &order{Order: gateway.Order{ID: newID("order"), Amount: in.Amount, AmountDue: in.Amount, Currency: "INR",
		Receipt: in.Receipt, Status: gateway.OrderCreated, Notes: in.Notes, CreatedAt: s.cfg.Now().Unix()}}
	s.orders[o.ID] = o
	s.orderIDs = append(s.orderIDs, o.ID)
	writeJSON(w, o.json())
}

func (s *Sim) fetchOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		writeError(w, ErrNotFound)
		return
	}
	writeJSON(w, o.json())
}

func (s *Sim) listOrderPayments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[r.PathValue("id")]; !ok {
		writeError(w, ErrNotFound)
		return
	}
	var out []paymentJSON
	for _, p := range s.orderPayments(r.PathValue("id")) {
		out = append(out, paymentJSON{Payment: p, Entity: "payment"})
	}
	writeJSON(w, list(out))
}

func (s *Sim) fetchPayment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	py, ok := s.payments[r.PathValue("id")]
	if !ok {
		writeError(w, ErrNotFound)
		return
	}
	writeJSON(w, py.json())
}

// listPayments pages payments created between from and to (unix seconds),
// newest first, as Razorpay does.
func (s *Sim) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	num := func(k string, def int64) int64 {
		if v, err := strconv.ParseInt(q.Get(k), 10, 64); err == nil {
			return v
		}
		return def
	}
	from, to, count, skip := num("from", 0), num("to", 1<<62), min(num("count", 10), 100), num("skip", 0)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []paymentJSON
	for i := len(s.paymentIDs) - 1; i >= 0; i-- {
		py := s.payments[s.paymentIDs[i]]
		if py.CreatedAt < from || py.CreatedAt > to {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if int64(len(out)) == count {
			break
		}
		out = append(out, py.json())
	}
	writeJSON(w, list(out))
}

func (s *Sim) refundPayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount int64 `json:"amount"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeError(w, badRequest("", "The request body is not valid JSON"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rf, err := s.refund(r.PathValue("id"), in.Amount)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, rf.json())
}

func (s *Sim) fetchRefund(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf, ok := s.refunds[r.PathValue("id")]
	if !ok {
		writeError(w, ErrNotFound)
		return
	}
	writeJSON(w, rf.json())
}

func (s *Sim) settlementReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	y, err1 := strconv.Atoi(q.Get("year"))
	m, err2 := strconv.Atoi(q.Get("month"))
	d, err3 := strconv.Atoi(q.Get("day"))
	if err := errors.Join(err1, err2, err3); err != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		writeError(w, badRequest("year", "year, month and day are required"))
		return
	}
	count, err := strconv.Atoi(cmp.Or(q.Get("count"), "10"))
	if err != nil || count < 1 || count > 1000 {
		writeError(w, badRequest("count", "count must be between 1 and 1000"))
		return
	}
	skip, _ := strconv.Atoi(q.Get("skip"))
	s.mu.Lock()
	items := s.report(time.Date(y, time.Month(m), d, 0, 0, 0, 0, gateway.IST))
	s.mu.Unlock()
	items = items[min(skip, len(items)):]
	writeJSON(w, list(items[:min(count, len(items))]))
}
