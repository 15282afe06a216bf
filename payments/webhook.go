package payments

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
)

// WebhookPath is where the gateway posts a tenant's events. It takes no
// token: the signature is the authentication.
const WebhookPath = "POST /webhooks/razorpay/{tenant}"

// event is the part of a webhook Munim reads.
type event struct {
	Event   string `json:"event"`
	Payload struct {
		Payment *struct {
			Entity gateway.Payment `json:"entity"`
		} `json:"payment"`
	} `json:"payload"`
}

// NewWebhookHandler returns the webhook endpoint. It verifies
// X-Razorpay-Signature over the raw body against the tenant's webhook
// secret and, during a rotation, the previous one; a forged event is
// audited and answered 401. An event id seen before is answered 200 and
// not acted on; otherwise the event is taken and its payment applied in
// one transaction, so an event that failed half-way is taken again when
// the gateway retries it.
func (s *Service) NewWebhookHandler() (string, http.Handler) {
	return WebhookPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := r.PathValue("tenant")
		acct, ok := s.accounts[tenant]
		if !ok {
			http.Error(w, "unknown tenant", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(r.Body)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		if gateway.VerifyWebhook(body, r.Header.Get("X-Razorpay-Signature"), acct.WebhookSecret, acct.PreviousWebhookSecret) < 0 {
			ip, _, _ := net.SplitHostPort(r.RemoteAddr)
			s.log.WarnContext(ctx, "forged webhook", "tenant", tenant, "event_id", r.Header.Get("X-Razorpay-Event-Id"), "ip", ip)
			if err := s.audit.Record(ctx, auth.Event{TenantID: tenant, Principal: "anonymous", Procedure: WebhookPath,
				Code: "unauthenticated", Detail: "webhook signature did not verify", ClientIP: ip, At: s.now()}); err != nil {
				s.log.ErrorContext(ctx, "audit forged webhook", "err", err)
			}
			http.Error(w, "signature does not verify", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("X-Razorpay-Event-Id")
		var ev event
		if id == "" || json.Unmarshal(body, &ev) != nil {
			http.Error(w, "an event needs X-Razorpay-Event-Id and a JSON body", http.StatusBadRequest)
			return
		}
		var pay *gateway.Payment
		if ev.Payload.Payment != nil {
			pay = &ev.Payload.Payment.Entity
		}
		err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			arg := dbq.GatewayWebhookEventInsertParams{TenantID: tenant, EventID: id, Event: ev.Event}
			if pay != nil {
				arg.PaymentID = pay.ID
			}
			n, err := dbq.New(tx).GatewayWebhookEventInsert(ctx, arg)
			if err != nil || n == 0 || pay == nil {
				return err // a redelivery, or an event with no payment: nothing to do
			}
			err = s.applyTx(ctx, tx, tenant, viaWebhook, *pay)
			if errors.Is(err, ErrUnknownOrder) {
				// Not one of ours (another integration on the account):
				// take the event and let the exceptions show it.
				s.log.WarnContext(ctx, "webhook for an unknown order", "tenant", tenant, "event_id", id, "order", pay.OrderID)
				return nil
			}
			return err
		})
		if err != nil {
			s.log.ErrorContext(ctx, "webhook not taken; the gateway will retry", "tenant", tenant, "event_id", id, "err", err)
			http.Error(w, "not taken", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
