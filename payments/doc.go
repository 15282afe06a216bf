// Package payments owns online collections through a payment gateway:
// gateway transactions (one per checkout: CREATED -> PENDING -> SUCCESS |
// FAILED, then REFUNDED) and the consumers' dues each was opened for, the
// payments the gateway reports against each order, the checkout callback,
// the webhook endpoint (signature over the raw body, de-duplicated by event
// id, forged signatures audited), and the poller that asks the gateway
// about every transaction not yet final, with backoff and no age limit.
//
// Callback, webhook and poller all drive one idempotent transition
// (apply): the first to see a capture makes the receipt, through
// receipts.CollectOnlineTx in the same transaction, and the others find it.
// A captured payment is always receipted, for what was captured, against
// the dues as they stand then; the excess is advance.
//
// Reconciliation reads the gateway's settlements of a day, matches each
// item to our payments, posts the settlement journal (bank Dr net, 2408003
// Dr fee and tax, 4501002 Cr gross; 3504007 for what is not ours) and keeps
// the exceptions (captured not receipted, receipted not captured, amount
// mismatch, settled unknown, duplicate payment, settlement missing) with
// their ages until resolved. Refunds return a consumer's advance,
// maker-checker, and are never sent to the gateway twice.
//
// It must never mark a payment failed unless the gateway said so (a
// timeout or a 5xx leaves it pending), never make a second receipt for a
// payment, never post a receipt except through receipts (settlements it
// posts through ledger.PostTx), and never log a key or webhook secret.
package payments
