// Package razorpaysim is a faithful simulator of the parts of Razorpay's
// API that Munim uses (reference/razorpay.md): orders, payments (created,
// authorized, captured, failed, refunded), the hosted checkout and its
// signed success callback, webhooks signed with X-Razorpay-Signature and
// identified by X-Razorpay-Event-Id, refunds, and the combined settlement
// report, with fees and tax deducted at settlement.
//
// Sim is an http.Handler, so tests serve it with httptest and drive it
// through the real razorpay-go client; `munim razorpay-sim` serves it for
// the demo. Faults are switched on at run time: drop, delay, duplicate or
// reorder webhooks; capture late; fail the API with a 5xx or hold it past
// the caller's timeout; settle days late.
//
// It must never be used to move real money, and never be imported by
// production code paths other than the razorpay-sim command: it is the
// one fake of the system, and it fakes only the gateway.
package razorpaysim
