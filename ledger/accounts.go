package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// Account is a head of the chart of accounts.
type Account struct {
	Code, Name, Kind, Level, ParentCode string
	Postable                            bool
}

func accountOf(a dbq.Account) Account {
	return Account{Code: a.Code, Name: a.Name, Kind: a.Kind, Level: a.Level, ParentCode: a.ParentCode.String, Postable: a.Postable}
}

// AccountFilter selects accounts for Accounts.
type AccountFilter struct {
	CodePrefix   string
	PostableOnly bool
	PageSize     int
	PageToken    string // the last code of the previous page
}

// Accounts lists a tenant's chart in code order.
func (l *Ledger) Accounts(ctx context.Context, tenant string, f AccountFilter) ([]Account, string, error) {
	size := pageSize(f.PageSize, 500, 2000)
	var rows []dbq.Account
	err := l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		var err error
		rows, err = q.AccountList(ctx, dbq.AccountListParams{TenantID: tenant, AfterCode: f.PageToken,
			CodePrefix: f.CodePrefix, PostableOnly: f.PostableOnly, RowLimit: int32(size + 1)})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list accounts: %w", err)
	}
	next := ""
	if len(rows) > size {
		rows = rows[:size]
		next = rows[len(rows)-1].Code
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = accountOf(r)
	}
	return out, next, nil
}

// CreateAccount adds a detailed, postable head under an existing minor head
// (its first five digits). The kind (income, expenditure, liability, asset)
// is the minor head's.
func (l *Ledger) CreateAccount(ctx context.Context, tenant, code, name string) (Account, error) {
	if len(code) != 7 {
		return Account{}, invalid("code", "must be a 7-digit detailed head")
	}
	if name == "" {
		return Account{}, invalid("name", "is required")
	}
	if err := l.requireTenant(ctx, tenant); err != nil {
		return Account{}, err
	}
	var a dbq.Account
	err := l.write(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		parent, err := q.AccountGet(ctx, dbq.AccountGetParams{TenantID: tenant, Code: code[:5]})
		if errors.Is(err, pgx.ErrNoRows) {
			return invalid("code", "no minor head %s exists to hold %s", code[:5], code)
		}
		if err != nil {
			return fmt.Errorf("read minor head: %w", err)
		}
		a, err = q.AccountInsert(ctx, dbq.AccountInsertParams{TenantID: tenant, Code: code, Name: name, Kind: parent.Kind,
			Level: "detailed", ParentCode: pgtype.Text{String: parent.Code, Valid: true}, Postable: true})
		return err
	})
	if db.UniqueViolation(err) != "" {
		return Account{}, &ExistsError{What: fmt.Sprintf("account %s", code)}
	}
	if err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	l.chart.forget(tenant)
	return accountOf(a), nil
}
