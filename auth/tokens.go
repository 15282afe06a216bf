package auth

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthenticated is wrapped by every error Verify returns, so that the
// interceptor maps all of them to connect.CodeUnauthenticated with one
// errors.Is. The wrapping error adds a short reason and never the token.
var ErrUnauthenticated = errors.New("unauthenticated")

// authError is a rejection with its reason.
type authError struct{ reason string }

func (e *authError) Error() string        { return "unauthenticated: " + e.reason }
func (e *authError) Is(target error) bool { return target == ErrUnauthenticated }

func reject(reason string) error { return &authError{reason: reason} }

const (
	// minSecretBytes is 256 bits, the HS256 output size: a shorter secret is
	// the weakest link and can be brute-forced from a single token.
	minSecretBytes = 32
	// maxTokenBytes rejects absurd headers before any decoding work.
	maxTokenBytes = 16 << 10
)

// Issuer and audience of Munim's own tokens.
const (
	defaultIssuer   = "munim"
	defaultAudience = "munim"
)

// VerifierConfig configures token verification. Configure a shared secret,
// a JWKS source (JWKSURL or OIDCIssuer), or both.
type VerifierConfig struct {
	// HS256Secret verifies HS256 tokens (development, small installs). At
	// least 32 bytes. Empty: HS256 tokens are rejected.
	HS256Secret []byte
	// JWKSURL publishes the RS256/ES256 keys, selected by the token's kid.
	// Requires Issuer. Must be https (http only on loopback).
	JWKSURL string
	// OIDCIssuer, instead of JWKSURL, finds the keys through the issuer's
	// /.well-known/openid-configuration, which must name this issuer.
	OIDCIssuer string
	// Issuer is the required "iss". Default: OIDCIssuer when set, else
	// "munim" when only HS256Secret is set; required with JWKSURL.
	Issuer string
	// Audience is the required "aud" (one of them, when aud is an array).
	// Default "munim".
	Audience string
	// ClockSkew is tolerated on exp, nbf and iat. Default 60s.
	ClockSkew time.Duration
	// HTTPClient fetches JWKS and discovery documents. Default: a client with
	// a 10s timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// JWKSRefresh is how long fetched keys are used before refetching.
	// Default 10m. An unknown kid triggers one refetch, at most once per 30s.
	JWKSRefresh time.Duration
	// Logger reports key refreshes that fail (never tokens). Default
	// slog.Default().
	Logger *slog.Logger
}

