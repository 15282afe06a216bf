-- name: ExpenditurePartyUpsert :one
INSERT INTO expenditure_parties (tenant_id, code, name, kind, pan, gstin)
VALUES (@tenant_id, @code, @name, @kind, @pan, @gstin)
    ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, kind = excluded.kind, pan = excluded.pan, gstin = excluded.gstin
RETURNING *;

-- name: ExpenditurePartyGet :one
SELECT *
  FROM expenditure_parties
 WHERE tenant_id = @tenant_id AND code = @code;

-- name: ExpenditurePartyBalances :many
-- Each party's approved bills as of a date: billed (net of deductions),
-- paid by then, and outstanding.
SELECT p.code, p.name, p.kind,
       coalesce(sum(b.net), 0)::numeric AS billed,
       coalesce(sum(pd.paid), 0)::numeric AS paid
  FROM expenditure_parties p
  JOIN expenditure_bills b ON b.tenant_id = p.tenant_id AND b.party_code = p.code
       AND b.status = 'approved' AND b.bill_date <= @as_of::date
  LEFT JOIN LATERAL (SELECT coalesce(sum(x.amount), 0) AS paid
                       FROM expenditure_payments x
                      WHERE x.tenant_id = b.tenant_id AND x.bill_id = b.id AND x.payment_date <= @as_of::date) pd ON true
 WHERE p.tenant_id = @tenant_id
 GROUP BY p.code, p.name, p.kind
 ORDER BY p.code;
