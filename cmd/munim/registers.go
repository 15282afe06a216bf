package main

import "github.com/munimhq/munim/reports"

// reportSources are the services whose sub-ledgers the registers read.
func (a *app) reportSources() reports.Sources {
	return reports.Sources{Billing: a.billing, Expenditure: a.spend, Budget: a.budget, Assets: a.assets, Payments: a.payments}
}
