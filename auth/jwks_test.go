package auth

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKeys are generated once: RSA-2048 generation is slow under -race and
// no test depends on having keys of its own.
var testKeys = sync.OnceValue(func() (k struct {
	rsa, rsa2, rsaStranger *rsa.PrivateKey
	ec, ec384              *ecdsa.PrivateKey
}) {
	mustRSA := func() *rsa.PrivateKey {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return key
	}
	mustEC := func(c elliptic.Curve) *ecdsa.PrivateKey {
		key, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		return key
	}
	k.rsa, k.rsa2, k.rsaStranger = mustRSA(), mustRSA(), mustRSA()
	k.ec, k.ec384 = mustEC(elliptic.P256()), mustEC(elliptic.P384())
	return k
})

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, k *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(kid string, k *ecdsa.PublicKey) map[string]any {
	point, err := k.Bytes()
	if err != nil {
		panic(err)
	}
	size := (len(point) - 1) / 2
	crv := map[int]string{32: "P-256", 48: "P-384"}[size]
	return map[string]any{"kty": "EC", "kid": kid, "use": "sig", "crv": crv,
		"x": b64(point[1 : 1+size]), "y": b64(point[1+size:])}
}

// keyServer is an identity provider: a JWKS at /jwks and OpenID discovery.
type keyServer struct {
	*httptest.Server
	hits atomic.Int64 // JWKS fetches

	mu        sync.Mutex
	keys      []map[string]any
	status    int    // non-zero: /jwks fails with it
	issuer    string // discovery's "issuer"; default the server's URL
	noJWKSURI bool
}

func newKeyServer(t *testing.T, keys ...map[string]any) *keyServer {
	t.Helper()
	s := &keyServer{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != 0 {
			w.WriteHeader(s.status)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": s.keys})
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		doc := map[string]any{"issuer": cmp.Or(s.issuer, s.URL)}
		if !s.noJWKSURI {
			doc["jwks_uri"] = s.URL + "/jwks"
		}
		_ = json.NewEncoder(w).Encode(doc)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *keyServer) jwksURL() string { return s.URL + "/jwks" }

func (s *keyServer) setKeys(keys ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *keyServer) failWith(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

func TestParseJWKS(t *testing.T) {
	t.Parallel()
	keys := testKeys()
	withKid := func(k map[string]any, set map[string]any) map[string]any {
		out := map[string]any{}
		for n, v := range k {
			out[n] = v
		}
		for n, v := range set {
			if v == nil {
				delete(out, n)
			} else {
				out[n] = v
			}
		}
		return out
	}
	rsaKey := rsaJWK("r", &keys.rsa.PublicKey)
	ecKey := ecJWK("e", &keys.ec.PublicKey)

	cases := []struct {
		name string
		keys []map[string]any
		want []string // kids kept
	}{
		{"RSA signing key is kept", []map[string]any{rsaKey}, []string{"r"}},
		{"EC P-256 signing key is kept", []map[string]any{ecKey}, []string{"e"}},
		{"key without use is kept", []map[string]any{withKid(rsaKey, map[string]any{"use": nil})}, []string{"r"}},
		{"key without alg is kept", []map[string]any{withKid(rsaKey, map[string]any{"alg": nil})}, []string{"r"}},
		{"encryption key is skipped", []map[string]any{ecKey, withKid(rsaKey, map[string]any{"use": "enc"})}, []string{"e"}},
		{"EC P-384 key is skipped", []map[string]any{rsaKey, ecJWK("p384", &keys.ec384.PublicKey)}, []string{"r"}},
		{"symmetric key is skipped", []map[string]any{rsaKey, {"kty": "oct", "kid": "o", "k": b64([]byte("secret"))}}, []string{"r"}},
		{"OKP key is skipped", []map[string]any{rsaKey, {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": b64(make([]byte, 32))}}, []string{"r"}},
		{"key without kid is skipped", []map[string]any{ecKey, withKid(rsaKey, map[string]any{"kid": nil})}, []string{"e"}},
		{"RSA key published for another algorithm is skipped", []map[string]any{ecKey, withKid(rsaKey, map[string]any{"alg": "RS512"})}, []string{"e"}},
		{"RSA key under 2048 bits is skipped", []map[string]any{ecKey, withKid(rsaKey, map[string]any{"n": b64([]byte(strings.Repeat("\xff", 128)))})}, []string{"e"}},
		{"EC point off the curve is skipped", []map[string]any{rsaKey, withKid(ecKey, map[string]any{"y": b64(make([]byte, 32))})}, []string{"r"}},
		{"malformed base64 is skipped", []map[string]any{ecKey, withKid(rsaKey, map[string]any{"n": "!!!"})}, []string{"e"}},
		{"duplicate kid appears once", []map[string]any{rsaKey, withKid(ecKey, map[string]any{"kid": "r"})}, []string{"r"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := json.Marshal(map[string]any{"keys": tc.keys})
			require.NoError(t, err)
			got, err := parseJWKS(doc)
			require.NoError(t, err)
			var kids []string
			for kid := range got {
				kids = append(kids, kid)
			}
			assert.ElementsMatch(t, tc.want, kids)
		})
	}

	t.Run("duplicate kid keeps the first key's type", func(t *testing.T) {
		t.Parallel()
		doc, err := json.Marshal(map[string]any{"keys": []map[string]any{rsaKey, withKid(ecKey, map[string]any{"kid": "r"})}})
		require.NoError(t, err)
		got, err := parseJWKS(doc)
		require.NoError(t, err)
		assert.IsType(t, &rsa.PublicKey{}, got["r"].key)
	})
	t.Run("a set with no usable key is an error", func(t *testing.T) {
		t.Parallel()
		_, err := parseJWKS([]byte(`{"keys":[{"kty":"oct","kid":"o","k":"c2VjcmV0"}]}`))
		require.Error(t, err)
	})
	t.Run("a document that is not JSON is an error", func(t *testing.T) {
		t.Parallel()
		_, err := parseJWKS([]byte(`<html>`))
		require.Error(t, err)
	})
}

func TestVerifyRefetchesJWKSForUnknownKid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	keys := testKeys()
	v := b.verifier(t, VerifierConfig{JWKSURL: b.idp.jwksURL(), Issuer: "munim"})
	require.EqualValues(t, 1, b.idp.hits.Load(), "NewVerifier fetches the keys once")
	oldToken := sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil))

	// The provider rotates: rsa-1 is retired, rsa-2 takes over.
	b.idp.setKeys(rsaJWK("rsa-2", &keys.rsa2.PublicKey))
	p, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa2, "rsa-2", b.claims(nil)))
	require.NoError(t, err)
	assert.Equal(t, "u-42", p.Subject)
	assert.EqualValues(t, 2, b.idp.hits.Load(), "an unknown kid refetches")

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa2, "rsa-2", b.claims(nil)))
	require.NoError(t, err)
	assert.EqualValues(t, 2, b.idp.hits.Load(), "a known kid uses the cache")

	_, err = v.Verify(t.Context(), oldToken)
	require.ErrorIs(t, err, ErrUnauthenticated)
	assert.ErrorContains(t, err, "unknown key id", "the retired key is gone with the refetch")

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsaStranger, "made-up", b.claims(nil)))
	assert.ErrorContains(t, err, "unknown key id")
	assert.EqualValues(t, 2, b.idp.hits.Load(), "unknown kids refetch at most once per 30s")

	b.clock.Advance(31 * time.Second)
	b.idp.setKeys(rsaJWK("rsa-2", &keys.rsa2.PublicKey), ecJWK("ec-2", &keys.ec.PublicKey))
	p, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodES256, keys.ec, "ec-2", b.claims(nil)))
	require.NoError(t, err)
	assert.Equal(t, "u-42", p.Subject)
	assert.EqualValues(t, 3, b.idp.hits.Load(), "after 30s an unknown kid refetches again")
}

