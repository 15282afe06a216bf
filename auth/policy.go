package auth

import (
	"slices"

	"github.com/munimhq/munim/gen/pb/munim/access/v1/accessv1connect"
	"github.com/munimhq/munim/gen/pb/munim/audit/v1/auditv1connect"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
	"github.com/munimhq/munim/gen/pb/munim/ledger/v1/ledgerv1connect"
	"github.com/munimhq/munim/gen/pb/munim/payments/v1/paymentsv1connect"
	"github.com/munimhq/munim/gen/pb/munim/receipts/v1/receiptsv1connect"
	"github.com/munimhq/munim/gen/pb/munim/tenancy/v1/tenancyv1connect"
)

// Permission is one thing a caller may do. Roles grant permissions; an API
// key's scopes are permissions.
type Permission string

// The permissions.
const (
	// PermPublic needs no credentials (health, reflection; later dues lookup,
	// receipt verification and gateway webhooks). Rate-limited per client.
	PermPublic        Permission = "public"
	PermTenantCreate  Permission = "tenant.create"
	PermTenantRead    Permission = "tenant.read"
	PermYearOpen      Permission = "year.open"
	PermMasterManage  Permission = "master.manage"
	PermAPIKeyManage  Permission = "apikey.manage"
	PermLedgerRead    Permission = "ledger.read"
	PermLedgerPost    Permission = "ledger.post"
	PermLedgerApprove Permission = "ledger.approve"
	PermPeriodManage  Permission = "period.manage"
	PermAuditRead     Permission = "audit.read"
	// Billing: tax heads, registers and rate masters; raising demands;
	// reading dues, bills, the demand register, registers and masters, and
	// previewing demands.
	PermBillingMaster Permission = "billing.master"
	PermDemandPost    Permission = "billing.demand.post"
	PermBillingRead   Permission = "billing.read"
	// PermDemandRun starts demand runs: a year's (or a water period's)
	// demands for a whole register, priced by the masters. The role that
	// keeps the masters holds it; an API key only when an admin scopes it
	// so (a department's scheduler).
	PermDemandRun Permission = "billing.demand.run"
	// Demand amendments (remission, court order, write-off, correction) are
	// maker-checker: staff propose, an approver decides. Never an API key's.
	PermAmendPropose Permission = "billing.amend.propose"
	PermAmendApprove Permission = "billing.amend.approve"
	// Receipts. A cashier takes payments and remits the day's cash.
	// Cancelling is the supervisor's: Munim has no supervisor role, and the
	// accountant (the maker over the cash book) supervises the counter, so
	// the accountant cancels on the receipt's day and the approver (the
	// checker) at any time; the receipts service refuses the cashier who
	// took a receipt and, after its day, anyone but an approver. Cheque
	// deposits, realisations and dishonours are the accountant's, who
	// keeps the bank book.
	PermReceiptCollect Permission = "receipts.collect"
	PermReceiptRead    Permission = "receipts.read"
	PermReceiptCancel  Permission = "receipts.cancel"
	PermReceiptCheque  Permission = "receipts.cheque"
	PermReceiptRemit   Permission = "receipts.remit"
	// Online payments. Opening a checkout and confirming it are public
	// (the citizen pays without an account; the callback's signature is
	// its proof); reading transactions is staff's and auditors'.
	PermPaymentRead Permission = "payments.read"
	// Reconciling settlements and resolving exceptions is the accountant's,
	// who keeps the bank book.
	PermPaymentReconcile Permission = "payments.reconcile"
	// Refunds are maker-checker: the accountant proposes, an approver
	// approves (and the gateway is then asked); never one person both.
	PermRefundPropose Permission = "payments.refund.propose"
	PermRefundApprove Permission = "payments.refund.approve"
)

