package razorpaysim

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/munimhq/munim/gateway"
)

// controls serves the switches under /_sim, for the demo and browser tests
// driving a simulator in another process. They are no part of Razorpay.
//
//	GET/PUT /_sim/faults                 the Faults as JSON
//	POST    /_sim/pay                    {"order_id","amount","method","fail","authorize"}
//	POST    /_sim/capture/{payment_id}   capture late
//	POST    /_sim/settle?day=2026-11-22  settle what is due that day
//	POST    /_sim/webhooks/release?reverse=1
//	POST    /_sim/webhooks/{event_id}/redeliver
//	PUT     /_sim/webhook-secret         {"secret"}
//	GET     /_sim/events                 the events raised
func (s *Sim) controls(m *http.ServeMux) {
	m.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Faults()) })
	m.HandleFunc("PUT /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			writeError(w, badRequest("", "bad faults"))
			return
		}
		s.SetFaults(f)
		writeJSON(w, f)
	})
	m.HandleFunc("POST /_sim/pay", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			OrderID   string `json:"order_id"`
			Amount    int64  `json:"amount"`
			Method    string `json:"method"`
			Fail      bool   `json:"fail"`
			Authorize bool   `json:"authorize"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeError(w, badRequest("", "bad payment"))
			return
		}
		cb, err := s.Pay(in.OrderID, Pay{Amount: in.Amount, Method: in.Method, Fail: in.Fail, Authorize: in.Authorize})
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, cb)
	})
	m.HandleFunc("POST /_sim/capture/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Capture(r.PathValue("id")); err != nil {
			writeError(w, badRequest("payment_id", err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /_sim/settle", func(w http.ResponseWriter, r *http.Request) {
		day := s.cfg.Now().In(gateway.IST)
		if d := r.URL.Query().Get("day"); d != "" {
			var err error
			if day, err = time.ParseInLocation(time.DateOnly, d, gateway.IST); err != nil {
				writeError(w, badRequest("day", "day is YYYY-MM-DD"))
				return
			}
		}
		id, utr := s.Settle(day)
		writeJSON(w, map[string]string{"settlement_id": id, "settlement_utr": utr})
	})
	m.HandleFunc("POST /_sim/webhooks/release", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]int{"released": s.ReleaseWebhooks(r.URL.Query().Get("reverse") != "")})
	})
	m.HandleFunc("POST /_sim/webhooks/{id}/redeliver", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Redeliver(r.PathValue("id")); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("PUT /_sim/webhook-secret", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Secret string `json:"secret"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Secret == "" {
			writeError(w, badRequest("secret", "secret is required"))
			return
		}
		s.RotateWebhookSecret(in.Secret)
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_sim/events", func(w http.ResponseWriter, r *http.Request) {
		type ev struct {
			ID         string `json:"id"`
			Event      string `json:"event"`
			Deliveries int    `json:"deliveries"`
			Dropped    bool   `json:"dropped"`
		}
		var out []ev
		for _, e := range s.Events() {
			out = append(out, ev{e.ID, e.Name, e.Deliveries, e.Dropped})
		}
		writeJSON(w, list(out))
	})
}
