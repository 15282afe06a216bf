package auth

import (
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testClock is a pinned clock that tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bundle is what a token test needs: a secret, a clock and an identity
// provider publishing rsa-1 (RSA-2048) and ec-1 (P-256).
type bundle struct {
	secret []byte
	clock  *testClock
	idp    *keyServer
}

func setup(t *testing.T) *bundle {
	t.Helper()
	keys := testKeys()
	return &bundle{
		secret: []byte("0123456789abcdef0123456789abcdef"),
		clock:  &testClock{now: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)},
		idp:    newKeyServer(t, rsaJWK("rsa-1", &keys.rsa.PublicKey), ecJWK("ec-1", &keys.ec.PublicKey)),
	}
}

// verifier builds a verifier on the bundle's clock.
func (b *bundle) verifier(t *testing.T, cfg VerifierConfig) *Verifier {
	t.Helper()
	cfg.Now = b.clock.Now
	cfg.Logger = slog.New(slog.DiscardHandler) // failed refreshes are expected in some tests
	v, err := NewVerifier(t.Context(), cfg)
	require.NoError(t, err)
	return v
}

// absent removes a claim in bundle.claims.
type absentClaim struct{}

var absent absentClaim

// claims are valid claims for user u-42 as of the bundle's clock, with set
// overriding (or, with absent, removing) some.
func (b *bundle) claims(set map[string]any) jwt.MapClaims {
	now := b.clock.Now()
	c := jwt.MapClaims{
		"iss":     "munim",
		"aud":     "munim",
		"sub":     "u-42",
		"name":    "Asha Rawat",
		"roles":   []string{"accountant", "approver"},
		"tenants": []string{"uk.dehradun"},
		"iat":     now.Unix(),
		"nbf":     now.Unix(),
		"exp":     now.Add(time.Hour).Unix(),
	}
	for k, v := range set {
		if _, ok := v.(absentClaim); ok {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	s, err := token.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestVerify(t *testing.T) {
	t.Parallel()
	b := setup(t)
	keys := testKeys()
	secretOnly := b.verifier(t, VerifierConfig{HS256Secret: b.secret})
	jwksOnly := b.verifier(t, VerifierConfig{JWKSURL: b.idp.jwksURL(), Issuer: "munim"})
	both := b.verifier(t, VerifierConfig{HS256Secret: b.secret, JWKSURL: b.idp.jwksURL(), Issuer: "munim"})

	pubDER, err := x509.MarshalPKIXPublicKey(&keys.rsa.PublicKey)
	require.NoError(t, err)
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	now := b.clock.Now()
	hs := func(set map[string]any) string { return sign(t, jwt.SigningMethodHS256, b.secret, "", b.claims(set)) }
	rs := func(set map[string]any) string {
		return sign(t, jwt.SigningMethodRS256, keys.rsa, "rsa-1", b.claims(set))
	}
	asha := &Principal{Kind: KindUser, Subject: "u-42", Name: "Asha Rawat",
		Roles: []Role{RoleAccountant, RoleApprover}, Tenants: []string{"uk.dehradun"}}

	type testCase struct {
		name     string
		verifier *Verifier
		token    string
		want     *Principal // nil: rejected with reason
		reason   string
	}
	cases := []testCase{
		{name: "HS256 with the secret verifies", verifier: secretOnly, token: hs(nil), want: asha},
		{name: "RS256 with a JWKS key verifies", verifier: jwksOnly, token: rs(nil), want: asha},
		{name: "ES256 with a JWKS key verifies", verifier: jwksOnly,
			token: sign(t, jwt.SigningMethodES256, keys.ec, "ec-1", b.claims(nil)), want: asha},
		{name: "a verifier with both sources takes HS256", verifier: both, token: hs(nil), want: asha},
		{name: "a verifier with both sources takes RS256", verifier: both, token: rs(nil), want: asha},
		{name: "aud may be an array that holds ours", verifier: secretOnly,
			token: hs(map[string]any{"aud": []string{"ledger-ui", "munim"}}), want: asha},
		{name: "a state tenant is accepted", verifier: secretOnly,
			token: hs(map[string]any{"roles": []string{"auditor"}, "tenants": []string{"uk.*"}, "name": absent}),
			want:  &Principal{Kind: KindUser, Subject: "u-42", Roles: []Role{RoleAuditor}, Tenants: []string{"uk.*"}}},
		{name: "expired within the skew is accepted", verifier: secretOnly,
			token: hs(map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-59 * time.Second).Unix()}), want: asha},
		{name: "nbf within the skew is accepted", verifier: secretOnly,
			token: hs(map[string]any{"nbf": now.Add(59 * time.Second).Unix()}), want: asha},

		{name: "expired beyond the skew is rejected", verifier: secretOnly,
			token: hs(map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-61 * time.Second).Unix()}), reason: "token expired"},
		{name: "nbf beyond the skew is rejected", verifier: secretOnly,
			token: hs(map[string]any{"nbf": now.Add(61 * time.Second).Unix()}), reason: "token not yet valid"},
		{name: "iat beyond the skew is rejected", verifier: secretOnly,
			token: hs(map[string]any{"iat": now.Add(61 * time.Second).Unix(), "nbf": absent}), reason: "token issued in the future"},
		{name: "a wrong secret is rejected", verifier: secretOnly,
			token: sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-at-least-32-bytes"), "", b.claims(nil)), reason: "signature invalid"},
		{name: "alg none is rejected", verifier: both,
			token: sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", b.claims(nil)), reason: "algorithm not accepted"},
		{name: "HS512 is rejected", verifier: secretOnly,
			token: sign(t, jwt.SigningMethodHS512, b.secret, "", b.claims(nil)), reason: "algorithm not accepted"},
		{name: "key confusion: HS256 signed with the RSA public key fails against the secret", verifier: both,
			token: sign(t, jwt.SigningMethodHS256, publicPEM, "rsa-1", b.claims(nil)), reason: "signature invalid"},
		{name: "key confusion: HS256 signed with the RSA public key fails without a secret", verifier: jwksOnly,
			token: sign(t, jwt.SigningMethodHS256, publicPEM, "rsa-1", b.claims(nil)), reason: "algorithm not accepted"},
		{name: "HS256 is rejected when no secret is configured", verifier: jwksOnly, token: hs(nil), reason: "algorithm not accepted"},
		{name: "RS256 is rejected when only a secret is configured", verifier: secretOnly, token: rs(nil), reason: "algorithm not accepted"},
		{name: "RS256 signed by a stranger under a known kid is rejected", verifier: jwksOnly,
			token: sign(t, jwt.SigningMethodRS256, keys.rsaStranger, "rsa-1", b.claims(nil)), reason: "signature invalid"},
		{name: "ES256 naming an RSA key is rejected", verifier: jwksOnly,
			token: sign(t, jwt.SigningMethodES256, keys.ec, "rsa-1", b.claims(nil)), reason: "key does not match algorithm"},
		{name: "RS256 without kid is rejected", verifier: jwksOnly,
			token: sign(t, jwt.SigningMethodRS256, keys.rsa, "", b.claims(nil)), reason: "missing key id"},
		{name: "a wrong issuer is rejected", verifier: secretOnly, token: hs(map[string]any{"iss": "keycloak"}), reason: "issuer mismatch"},
		{name: "a missing issuer is rejected", verifier: secretOnly, token: hs(map[string]any{"iss": absent}), reason: "missing iss claim"},
		{name: "a wrong audience is rejected", verifier: secretOnly, token: hs(map[string]any{"aud": []string{"billing"}}), reason: "audience mismatch"},
		{name: "a missing audience is rejected", verifier: secretOnly, token: hs(map[string]any{"aud": absent}), reason: "missing aud claim"},
		{name: "a missing exp is rejected", verifier: secretOnly, token: hs(map[string]any{"exp": absent}), reason: "missing exp claim"},
		{name: "a missing sub is rejected", verifier: secretOnly, token: hs(map[string]any{"sub": absent}), reason: "missing sub claim"},
		{name: "an empty sub is rejected", verifier: secretOnly, token: hs(map[string]any{"sub": ""}), reason: "missing sub claim"},
		{name: "an unknown role is rejected, not dropped", verifier: secretOnly,
			token: hs(map[string]any{"roles": []string{"accountant", "superuser"}}), reason: `unknown role "superuser"`},
		{name: "no roles is rejected", verifier: secretOnly, token: hs(map[string]any{"roles": []string{}}), reason: "no roles"},
		{name: "roles that are not an array are rejected", verifier: secretOnly, token: hs(map[string]any{"roles": "admin"}), reason: "malformed token"},
		{name: `tenant "*" is never accepted from a token`, verifier: secretOnly,
			token: hs(map[string]any{"tenants": []string{"*"}}), reason: `tenant "*" is never granted`},
		{name: "no tenants is rejected", verifier: secretOnly, token: hs(map[string]any{"tenants": absent}), reason: "no tenants"},
		{name: "a token that is not a JWT is rejected", verifier: both, token: "not.a.jwt", reason: "malformed token"},
		{name: "an empty token is rejected", verifier: both, token: "", reason: "missing token"},
		{name: "an oversized token is rejected", verifier: both, token: strings.Repeat("a", 17<<10), reason: "token too large"},
	}
	for _, tenant := range []string{"Uk.dehradun", "uk", "uk.", "uk.d", "u.dehradun", "ukk.dehradun", "uk.9dehradun", "uk.dehradun.north", "uk.dehra dun", "*.*", "uk.**"} {
		cases = append(cases, testCase{name: "malformed tenant " + tenant + " is rejected", verifier: secretOnly,
			token: hs(map[string]any{"tenants": []string{"uk.dehradun", tenant}}), reason: "invalid tenant"})
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := tc.verifier.Verify(t.Context(), tc.token)
			if tc.want != nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, p)
				return
			}
			require.ErrorIs(t, err, ErrUnauthenticated)
			assert.ErrorContains(t, err, tc.reason)
			assert.Nil(t, p)
			if tc.token != "" {
				assert.NotContains(t, err.Error(), tc.token, "an error never carries the token")
			}
		})
	}
}

func TestNewVerifierConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	secret := b.secret

	cases := []struct {
		name    string
		cfg     func(t *testing.T) VerifierConfig
		wantErr string // empty: accepted
	}{
		{"an empty config is refused",
			func(*testing.T) VerifierConfig { return VerifierConfig{} }, "configure HS256Secret, JWKSURL or OIDCIssuer"},
		{"a secret shorter than 32 bytes is refused",
			func(*testing.T) VerifierConfig { return VerifierConfig{HS256Secret: secret[:31]} }, "at least 32 bytes"},
		{"a 32-byte secret is accepted",
			func(*testing.T) VerifierConfig { return VerifierConfig{HS256Secret: secret} }, ""},
		{"JWKSURL without Issuer is refused",
			func(*testing.T) VerifierConfig { return VerifierConfig{JWKSURL: b.idp.jwksURL()} }, "Issuer is required"},
		{"JWKSURL and OIDCIssuer together are refused",
			func(*testing.T) VerifierConfig {
				return VerifierConfig{JWKSURL: b.idp.jwksURL(), OIDCIssuer: b.idp.URL, Issuer: b.idp.URL}
			}, "not both"},
		{"plain http off loopback is refused",
			func(*testing.T) VerifierConfig {
				return VerifierConfig{JWKSURL: "http://idp.example.org/jwks", Issuer: "munim"}
			}, "must use https"},
		{"Issuer differing from OIDCIssuer is refused",
			func(*testing.T) VerifierConfig { return VerifierConfig{OIDCIssuer: b.idp.URL, Issuer: "munim"} }, "differs from OIDCIssuer"},
		{"a negative ClockSkew is refused",
			func(*testing.T) VerifierConfig { return VerifierConfig{HS256Secret: secret, ClockSkew: -time.Second} }, "ClockSkew"},
		{"an unreachable JWKS stops start-up",
			func(t *testing.T) VerifierConfig {
				idp := newKeyServer(t)
				idp.failWith(http.StatusInternalServerError)
				return VerifierConfig{JWKSURL: idp.jwksURL(), Issuer: "munim"}
			}, "500"},
		{"a JWKS without usable keys stops start-up",
			func(t *testing.T) VerifierConfig {
				idp := newKeyServer(t, map[string]any{"kty": "oct", "kid": "o", "k": b64(secret)})
				return VerifierConfig{JWKSURL: idp.jwksURL(), Issuer: "munim"}
			}, "no usable"},
		{"discovery naming another issuer stops start-up",
			func(t *testing.T) VerifierConfig {
				idp := newKeyServer(t, rsaJWK("rsa-1", &testKeys().rsa.PublicKey))
				idp.mu.Lock()
				idp.issuer = "https://impostor.example.org"
				idp.mu.Unlock()
				return VerifierConfig{OIDCIssuer: idp.URL}
			}, "names issuer"},
		{"discovery without jwks_uri stops start-up",
			func(t *testing.T) VerifierConfig {
				idp := newKeyServer(t, rsaJWK("rsa-1", &testKeys().rsa.PublicKey))
				idp.mu.Lock()
				idp.noJWKSURI = true
				idp.mu.Unlock()
				return VerifierConfig{OIDCIssuer: idp.URL}
			}, "no jwks_uri"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := NewVerifier(t.Context(), tc.cfg(t))
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, v)
				return
			}
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.wantErr)
			assert.Nil(t, v)
		})
	}
}

