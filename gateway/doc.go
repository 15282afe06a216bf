// Package gateway owns Munim's view of an online payment gateway: the
// Gateway interface (orders, their payments, payments, refunds and the
// settlement report of a day) that takes a context and returns typed
// errors keeping the HTTP status and the gateway's error code, the
// Razorpay implementation over github.com/razorpay/razorpay-go, and the
// signature checks of the checkout callback and of webhooks.
//
// It tells "the gateway said no" (an *Error with a 4xx status, or a payment
// whose status is failed) apart from "the gateway could not be reached"
// (Unreachable: a timeout, a broken connection or a 5xx), so that callers
// never mark a payment failed on a hiccup.
//
// It must never touch the database or the books, never log or print a key
// secret or a webhook secret, and never carry money as a float: amounts are
// int64 paise, decoded from the raw response bytes.
package gateway
