package calc

import (
	"github.com/shopspring/decimal"
)

// Head codes the calculators emit. The billing domain maps each to the
// tenant's tax head (category, priority, GL); cess heads are not listed
// because each master names its own.
const (
	HeadPropertyTax  = "PT"
	HeadWater        = "WATER"
	HeadMeterRent    = "METER_RENT"
	HeadTradeFee     = "TL_FEE"
	HeadTradePenalty = "TL_PENALTY"
	HeadRebate       = "REBATE"
	HeadPenalty      = "PENALTY"
	HeadInterest     = "INTEREST"
	HeadRoundOff     = "ROUNDOFF"
)

// fixedHeads are the codes a master may not reuse for a cess, so that a
// cess line can never be mistaken for the tax it is levied on.
var fixedHeads = map[string]bool{
	HeadPropertyTax: true, HeadWater: true, HeadMeterRent: true, HeadTradeFee: true,
	HeadTradePenalty: true, HeadRebate: true, HeadPenalty: true, HeadInterest: true, HeadRoundOff: true,
}

// Line is one head of a demand. Amount is in rupees to the paisa and is
// never negative, except on a ROUNDOFF line (see the package doc); whether
// it adds or reduces is the head's business, not the sign's. Basis is the
// working in words and figures, printed on the bill.
type Line struct {
	Head   string          `json:"head"`
	Amount decimal.Decimal `json:"amount"`
	Basis  string          `json:"basis"`
}

// Net is what the lines come to: REBATE subtracts, ROUNDOFF adds with its
// sign, every other head adds.
func Net(lines []Line) decimal.Decimal {
	var net decimal.Decimal
	for _, l := range lines {
		if l.Head == HeadRebate {
			net = net.Sub(l.Amount)
		} else {
			net = net.Add(l.Amount)
		}
	}
	return net
}