func TestMintHS256RoundTripsThroughVerify(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.verifier(t, VerifierConfig{HS256Secret: b.secret})
	spec := TokenSpec{Subject: "u-7", Name: "Devendra Negi", Roles: []Role{RoleCashier}, Tenants: []string{"uk.dehradun", "uk.haldwani"}}

	token, err := MintHS256(b.secret, spec, b.clock.Now())
	require.NoError(t, err)
	p, err := v.Verify(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, &Principal{Kind: KindUser, Subject: "u-7", Name: "Devendra Negi",
		Roles: []Role{RoleCashier}, Tenants: []string{"uk.dehradun", "uk.haldwani"}}, p)

	// The default lifetime is 8h: still good at its end, expired past the skew.
	b.clock.Advance(8*time.Hour - time.Second)
	_, err = v.Verify(t.Context(), token)
	require.NoError(t, err)
	b.clock.Advance(62 * time.Second)
	_, err = v.Verify(t.Context(), token)
	assert.ErrorContains(t, err, "token expired")
}

func TestMintHS256HonoursIssuerAudienceAndTTL(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.verifier(t, VerifierConfig{HS256Secret: b.secret, Issuer: "munim-dev", Audience: "munim-api"})
	spec := TokenSpec{Subject: "script", Roles: []Role{RoleAdmin}, Tenants: []string{"uk.*"},
		TTL: time.Minute, Issuer: "munim-dev", Audience: "munim-api"}

	token, err := MintHS256(b.secret, spec, b.clock.Now())
	require.NoError(t, err)
	_, err = v.Verify(t.Context(), token)
	require.NoError(t, err)

	b.clock.Advance(time.Minute + 61*time.Second)
	_, err = v.Verify(t.Context(), token)
	assert.ErrorContains(t, err, "token expired")
}

