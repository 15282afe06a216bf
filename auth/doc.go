// Package auth owns who a caller is and what a caller may do: verifying
// bearer tokens (JWTs signed with a shared secret, or with keys published at
// a JWKS URL or an OIDC issuer) and department apps' API keys, the roles and
// their permissions, the per-procedure permission table, and the Connect
// interceptor that enforces it before any handler runs.
//
// It never decides business rules (who may approve what voucher is the
// ledger's), and it never logs a token, a key or a secret.
package auth
