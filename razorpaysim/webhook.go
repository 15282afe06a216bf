package razorpaysim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/munimhq/munim/gateway"
)

type entity[T any] struct {
	Entity T `json:"entity"`
}

// paymentJSON is a payment as the API and webhooks show it.
type paymentJSON struct {
	gateway.Payment
	Entity string `json:"entity"`
}

type orderJSON struct {
	gateway.Order
	Entity string `json:"entity"`
}

type refundJSON struct {
	gateway.Refund
	Entity string `json:"entity"`
}

func (p *payment) json() paymentJSON { return paymentJSON{Payment: p.Payment, Entity: "payment"} }
func (o *order) json() orderJSON     { return orderJSON{Order: o.Order, Entity: "order"} }
func (r *refund) json() refundJSON   { return refundJSON{Refund: r.Refund, Entity: "refund"} }

// raise makes an event of the payment (and order or refund) as they stand
// now, signs it under the current secret and sends it subject to the
// faults. The caller holds mu.
func (s *Sim) raise(name string, py *payment, o *order, r *refund) {
	payload := map[string]any{"payment": entity[paymentJSON]{py.json()}}
	contains := []string{"payment"}
	if o != nil {
		payload["order"] = entity[orderJSON]{o.json()}
		contains = append(contains, "order")
	}
	if r != nil {
		payload["refund"] = entity[refundJSON]{r.json()}
		contains = append([]string{"refund"}, contains...)
	}
	body, _ := json.Marshal(map[string]any{"entity": "event", "account_id": s.cfg.AccountID, "event": name,
		"contains": contains, "payload": payload, "created_at": s.cfg.Now().Unix()})
	e := &Event{ID: newID("evt"), Name: name, Body: body, Signature: gateway.Sign(s.secret, body)}
	s.events = append(s.events, e)
	switch {
	case s.faults.DropWebhooks > 0:
		s.faults.DropWebhooks--
		e.Dropped = true
		s.log.Info("razorpaysim: webhook dropped", "event", name, "event_id", e.ID)
	case s.faults.HoldWebhooks:
		s.held = append(s.held, e)
	default:
		s.send(e, s.faults.DuplicateWebhooks)
	}
}

// send delivers e (twice when dup) in the background. The caller holds mu.
func (s *Sim) send(e *Event, dup bool) {
	url, delay := s.cfg.WebhookURL, time.Duration(s.faults.WebhookDelayMS)*time.Millisecond
	if url == "" {
		return
	}
	n := 1
	if dup {
		n = 2
	}
	for range n {
		s.deliveries.Add(1)
		go func() {
			defer s.deliveries.Done()
			time.Sleep(delay)
			s.deliver(url, e)
		}()
	}
}

// deliver POSTs e, retrying a non-2xx reply a few times as Razorpay does.
func (s *Sim) deliver(url string, e *Event) {
	for attempt := range s.cfg.WebhookAttempts {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		status := s.post(url, e)
		s.mu.Lock()
		e.Deliveries++
		e.LastStatus = status
		s.mu.Unlock()
		if status >= 200 && status < 300 {
			return
		}
		s.log.Info("razorpaysim: webhook not accepted", "event", e.Name, "event_id", e.ID, "status", status)
	}
}

func (s *Sim) post(url string, e *Event) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(e.Body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Razorpay-Signature", e.Signature)
	req.Header.Set("X-Razorpay-Event-Id", e.ID)
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// ReleaseWebhooks delivers the events held by Faults.HoldWebhooks one
// after another, last raised first when reverse, and returns how many.
func (s *Sim) ReleaseWebhooks(reverse bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	held := sortedHeld(s.held, reverse)
	s.held = nil
	url := s.cfg.WebhookURL
	if url == "" || len(held) == 0 {
		return len(held)
	}
	s.deliveries.Add(1)
	go func() {
		defer s.deliveries.Done()
		for _, e := range held {
			s.deliver(url, e)
		}
	}()
	return len(held)
}

// Redeliver sends an event raised earlier again, with its original body
// and signature (a dropped one is sent for the first time).
func (s *Sim) Redeliver(eventID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		if e.ID == eventID {
			e.Dropped = false
			s.send(e, false)
			return nil
		}
	}
	return fmt.Errorf("event %s: %w", eventID, ErrNotFound)
}

// WaitWebhooks waits for the deliveries under way.
func (s *Sim) WaitWebhooks() { s.deliveries.Wait() }