func TestMintHS256RefusesWhatVerifyWouldRefuse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	valid := func(edit func(*TokenSpec)) TokenSpec {
		s := TokenSpec{Subject: "u-1", Roles: []Role{RoleAccountant}, Tenants: []string{"uk.dehradun"}}
		edit(&s)
		return s
	}

	cases := []struct {
		name    string
		secret  []byte
		spec    TokenSpec
		wantErr string
	}{
		{"a short secret is refused", b.secret[:16], valid(func(*TokenSpec) {}), "at least 32 bytes"},
		{"a missing subject is refused", b.secret, valid(func(s *TokenSpec) { s.Subject = "" }), "missing sub"},
		{"no roles is refused", b.secret, valid(func(s *TokenSpec) { s.Roles = nil }), "no roles"},
		{"an unknown role is refused", b.secret, valid(func(s *TokenSpec) { s.Roles = []Role{"superuser"} }), "unknown role"},
		{"no tenants is refused", b.secret, valid(func(s *TokenSpec) { s.Tenants = nil }), "no tenants"},
		{`tenant "*" is refused`, b.secret, valid(func(s *TokenSpec) { s.Tenants = []string{"*"} }), `tenant "*"`},
		{"a malformed tenant is refused", b.secret, valid(func(s *TokenSpec) { s.Tenants = []string{"Dehradun"} }), "invalid tenant"},
		{"a negative TTL is refused", b.secret, valid(func(s *TokenSpec) { s.TTL = -time.Hour }), "TTL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			token, err := MintHS256(tc.secret, tc.spec, b.clock.Now())
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.wantErr)
			assert.Empty(t, token)
		})
	}
}