func (c VerifierConfig) withDefaults() VerifierConfig {
	switch {
	case c.OIDCIssuer != "":
		c.Issuer = cmp.Or(c.Issuer, c.OIDCIssuer)
	case c.JWKSURL == "":
		// Only Munim mints HS256 tokens, so its name is the only sensible issuer.
		c.Issuer = cmp.Or(c.Issuer, defaultIssuer)
	}
	c.Audience = cmp.Or(c.Audience, defaultAudience)
	c.ClockSkew = cmp.Or(c.ClockSkew, 60*time.Second)
	c.HTTPClient = cmp.Or(c.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	if c.Now == nil {
		c.Now = time.Now
	}
	c.JWKSRefresh = cmp.Or(c.JWKSRefresh, 10*time.Minute)
	c.Logger = cmp.Or(c.Logger, slog.Default())
	return c
}

func (c VerifierConfig) validate() error {
	var errs []error
	if len(c.HS256Secret) == 0 && c.JWKSURL == "" && c.OIDCIssuer == "" {
		errs = append(errs, errors.New("configure HS256Secret, JWKSURL or OIDCIssuer"))
	}
	if len(c.HS256Secret) > 0 && len(c.HS256Secret) < minSecretBytes {
		errs = append(errs, fmt.Errorf("HS256Secret must be at least %d bytes", minSecretBytes))
	}
	if c.JWKSURL != "" && c.OIDCIssuer != "" {
		errs = append(errs, errors.New("set JWKSURL or OIDCIssuer, not both"))
	}
	if c.JWKSURL != "" {
		if err := checkKeyURL(c.JWKSURL); err != nil {
			errs = append(errs, fmt.Errorf("JWKSURL: %w", err))
		}
		// Without a pinned issuer, any token signed by these keys would do,
		// including ones the provider issued for other purposes.
		if c.Issuer == "" {
			errs = append(errs, errors.New("an Issuer is required with JWKSURL"))
		}
	}
	if c.OIDCIssuer != "" {
		if err := checkKeyURL(c.OIDCIssuer); err != nil {
			errs = append(errs, fmt.Errorf("OIDCIssuer: %w", err))
		}
		if c.Issuer != c.OIDCIssuer {
			errs = append(errs, fmt.Errorf("the Issuer %q differs from OIDCIssuer %q", c.Issuer, c.OIDCIssuer))
		}
	}
	if c.ClockSkew < 0 {
		errs = append(errs, errors.New("ClockSkew must not be negative"))
	}
	if c.JWKSRefresh < 0 {
		errs = append(errs, errors.New("JWKSRefresh must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("auth: verifier config: %w", err)
	}
	return nil
}

// Verifier checks bearer tokens and turns them into principals. It is safe
// for concurrent use.
type Verifier struct {
	secret  []byte     // nil: HS256 is not accepted
	jwks    *jwksCache // nil: RS256/ES256 are not accepted
	methods []string
	parser  *jwt.Parser
}

// NewVerifier validates cfg and, for a JWKS source, discovers and fetches the
// keys once, so that a wrong URL or issuer stops start-up instead of failing
// every login later.
func NewVerifier(ctx context.Context, cfg VerifierConfig) (*Verifier, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	v := &Verifier{}
	if len(cfg.HS256Secret) > 0 {
		v.secret = slices.Clone(cfg.HS256Secret) // the caller's slice may be reused
		v.methods = append(v.methods, jwt.SigningMethodHS256.Alg())
	}
	if jwksURL := cfg.JWKSURL; jwksURL != "" || cfg.OIDCIssuer != "" {
		if cfg.OIDCIssuer != "" {
			var err error
			if jwksURL, err = discoverJWKSURL(ctx, cfg.HTTPClient, cfg.OIDCIssuer); err != nil {
				return nil, fmt.Errorf("auth: OIDC discovery: %w", err)
			}
		}
		v.jwks = newJWKSCache(jwksURL, cfg.HTTPClient, cfg.Now, cfg.JWKSRefresh, cfg.Logger)
		if err := v.jwks.fetch(ctx); err != nil {
			return nil, fmt.Errorf("auth: fetch JWKS: %w", err)
		}
		v.methods = append(v.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	// Listing only the configured algorithms is what defeats alg "none" and
	// key confusion: the token's header never chooses how it is checked.
	v.parser = jwt.NewParser(
		jwt.WithValidMethods(v.methods),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.ClockSkew),
		jwt.WithTimeFunc(cfg.Now),
	)
	return v, nil
}

// tokenClaims are the claims Munim reads.
type tokenClaims struct {
	jwt.RegisteredClaims
	Name    string   `json:"name,omitempty"`
	Roles   []string `json:"roles"`
	Tenants []string `json:"tenants"`
}

// Verify checks token's signature and claims and returns its principal.
// Every error wraps ErrUnauthenticated.
func (v *Verifier) Verify(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, reject("missing token")
	}
	if len(token) > maxTokenBytes {
		return nil, reject("token too large")
	}
	var claims tokenClaims
	parsed, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		return v.key(ctx, t)
	})
	if err != nil {
		return nil, v.rejection(parsed, &claims, err)
	}
	p, err := principalOf(claims.Subject, claims.Name, claims.Roles, claims.Tenants)
	if err != nil {
		return nil, reject(err.Error())
	}
	return p, nil
}

// key picks the verification key by algorithm alone; the parser has already
// refused algorithms not in v.methods, and this refuses them again so the
// two cannot drift apart.
func (v *Verifier) key(ctx context.Context, t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	switch alg {
	case jwt.SigningMethodHS256.Alg():
		if v.secret == nil {
			return nil, reject("algorithm not accepted")
		}
		return v.secret, nil
	case jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg():
		if v.jwks == nil {
			return nil, reject("algorithm not accepted")
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, reject("missing key id")
		}
		k, err := v.jwks.lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		if !keyFits(k, alg) {
			return nil, reject("key does not match algorithm")
		}
		return k.key, nil
	}
	return nil, reject("algorithm not accepted")
}

// keyFits reports whether k may verify alg: an RSA key only RS256, a P-256
// key only ES256, and a key published with an alg only that alg.
func keyFits(k publicKey, alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch k.key.(type) {
	case *rsa.PublicKey:
		return alg == jwt.SigningMethodRS256.Alg()
	case *ecdsa.PublicKey:
		return alg == jwt.SigningMethodES256.Alg()
	}
	return false
}

// rejection turns a parser error into a short reason. Missing claims are
// named from the decoded claims because the library reports them all alike.
func (v *Verifier) rejection(t *jwt.Token, c *tokenClaims, err error) error {
	var ae *authError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, jwt.ErrTokenMalformed):
		return reject("malformed token")
	case t == nil || t.Method == nil || !slices.Contains(v.methods, t.Method.Alg()):
		return reject("algorithm not accepted")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return reject("signature invalid")
	case errors.Is(err, jwt.ErrTokenExpired):
		return reject("token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return reject("token not yet valid")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return reject("token issued in the future")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return reject("issuer mismatch")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return reject("audience mismatch")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		switch {
		case c.ExpiresAt == nil:
			return reject("missing exp claim")
		case c.Issuer == "":
			return reject("missing iss claim")
		default:
			return reject("missing aud claim")
		}
	}
	return reject("token invalid")
}