// RolePermissions is what each role may do. Auditors only read; a
// department app has no permission of its own: its key's scopes decide.
var RolePermissions = map[Role][]Permission{
	RoleAdmin: {PermTenantCreate, PermTenantRead, PermYearOpen, PermMasterManage, PermAPIKeyManage, PermLedgerRead, PermAuditRead,
		PermBillingMaster, PermDemandRun, PermBillingRead, PermReceiptRead, PermPaymentRead},
	RoleAccountant: {PermTenantRead, PermLedgerRead, PermLedgerPost, PermDemandPost, PermBillingRead, PermAmendPropose,
		PermReceiptRead, PermReceiptCancel, PermReceiptCheque, PermReceiptRemit, PermPaymentRead, PermPaymentReconcile,
		PermRefundPropose},
	RoleApprover: {PermTenantRead, PermLedgerRead, PermLedgerApprove, PermPeriodManage, PermBillingRead, PermAmendApprove,
		PermReceiptRead, PermReceiptCancel, PermPaymentRead, PermRefundApprove},
	RoleCashier:       {PermTenantRead, PermBillingRead, PermReceiptCollect, PermReceiptRead, PermReceiptRemit, PermPaymentRead},
	RoleAuditor:       {PermTenantRead, PermLedgerRead, PermAuditRead, PermBillingRead, PermReceiptRead, PermPaymentRead},
	RoleDepartmentApp: {},
}

// KeyScopes are the permissions an API key may be given.
var KeyScopes = []Permission{PermTenantRead, PermLedgerRead, PermLedgerPost, PermDemandPost, PermDemandRun, PermBillingRead, PermReceiptRead,
	PermPaymentRead}

