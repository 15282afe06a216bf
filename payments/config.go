package payments

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/gateway"
)

// Account is one tenant's gateway account, from configuration.
type Account struct {
	KeyID     string `json:"key_id"`
	KeySecret string `json:"key_secret"`
	// WebhookSecret signs webhooks; PreviousWebhookSecret is still
	// accepted while a rotation settles (events raised before it).
	WebhookSecret         string `json:"webhook_secret"`
	PreviousWebhookSecret string `json:"previous_webhook_secret"`
	// BaseURL is the gateway API (default Razorpay's; the simulator's in
	// the demo).
	BaseURL string `json:"base_url"`
	// CheckoutURL is the hosted checkout a citizen is sent to (default
	// BaseURL + "/checkout", the simulator's page).
	CheckoutURL string `json:"checkout_url"`
	// SettlementBank is the bank account head settlements are credited
	// to (default 4502101).
	SettlementBank string `json:"settlement_bank"`
	// SettleWithinDays is how long after capture a payment may go
	// unsettled before it is an exception (default 3; Razorpay settles T+2).
	SettleWithinDays int `json:"settle_within_days"`
}

// DefaultSettleWithinDays is the settlement window unless configured.
const DefaultSettleWithinDays = 3

// LogValue keeps the secrets out of logs.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key_id", a.KeyID), slog.String("base_url", a.BaseURL))
}

// String keeps the secrets out of %v.
func (a Account) String() string {
	return fmt.Sprintf("account{key_id=%s base_url=%s}", a.KeyID, a.BaseURL)
}

// Config sets up the service.
type Config struct {
	// Accounts are the tenants' gateway accounts, by tenant id. A tenant
	// with none takes no online payments.
	Accounts map[string]Account
	// HTTPClient calls the gateway (default: 15s timeout).
	HTTPClient *http.Client
	// Audit records forged webhook and callback signatures (required).
	Audit auth.Recorder
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

func (c Config) validate() error {
	if c.Audit == nil {
		return errors.New("payments: an audit recorder is required")
	}
	for tenant, a := range c.Accounts {
		if a.KeyID == "" || a.KeySecret == "" || a.WebhookSecret == "" {
			return fmt.Errorf("payments: tenant %s: key_id, key_secret and webhook_secret are required", tenant)
		}
	}
	return nil
}

// AccountsFromFile reads the tenants' accounts from a JSON file, an object
// of tenant id to Account; the secrets live there (or in whatever renders
// it), never in flags or logs.
func AccountsFromFile(path string) (map[string]Account, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("payments: read accounts: %w", err)
	}
	var out map[string]Account
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("payments: accounts file %s is not a JSON object of tenant to account", path)
	}
	return out, nil
}

func (a Account) gateway(hc *http.Client) (gateway.Gateway, error) {
	return gateway.NewRazorpay(gateway.Config{KeyID: a.KeyID, KeySecret: a.KeySecret, BaseURL: a.BaseURL, HTTPClient: hc})
}

func (a Account) checkoutURL() string {
	return cmp.Or(a.CheckoutURL, cmp.Or(a.BaseURL, gateway.DefaultBaseURL)+"/checkout")
}
