package gateway

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Sign is hex(HMAC-SHA256(secret, msg)), Razorpay's signature.
func Sign(secret string, msg []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// CheckoutSignature is the signature the checkout hands the success
// callback: HMAC of order_id + "|" + payment_id under the key secret.
func CheckoutSignature(keySecret, orderID, paymentID string) string {
	return Sign(keySecret, []byte(orderID+"|"+paymentID))
}

// VerifyCheckout checks the checkout callback's signature in constant time.
func VerifyCheckout(keySecret, orderID, paymentID, signature string) bool {
	return verify(keySecret, []byte(orderID+"|"+paymentID), signature)
}

// VerifyWebhook checks X-Razorpay-Signature over the raw body against each
// of secrets (the current one and, during a rotation, the previous one).
// It reports which matched: 0 for the first, -1 for none.
func VerifyWebhook(body []byte, signature string, secrets ...string) int {
	for i, s := range secrets {
		if s != "" && verify(s, body, signature) {
			return i
		}
	}
	return -1
}

func verify(secret string, msg []byte, signature string) bool {
	got, err := hex.DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hmac.Equal(m.Sum(nil), got)
}
