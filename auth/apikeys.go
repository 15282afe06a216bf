package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// keyPrefix starts every API key: "mk_<key id>_<secret>".
const keyPrefix = "mk_"

// keyCacheTTL is how long a verified key is trusted without reading it
// again: a revoked key stops working within this long on every server.
const keyCacheTTL = 10 * time.Second

// APIKey describes a department app's key, never its secret.
type APIKey struct {
	TenantID, KeyID, Name string
	Scopes                []string
	CreatedBy             string
	CreatedAt             time.Time
	RevokedAt, LastUsedAt *time.Time
}

// KeyStore creates, revokes and verifies API keys. Keys are stored as the
// SHA-256 of their secret part: the secret is 256 random bits, so a fast
// hash is as strong as a slow one and keeps verification cheap.
type KeyStore struct {
	pool *pgxpool.Pool
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	row     dbq.ApiKey
	checked time.Time
	touched time.Time
}

// NewKeyStore returns a KeyStore over pool.
func NewKeyStore(pool *pgxpool.Pool, now func() time.Time) *KeyStore {
	if now == nil {
		now = time.Now
	}
	return &KeyStore{pool: pool, now: now, cache: map[string]cachedKey{}}
}

// InvalidError is bad input to a key operation, naming the field.
type InvalidError struct{ Field, Rule string }

func (e *InvalidError) Error() string { return e.Field + ": " + e.Rule }

// ErrKeyNotFound reports an unknown key id in the tenant.
var ErrKeyNotFound = errors.New("API key not found")

// Create makes a key for tenant with the given scopes and returns it with
// the key string, which is never shown again.
func (s *KeyStore) Create(ctx context.Context, tenant, name string, scopes []string, actor string) (APIKey, string, error) {
	if strings.TrimSpace(name) == "" {
		return APIKey{}, "", &InvalidError{"name", "is required"}
	}
	if len(scopes) == 0 {
		return APIKey{}, "", &InvalidError{"scopes", "at least one scope is required"}
	}
	for i, sc := range scopes {
		if !slices.Contains(KeyScopes, Permission(sc)) {
			return APIKey{}, "", &InvalidError{fmt.Sprintf("scopes[%d]", i), fmt.Sprintf("%q is not a scope a key may hold (allowed: %v)", sc, KeyScopes)}
		}
	}
	id := make([]byte, 8)
	secret := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return APIKey{}, "", err
	}
	if _, err := rand.Read(secret); err != nil {
		return APIKey{}, "", err
	}
	keyID, secretHex := hex.EncodeToString(id), hex.EncodeToString(secret)
	sum := sha256.Sum256([]byte(secretHex))
	var row dbq.ApiKey
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		row, err = dbq.New(tx).APIKeyInsert(ctx, dbq.APIKeyInsertParams{TenantID: tenant, KeyID: keyID, Name: name,
			SecretHash: sum[:], Scopes: scopes, CreatedBy: actor})
		return err
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("create API key: %w", err)
	}
	return keyOf(row), keyPrefix + keyID + "_" + secretHex, nil
}

// List returns a tenant's keys.
func (s *KeyStore) List(ctx context.Context, tenant string) ([]APIKey, error) {
	var rows []dbq.ApiKey
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).APIKeyList(ctx, tenant)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = keyOf(r)
	}
	return out, nil
}

// Revoke stops a key working.
func (s *KeyStore) Revoke(ctx context.Context, tenant, keyID, actor string) (APIKey, error) {
	var row dbq.ApiKey
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		row, err = dbq.New(tx).APIKeyRevoke(ctx, dbq.APIKeyRevokeParams{TenantID: tenant, KeyID: keyID, RevokedBy: pgtype.Text{String: actor, Valid: true}})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return APIKey{}, fmt.Errorf("%w: %q", ErrKeyNotFound, keyID)
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("revoke API key: %w", err)
	}
	s.mu.Lock()
	delete(s.cache, keyID)
	s.mu.Unlock()
	return keyOf(row), nil
}

// Authenticate verifies a key string and returns its principal: the
// department_app role, the key's tenant, and its scopes.
func (s *KeyStore) Authenticate(ctx context.Context, key string) (*Principal, error) {
	keyID, secret, ok := strings.Cut(strings.TrimPrefix(key, keyPrefix), "_")
	if !ok || len(keyID) != 16 || len(secret) != 64 {
		return nil, fmt.Errorf("%w: malformed API key", ErrUnauthenticated)
	}
	now := s.now()
	s.mu.Lock()
	c, hit := s.cache[keyID]
	s.mu.Unlock()
	if !hit || now.Sub(c.checked) > keyCacheTTL {
		var row dbq.ApiKey
		// The tenant is unknown until the key is found.
		err := db.ReadTenant(ctx, s.pool, db.AllTenants, func(tx pgx.Tx) error {
			var err error
			row, err = dbq.New(tx).APIKeyByKeyID(ctx, keyID)
			return err
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("%w: unknown API key", ErrUnauthenticated)
		}
		if err != nil {
			return nil, fmt.Errorf("read API key: %w", err)
		}
		c = cachedKey{row: row, checked: now, touched: c.touched}
	}
	sum := sha256.Sum256([]byte(secret))
	if !hmac.Equal(sum[:], c.row.SecretHash) {
		return nil, fmt.Errorf("%w: API key does not match", ErrUnauthenticated)
	}
	if c.row.RevokedAt != nil {
		return nil, fmt.Errorf("%w: API key revoked", ErrUnauthenticated)
	}
	if now.Sub(c.touched) > time.Minute {
		c.touched = now
		tenant := c.row.TenantID
		if err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			return dbq.New(tx).APIKeyTouch(ctx, dbq.APIKeyTouchParams{TenantID: tenant, KeyID: keyID})
		}); err != nil {
			return nil, fmt.Errorf("record API key use: %w", err)
		}
	}
	s.mu.Lock()
	s.cache[keyID] = c
	s.mu.Unlock()
	return &Principal{Kind: KindAPIKey, Subject: keyID, Name: c.row.Name, Roles: []Role{RoleDepartmentApp},
		Tenants: []string{c.row.TenantID}, Scopes: c.row.Scopes}, nil
}

func keyOf(r dbq.ApiKey) APIKey {
	return APIKey{TenantID: r.TenantID, KeyID: r.KeyID, Name: r.Name, Scopes: r.Scopes, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt, LastUsedAt: r.LastUsedAt}
}