// Procedures maps every Connect procedure the server serves to the
// permission it needs. A procedure missing here is denied to everyone; a
// test walks every registered service and fails on a missing entry.
var Procedures = map[string]Permission{
	"/grpc.health.v1.Health/Check":                                   PermPublic,
	"/grpc.health.v1.Health/Watch":                                   PermPublic,
	"/grpc.health.v1.Health/List":                                    PermPublic,
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      PermPublic,
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": PermPublic,
	tenancyv1connect.TenantServiceCreateTenantProcedure:              PermTenantCreate,
	tenancyv1connect.TenantServiceGetTenantProcedure:                 PermTenantRead,
	tenancyv1connect.TenantServiceListTenantsProcedure:               PermTenantRead,
	ledgerv1connect.LedgerServicePostVouchersProcedure:               PermLedgerPost,
	ledgerv1connect.LedgerServiceApproveVoucherProcedure:             PermLedgerApprove,
	ledgerv1connect.LedgerServiceRejectVoucherProcedure:              PermLedgerApprove,
	ledgerv1connect.LedgerServiceReverseVoucherProcedure:             PermLedgerApprove,
	ledgerv1connect.LedgerServiceGetVoucherProcedure:                 PermLedgerRead,
	ledgerv1connect.LedgerServiceListVouchersProcedure:               PermLedgerRead,
	ledgerv1connect.LedgerServiceGetTrialBalanceProcedure:            PermLedgerRead,
	ledgerv1connect.LedgerServiceGetAccountStatementProcedure:        PermLedgerRead,
	ledgerv1connect.LedgerServiceGetDayBookProcedure:                 PermLedgerRead,
	ledgerv1connect.LedgerServiceListPeriodsProcedure:                PermLedgerRead,
	ledgerv1connect.LedgerServiceListAccountsProcedure:               PermLedgerRead,
	ledgerv1connect.LedgerServiceOpenFiscalYearProcedure:             PermYearOpen,
	ledgerv1connect.LedgerServiceClosePeriodProcedure:                PermPeriodManage,
	ledgerv1connect.LedgerServiceReopenPeriodProcedure:               PermPeriodManage,
	ledgerv1connect.LedgerServiceCreateAccountProcedure:              PermMasterManage,
	accessv1connect.ApiKeyServiceCreateApiKeyProcedure:               PermAPIKeyManage,
	accessv1connect.ApiKeyServiceListApiKeysProcedure:                PermAPIKeyManage,
	accessv1connect.ApiKeyServiceRevokeApiKeyProcedure:               PermAPIKeyManage,
	billingv1connect.BillingServiceSaveTaxHeadProcedure:              PermBillingMaster,
	billingv1connect.BillingServiceListTaxHeadsProcedure:             PermBillingRead,
	billingv1connect.BillingServicePostDemandsProcedure:              PermDemandPost,
	billingv1connect.BillingServiceGetDuesProcedure:                  PermBillingRead,
	billingv1connect.BillingServiceFetchBillProcedure:                PermBillingRead,
	billingv1connect.BillingServiceGetDcbRegisterProcedure:           PermBillingRead,
	billingv1connect.BillingServiceCheckDcbAgainstLedgerProcedure:    PermBillingRead,
	billingv1connect.BillingServiceRunDemandGenerationProcedure:      PermDemandRun,
	billingv1connect.BillingServiceGetJobProcedure:                   PermBillingRead,
	billingv1connect.AmendmentServiceProposeAmendmentProcedure:       PermAmendPropose,
	billingv1connect.AmendmentServiceApproveAmendmentProcedure:       PermAmendApprove,
	billingv1connect.AmendmentServiceRejectAmendmentProcedure:        PermAmendApprove,
	billingv1connect.AmendmentServiceListAmendmentsProcedure:         PermBillingRead,
	billingv1connect.RegisterServiceSavePropertiesProcedure:          PermBillingMaster,
	billingv1connect.RegisterServiceGetPropertyProcedure:             PermBillingRead,
	billingv1connect.RegisterServiceSaveWaterConnectionsProcedure:    PermBillingMaster,
	billingv1connect.RegisterServiceRecordMeterReadingsProcedure:     PermBillingMaster,
	billingv1connect.RegisterServiceSaveTradeLicencesProcedure:       PermBillingMaster,
	billingv1connect.RegisterServiceSaveRateMasterProcedure:          PermBillingMaster,
	billingv1connect.RegisterServiceGetRateMasterProcedure:           PermBillingRead,
	billingv1connect.RegisterServiceCalculateDemandProcedure:         PermBillingRead,
	auditv1connect.AuditServiceListEventsProcedure:                   PermAuditRead,
	receiptsv1connect.ReceiptServiceCollectPaymentProcedure:          PermReceiptCollect,
	receiptsv1connect.ReceiptServiceGetReceiptProcedure:              PermReceiptRead,
	receiptsv1connect.ReceiptServiceListReceiptsProcedure:            PermReceiptRead,
	receiptsv1connect.ReceiptServiceCancelReceiptProcedure:           PermReceiptCancel,
	receiptsv1connect.ReceiptServiceRecordChequeDepositProcedure:     PermReceiptCheque,
	receiptsv1connect.ReceiptServiceRecordChequeRealisationProcedure: PermReceiptCheque,
	receiptsv1connect.ReceiptServiceRecordChequeDishonourProcedure:   PermReceiptCheque,
	receiptsv1connect.ReceiptServiceRemitCashProcedure:               PermReceiptRemit,
	receiptsv1connect.ReceiptServiceGetCollectionSummaryProcedure:    PermReceiptRead,
	receiptsv1connect.ReceiptServiceSaveCollectionSettingsProcedure:  PermBillingMaster,
	receiptsv1connect.ReceiptServiceGetReceiptPdfProcedure:           PermReceiptRead,
	receiptsv1connect.ReceiptServiceVerifyReceiptProcedure:           PermPublic,
	paymentsv1connect.PaymentServiceCreatePaymentOrderProcedure:      PermPublic,
	paymentsv1connect.PaymentServiceConfirmCheckoutProcedure:         PermPublic,
	paymentsv1connect.PaymentServiceGetPaymentTransactionProcedure:   PermPaymentRead,
	paymentsv1connect.PaymentServiceListPaymentTransactionsProcedure: PermPaymentRead,
	paymentsv1connect.PaymentServiceRunReconciliationProcedure:       PermPaymentReconcile,
	paymentsv1connect.PaymentServiceListExceptionsProcedure:          PermPaymentRead,
	paymentsv1connect.PaymentServiceImportBankStatementProcedure:     PermPaymentReconcile,
	paymentsv1connect.PaymentServiceGetBankReconciliationProcedure:   PermPaymentRead,
	paymentsv1connect.PaymentServiceInitiateRefundProcedure:          PermRefundPropose,
	paymentsv1connect.PaymentServiceApproveRefundProcedure:           PermRefundApprove,
	paymentsv1connect.PaymentServiceResolveExceptionProcedure:        PermPaymentReconcile,
}

// Allows reports whether p may use permission perm (tenants aside).
func (p *Principal) Allows(perm Permission) bool {
	if perm == PermPublic {
		return true
	}
	if p == nil {
		return false
	}
	if p.Kind == KindSystem {
		return true
	}
	if p.Kind == KindAPIKey {
		return p.Has(RoleDepartmentApp) && slices.Contains(p.Scopes, string(perm))
	}
	for _, r := range p.Roles {
		if slices.Contains(RolePermissions[r], perm) {
			return true
		}
	}
	return false
}
