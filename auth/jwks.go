package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxDocumentBytes bounds a JWKS or discovery document: a misbehaving or
// hostile endpoint must not make us read without end.
const maxDocumentBytes = 1 << 20

// minRSABits is the smallest RSA modulus we trust; shorter keys are factorable
// by a determined attacker, who could then sign tokens for any user.
const minRSABits = 2048

// unknownKidRefetch bounds how often an unknown kid may make us refetch the
// JWKS, so that a stream of tokens with made-up kids cannot hammer the
// identity provider through us.
const unknownKidRefetch = 30 * time.Second

// publicKey is one usable key of a JWKS.
type publicKey struct {
	key crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey (P-256)
	alg string           // the JWK's "alg" when published; binds the key to one algorithm
}

// jwksCache holds the keys published at a JWKS URL, refreshing them when
// they are older than refresh, or when a token names a kid we do not know
// (the provider rotated its keys).
//
// Two locks keep verification fast while a fetch is slow: mu guards the
// published state for a moment at a time; fetchMu serialises fetches, so one
// goroutine fetches while the others carry on with the keys they have.
type jwksCache struct {
	url     string
	client  *http.Client
	now     func() time.Time
	refresh time.Duration
	logger  *slog.Logger

	fetchMu     sync.Mutex
	lastForced  time.Time // last refetch caused by an unknown kid; guarded by fetchMu
	lastAttempt time.Time // last fetch, successful or not; guarded by fetchMu

	mu        sync.RWMutex
	keys      map[string]publicKey
	fetchedAt time.Time
}

func newJWKSCache(url string, client *http.Client, now func() time.Time, refresh time.Duration, logger *slog.Logger) *jwksCache {
	return &jwksCache{url: url, client: client, now: now, refresh: refresh, logger: logger}
}

// snapshot returns the current keys and whether they are still fresh.
func (c *jwksCache) snapshot() (map[string]publicKey, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.keys, c.now().Sub(c.fetchedAt) < c.refresh
}

// lookup returns the key named kid.
func (c *jwksCache) lookup(ctx context.Context, kid string) (publicKey, error) {
	keys, fresh := c.snapshot()
	// Stale keys are refreshed by whichever caller gets there first; the rest
	// keep verifying with the keys they have rather than queue behind it.
	refreshed := false
	if !fresh && c.fetchMu.TryLock() {
		refreshed = c.refreshStale(ctx)
		c.fetchMu.Unlock()
		keys, _ = c.snapshot()
	}
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	if refreshed {
		return publicKey{}, reject("unknown key id") // the keys are as new as they get
	}

	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	// Another caller may have fetched while we waited for the lock.
	keys, _ = c.snapshot()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	now := c.now()
	if !c.lastForced.IsZero() && now.Sub(c.lastForced) < unknownKidRefetch {
		return publicKey{}, reject("unknown key id")
	}
	c.lastForced = now
	if err := c.fetch(ctx); err != nil {
		c.logger.WarnContext(ctx, "auth: refetching JWKS for an unknown key id failed", "url", c.url, "error", err)
		return publicKey{}, reject("unknown key id")
	}
	keys, _ = c.snapshot()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return publicKey{}, reject("unknown key id")
}

// refreshStale refetches stale keys and reports whether it fetched them; the
// caller holds fetchMu. A failure keeps the old keys: tokens are issued by the
// provider alone, so while it is unreachable the keys it last published are
// still the right ones, and locking every user out over a blip would be worse.
func (c *jwksCache) refreshStale(ctx context.Context) bool {
	if _, fresh := c.snapshot(); fresh {
		return false
	}
	// Retrying a failing provider on every request would pile load on it
	// exactly when it struggles.
	if c.now().Sub(c.lastAttempt) < unknownKidRefetch {
		return false
	}
	if err := c.fetch(ctx); err != nil {
		c.logger.WarnContext(ctx, "auth: refreshing JWKS failed; using the keys fetched before", "url", c.url, "error", err)
		return false
	}
	return true
}

// fetch downloads and installs the key set; the caller holds fetchMu (or is
// NewVerifier, before anyone else can see the cache).
func (c *jwksCache) fetch(ctx context.Context) error {
	c.lastAttempt = c.now()
	body, err := getDocument(ctx, c.client, c.url)
	if err != nil {
		return err
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.keys, c.fetchedAt = keys, c.now()
	c.mu.Unlock()
	return nil
}

// jsonWebKey is the part of RFC 7517's JWK that we read.
type jsonWebKey struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS returns the usable signing keys of a JWKS document by kid.
// Keys we cannot use (other types or curves, encryption keys, keys without a
// kid, weak or malformed keys) are skipped rather than failing the set:
// providers publish keys for other consumers alongside ours.
func parseJWKS(doc []byte) (map[string]publicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	keys := make(map[string]publicKey)
	for _, raw := range set.Keys {
		var jwk jsonWebKey
		if json.Unmarshal(raw, &jwk) != nil {
			continue
		}
		if jwk.Kid == "" || (jwk.Use != "" && jwk.Use != "sig") {
			continue
		}
		if _, dup := keys[jwk.Kid]; dup {
			continue // the first wins, so a later entry cannot shadow it
		}
		key, ok := jwk.cryptoKey()
		if !ok {
			continue
		}
		keys[jwk.Kid] = publicKey{key: key, alg: jwk.Alg}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no usable RS256 or ES256 signing keys")
	}
	return keys, nil
}

// cryptoKey builds the key, reporting false for keys we do not accept.
func (k jsonWebKey) cryptoKey() (crypto.PublicKey, bool) {
	switch {
	case k.Kty == "RSA" && (k.Alg == "" || k.Alg == "RS256"):
		n, errN := decodeB64URL(k.N)
		e, errE := decodeB64URL(k.E)
		if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
			return nil, false
		}
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if key.N.BitLen() < minRSABits || key.E < 3 || key.E%2 == 0 {
			return nil, false
		}
		return key, true
	case k.Kty == "EC" && k.Crv == "P-256" && (k.Alg == "" || k.Alg == "ES256"):
		x, errX := decodeB64URL(k.X)
		y, errY := decodeB64URL(k.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return nil, false
		}
		// The parser checks the point is on the curve: an off-curve point
		// is the way into invalid-curve attacks.
		key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, false
		}
		return key, true
	}
	return nil, false
}

// decodeB64URL decodes base64url, tolerating the padding that RFC 7518
// forbids but some providers still emit.
func decodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// discoverJWKSURL reads jwks_uri from the issuer's OpenID configuration. The
// document must name the same issuer (OpenID Connect Discovery §4.3), or a
// document served from elsewhere could substitute its own keys.
func discoverJWKSURL(ctx context.Context, client *http.Client, issuer string) (string, error) {
	body, err := getDocument(ctx, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("decode OpenID configuration: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("OpenID configuration names issuer %q, want %q", doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return "", errors.New("OpenID configuration has no jwks_uri")
	}
	if err := checkKeyURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("jwks_uri: %w", err)
	}
	return doc.JWKSURI, nil
}

// checkKeyURL requires https, except on loopback for development providers:
// keys fetched over plain http can be swapped in transit, and whoever swaps
// them can sign in as anyone.
func checkKeyURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch {
	case u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q must use https", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// getDocument GETs a small JSON document.
func getDocument(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > maxDocumentBytes {
		return nil, fmt.Errorf("GET %s: document larger than %d bytes", url, maxDocumentBytes)
	}
	return body, nil
}