func TestVerifyRefreshesStaleJWKS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	keys := testKeys()
	v := b.verifier(t, VerifierConfig{JWKSURL: b.idp.jwksURL(), Issuer: "munim", JWKSRefresh: 5 * time.Minute})

	b.clock.Advance(4 * time.Minute)
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil)))
	require.NoError(t, err)
	assert.EqualValues(t, 1, b.idp.hits.Load(), "keys younger than JWKSRefresh are reused")

	b.clock.Advance(2 * time.Minute)
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil)))
	require.NoError(t, err)
	assert.EqualValues(t, 2, b.idp.hits.Load(), "keys older than JWKSRefresh are refetched")

	b.idp.failWith(http.StatusBadGateway)
	b.clock.Advance(6 * time.Minute)
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil)))
	require.NoError(t, err, "a failed refresh keeps the keys fetched before")
	assert.EqualValues(t, 3, b.idp.hits.Load())

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil)))
	require.NoError(t, err)
	assert.EqualValues(t, 3, b.idp.hits.Load(), "a failing provider is not retried on every request")
}

func TestVerifyIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	keys := testKeys()
	v := b.verifier(t, VerifierConfig{JWKSURL: b.idp.jwksURL(), Issuer: "munim"})
	b.clock.Advance(11 * time.Minute) // stale: the goroutines race to refresh
	rsToken := sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil))
	esToken := sign(t, jwt.SigningMethodES256, keys.ec, "ec-1", b.claims(nil))
	unknown := sign(t, jwt.SigningMethodRS256, keys.rsaStranger, "made-up", b.claims(nil))

	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := range 48 {
		wg.Go(func() {
			token := []string{rsToken, esToken, unknown}[i%3]
			_, err := v.Verify(t.Context(), token)
			if (err != nil) != (token == unknown) {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	// One stale refresh and one unknown-kid refetch at most, however many callers.
	assert.LessOrEqual(t, b.idp.hits.Load(), int64(3))
}

func TestVerifyWithOIDCDiscovery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	keys := testKeys()
	v := b.verifier(t, VerifierConfig{OIDCIssuer: b.idp.URL})

	p, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(map[string]any{"iss": b.idp.URL})))
	require.NoError(t, err)
	assert.Equal(t, "u-42", p.Subject)

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(nil)))
	require.ErrorIs(t, err, ErrUnauthenticated)
	assert.ErrorContains(t, err, "issuer mismatch", "the issuer defaults to OIDCIssuer")
}