var (
	tenantPattern      = regexp.MustCompile(`^[a-z]{2}\.[a-z][a-z0-9_-]{1,62}$`)
	stateTenantPattern = regexp.MustCompile(`^[a-z]{2}\.\*$`)
)

// principalOf builds a user principal, enforcing the rules shared by Verify
// and MintHS256 so that Munim never mints a token it would refuse.
func principalOf(subject, name string, roles, tenants []string) (*Principal, error) {
	if subject == "" {
		return nil, errors.New("missing sub claim")
	}
	if len(roles) == 0 {
		return nil, errors.New("no roles")
	}
	p := &Principal{Kind: KindUser, Subject: subject, Name: name, Roles: make([]Role, 0, len(roles))}
	for _, r := range roles {
		// An unknown role is an error rather than ignored: a typo in the
		// identity provider would otherwise quietly demote (or confuse) a user.
		if !Role(r).Valid() {
			return nil, fmt.Errorf("unknown role %q", r)
		}
		p.Roles = append(p.Roles, Role(r))
	}
	if len(tenants) == 0 {
		return nil, errors.New("no tenants")
	}
	for _, t := range tenants {
		switch {
		case t == "*":
			// Every tenant is for Munim's own work (System), never a person.
			return nil, errors.New(`tenant "*" is never granted by a token`)
		case !tenantPattern.MatchString(t) && !stateTenantPattern.MatchString(t):
			return nil, fmt.Errorf("invalid tenant %q", t)
		}
	}
	p.Tenants = slices.Clone(tenants)
	return p, nil
}

// TokenSpec describes a token to mint.
type TokenSpec struct {
	Subject string // required
	Name    string // display name; optional
	Roles   []Role // at least one, each known
	// Tenants are tenant ids ("uk.dehradun") or whole states ("uk.*"); at
	// least one; never "*".
	Tenants  []string
	TTL      time.Duration // lifetime; default 8h (a working day)
	Issuer   string        // default "munim"
	Audience string        // default "munim"
}

// MintHS256 signs a token for spec with secret, valid from now for spec.TTL,
// for development and scripts (`munim token`). It refuses any spec that
// Verify would refuse, so a bad token fails here and not at first use.
func MintHS256(secret []byte, spec TokenSpec, now time.Time) (string, error) {
	if len(secret) < minSecretBytes {
		return "", fmt.Errorf("auth: mint: secret must be at least %d bytes", minSecretBytes)
	}
	spec.TTL = cmp.Or(spec.TTL, 8*time.Hour)
	spec.Issuer = cmp.Or(spec.Issuer, defaultIssuer)
	spec.Audience = cmp.Or(spec.Audience, defaultAudience)
	if spec.TTL < 0 {
		return "", errors.New("auth: mint: TTL must not be negative")
	}
	roles := make([]string, len(spec.Roles))
	for i, r := range spec.Roles {
		roles[i] = string(r)
	}
	if _, err := principalOf(spec.Subject, spec.Name, roles, spec.Tenants); err != nil {
		return "", fmt.Errorf("auth: mint: %w", err)
	}
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    spec.Issuer,
			Subject:   spec.Subject,
			Audience:  jwt.ClaimStrings{spec.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(spec.TTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
		},
		Name:    spec.Name,
		Roles:   roles,
		Tenants: spec.Tenants,
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: mint: %w", err)
	}
	return token, nil
}
