package auth

import (
	"slices"

	"github.com/munimhq/munim/gen/pb/munim/access/v1/accessv1connect"
	"github.com/munimhq/munim/gen/pb/munim/assets/v1/assetsv1connect"
	"github.com/munimhq/munim/gen/pb/munim/audit/v1/auditv1connect"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
	"github.com/munimhq/munim/gen/pb/munim/budget/v1/budgetv1connect"
	"github.com/munimhq/munim/gen/pb/munim/expenditure/v1/expenditurev1connect"
	"github.com/munimhq/munim/gen/pb/munim/ledger/v1/ledgerv1connect"
	"github.com/munimhq/munim/gen/pb/munim/payments/v1/paymentsv1connect"
	"github.com/munimhq/munim/gen/pb/munim/receipts/v1/receiptsv1connect"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
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
	// Budget. The accountant prepares the budget (lines, drafts of BE, RE
	// and supplementary provisions) and records sanctioned work and
	// purchase orders as commitments; the approver approves estimates and
	// sanctions re-appropriations (never one they drafted or submitted);
	// the administrator may prepare too (DESIGN.md: budgets are theirs);
	// auditors read.
	PermBudgetRead    Permission = "budget.read"
	PermBudgetPrepare Permission = "budget.prepare"
	PermBudgetApprove Permission = "budget.approve"
	PermBudgetCommit  Permission = "budget.commit"
	// Expenditure. The accountant keeps the parties, enters bills and pays
	// approved ones (the payment can only follow an approval); the approver
	// approves, rejects or cancels bills (never one they entered).
	PermExpenditureRead    Permission = "expenditure.read"
	PermExpenditureBill    Permission = "expenditure.bill"
	PermExpenditureApprove Permission = "expenditure.approve"
	PermExpenditurePay     Permission = "expenditure.pay"
	// Fixed assets. The accountant keeps the register (adds assets,
	// captures their cost from bills, capitalises, transfers, runs
	// depreciation, imports the opening register); the approver approves
	// the opening import (never their own) and sanctions disposal and
	// revaluation; asset classes are masters, the administrator's.
	PermAssetRead    Permission = "assets.read"
	PermAssetManage  Permission = "assets.manage"
	PermAssetApprove Permission = "assets.approve"
	// Online payments. Opening a checkout and confirming it are public
	// (the citizen pays without an account; the callback's signature is
	// its proof); reading transactions is staff's and auditors'.
	PermPaymentRead Permission = "payments.read"
	// Reconciling settlements and resolving exceptions is the accountant's,
	// who keeps the bank book.
	PermPaymentReconcile Permission = "payments.reconcile"
	// PermReportsRead reads statements, registers and their exports: the
	// people who keep, check and audit the books (a state auditor across
	// the state's ULBs, by a "uk.*" tenant scope), and the admin.
	PermReportsRead Permission = "reports.read"
	// PermYearClose runs and reopens a year-end close: the approver, the
	// checker of the books.
	PermYearClose Permission = "reports.year.close"
	// Opening balances are maker-checker: the accountant imports a ULB's
	// opening trial balance, an approver (never the importer) posts or
	// rejects it. Never an API key's.
	PermOpeningImport  Permission = "opening.import"
	PermOpeningApprove Permission = "opening.approve"
	// Refunds are maker-checker: the accountant proposes, an approver
	// approves (and the gateway is then asked); never one person both.
	PermRefundPropose Permission = "payments.refund.propose"
	PermRefundApprove Permission = "payments.refund.approve"
)

// RolePermissions is what each role may do. Auditors only read; a
// department app has no permission of its own: its key's scopes decide.
var RolePermissions = map[Role][]Permission{
	RoleAdmin: {PermTenantCreate, PermTenantRead, PermYearOpen, PermMasterManage, PermAPIKeyManage, PermLedgerRead, PermAuditRead,
		PermBillingMaster, PermDemandRun, PermBillingRead, PermReceiptRead, PermBudgetRead, PermBudgetPrepare,
		PermExpenditureRead, PermAssetRead, PermPaymentRead, PermReportsRead},
	RoleAccountant: {PermTenantRead, PermLedgerRead, PermLedgerPost, PermDemandPost, PermBillingRead, PermAmendPropose,
		PermReceiptRead, PermReceiptCancel, PermReceiptCheque, PermReceiptRemit, PermBudgetRead, PermBudgetPrepare, PermBudgetCommit,
		PermExpenditureRead, PermExpenditureBill, PermExpenditurePay, PermAssetRead, PermAssetManage, PermPaymentRead, PermPaymentReconcile,
		PermRefundPropose, PermReportsRead,
		PermOpeningImport},
	RoleApprover: {PermTenantRead, PermLedgerRead, PermLedgerApprove, PermPeriodManage, PermBillingRead, PermAmendApprove,
		PermReceiptRead, PermReceiptCancel, PermBudgetRead, PermBudgetApprove, PermExpenditureRead, PermExpenditureApprove,
		PermAssetRead, PermAssetApprove, PermPaymentRead, PermReportsRead, PermYearClose, PermRefundApprove,
		PermOpeningApprove},
	RoleCashier: {PermTenantRead, PermBillingRead, PermReceiptCollect, PermReceiptRead, PermReceiptRemit, PermPaymentRead},
	RoleAuditor: {PermTenantRead, PermLedgerRead, PermAuditRead, PermBillingRead, PermReceiptRead, PermBudgetRead,
		PermExpenditureRead, PermAssetRead, PermPaymentRead, PermReportsRead},
	RoleDepartmentApp: {},
}

// KeyScopes are the permissions an API key may be given.
var KeyScopes = []Permission{PermTenantRead, PermLedgerRead, PermLedgerPost, PermDemandPost, PermDemandRun, PermBillingRead, PermReceiptRead,
	PermPaymentRead}

// Procedures maps every Connect procedure the server serves to the
// permission it needs. A procedure missing here is denied to everyone; a
// test walks every registered service and fails on a missing entry.
var Procedures = map[string]Permission{
	"/grpc.health.v1.Health/Check":                                    PermPublic,
	"/grpc.health.v1.Health/Watch":                                    PermPublic,
	"/grpc.health.v1.Health/List":                                     PermPublic,
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":       PermPublic,
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo":  PermPublic,
	tenancyv1connect.TenantServiceCreateTenantProcedure:               PermTenantCreate,
	tenancyv1connect.TenantServiceGetTenantProcedure:                  PermTenantRead,
	tenancyv1connect.TenantServiceListTenantsProcedure:                PermTenantRead,
	ledgerv1connect.LedgerServicePostVouchersProcedure:                PermLedgerPost,
	ledgerv1connect.LedgerServiceApproveVoucherProcedure:              PermLedgerApprove,
	ledgerv1connect.LedgerServiceRejectVoucherProcedure:               PermLedgerApprove,
	ledgerv1connect.LedgerServiceReverseVoucherProcedure:              PermLedgerApprove,
	ledgerv1connect.LedgerServiceGetVoucherProcedure:                  PermLedgerRead,
	ledgerv1connect.LedgerServiceListVouchersProcedure:                PermLedgerRead,
	ledgerv1connect.LedgerServiceGetTrialBalanceProcedure:             PermLedgerRead,
	ledgerv1connect.LedgerServiceGetAccountStatementProcedure:         PermLedgerRead,
	ledgerv1connect.LedgerServiceGetDayBookProcedure:                  PermLedgerRead,
	ledgerv1connect.LedgerServiceListPeriodsProcedure:                 PermLedgerRead,
	ledgerv1connect.LedgerServiceListAccountsProcedure:                PermLedgerRead,
	ledgerv1connect.LedgerServiceOpenFiscalYearProcedure:              PermYearOpen,
	ledgerv1connect.LedgerServiceClosePeriodProcedure:                 PermPeriodManage,
	ledgerv1connect.LedgerServiceReopenPeriodProcedure:                PermPeriodManage,
	ledgerv1connect.LedgerServiceCreateAccountProcedure:               PermMasterManage,
	accessv1connect.ApiKeyServiceCreateApiKeyProcedure:                PermAPIKeyManage,
	accessv1connect.ApiKeyServiceListApiKeysProcedure:                 PermAPIKeyManage,
	accessv1connect.ApiKeyServiceRevokeApiKeyProcedure:                PermAPIKeyManage,
	billingv1connect.BillingServiceSaveTaxHeadProcedure:               PermBillingMaster,
	billingv1connect.BillingServiceListTaxHeadsProcedure:              PermBillingRead,
	billingv1connect.BillingServicePostDemandsProcedure:               PermDemandPost,
	billingv1connect.BillingServiceGetDuesProcedure:                   PermBillingRead,
	billingv1connect.BillingServiceFetchBillProcedure:                 PermBillingRead,
	billingv1connect.BillingServiceGetDcbRegisterProcedure:            PermBillingRead,
	billingv1connect.BillingServiceCheckDcbAgainstLedgerProcedure:     PermBillingRead,
	billingv1connect.BillingServiceRunDemandGenerationProcedure:       PermDemandRun,
	billingv1connect.BillingServiceGetJobProcedure:                    PermBillingRead,
	billingv1connect.AmendmentServiceProposeAmendmentProcedure:        PermAmendPropose,
	billingv1connect.AmendmentServiceApproveAmendmentProcedure:        PermAmendApprove,
	billingv1connect.AmendmentServiceRejectAmendmentProcedure:         PermAmendApprove,
	billingv1connect.AmendmentServiceListAmendmentsProcedure:          PermBillingRead,
	billingv1connect.RegisterServiceSavePropertiesProcedure:           PermBillingMaster,
	billingv1connect.RegisterServiceGetPropertyProcedure:              PermBillingRead,
	billingv1connect.RegisterServiceSaveWaterConnectionsProcedure:     PermBillingMaster,
	billingv1connect.RegisterServiceRecordMeterReadingsProcedure:      PermBillingMaster,
	billingv1connect.RegisterServiceSaveTradeLicencesProcedure:        PermBillingMaster,
	billingv1connect.RegisterServiceSaveRateMasterProcedure:           PermBillingMaster,
	billingv1connect.RegisterServiceGetRateMasterProcedure:            PermBillingRead,
	billingv1connect.RegisterServiceCalculateDemandProcedure:          PermBillingRead,
	auditv1connect.AuditServiceListEventsProcedure:                    PermAuditRead,
	receiptsv1connect.ReceiptServiceCollectPaymentProcedure:           PermReceiptCollect,
	receiptsv1connect.ReceiptServiceGetReceiptProcedure:               PermReceiptRead,
	receiptsv1connect.ReceiptServiceListReceiptsProcedure:             PermReceiptRead,
	receiptsv1connect.ReceiptServiceCancelReceiptProcedure:            PermReceiptCancel,
	receiptsv1connect.ReceiptServiceRecordChequeDepositProcedure:      PermReceiptCheque,
	receiptsv1connect.ReceiptServiceRecordChequeRealisationProcedure:  PermReceiptCheque,
	receiptsv1connect.ReceiptServiceRecordChequeDishonourProcedure:    PermReceiptCheque,
	receiptsv1connect.ReceiptServiceRemitCashProcedure:                PermReceiptRemit,
	receiptsv1connect.ReceiptServiceGetCollectionSummaryProcedure:     PermReceiptRead,
	receiptsv1connect.ReceiptServiceSaveCollectionSettingsProcedure:   PermBillingMaster,
	receiptsv1connect.ReceiptServiceGetReceiptPdfProcedure:            PermReceiptRead,
	receiptsv1connect.ReceiptServiceVerifyReceiptProcedure:            PermPublic,
	budgetv1connect.BudgetServiceCreateBudgetLineProcedure:            PermBudgetPrepare,
	budgetv1connect.BudgetServiceListBudgetLinesProcedure:             PermBudgetRead,
	budgetv1connect.BudgetServiceDraftEstimateProcedure:               PermBudgetPrepare,
	budgetv1connect.BudgetServiceSetEstimateAmountsProcedure:          PermBudgetPrepare,
	budgetv1connect.BudgetServiceSubmitEstimateProcedure:              PermBudgetPrepare,
	budgetv1connect.BudgetServiceApproveEstimateProcedure:             PermBudgetApprove,
	budgetv1connect.BudgetServiceRejectEstimateProcedure:              PermBudgetApprove,
	budgetv1connect.BudgetServiceListEstimatesProcedure:               PermBudgetRead,
	budgetv1connect.BudgetServiceReappropriateProcedure:               PermBudgetApprove,
	budgetv1connect.BudgetServiceListReappropriationsProcedure:        PermBudgetRead,
	budgetv1connect.BudgetServiceCreateCommitmentProcedure:            PermBudgetCommit,
	budgetv1connect.BudgetServiceCancelCommitmentProcedure:            PermBudgetCommit,
	budgetv1connect.BudgetServiceListCommitmentsProcedure:             PermBudgetRead,
	budgetv1connect.BudgetServiceGetBudgetVsActualProcedure:           PermBudgetRead,
	budgetv1connect.BudgetServiceGetQuarterlyVarianceProcedure:        PermBudgetRead,
	expenditurev1connect.ExpenditureServiceSavePartyProcedure:         PermExpenditureBill,
	expenditurev1connect.ExpenditureServiceSubmitBillProcedure:        PermExpenditureBill,
	expenditurev1connect.ExpenditureServiceApproveBillProcedure:       PermExpenditureApprove,
	expenditurev1connect.ExpenditureServiceRejectBillProcedure:        PermExpenditureApprove,
	expenditurev1connect.ExpenditureServiceCancelBillProcedure:        PermExpenditureApprove,
	expenditurev1connect.ExpenditureServiceGetBillProcedure:           PermExpenditureRead,
	expenditurev1connect.ExpenditureServiceListBillsProcedure:         PermExpenditureRead,
	expenditurev1connect.ExpenditureServicePayBillProcedure:           PermExpenditurePay,
	expenditurev1connect.ExpenditureServiceGetPartyBalancesProcedure:  PermExpenditureRead,
	expenditurev1connect.ExpenditureServiceGetCreditorAgeingProcedure: PermExpenditureRead,
	assetsv1connect.AssetServiceSaveAssetClassProcedure:               PermMasterManage,
	assetsv1connect.AssetServiceSeedDefaultAssetClassesProcedure:      PermMasterManage,
	assetsv1connect.AssetServiceListAssetClassesProcedure:             PermAssetRead,
	assetsv1connect.AssetServiceSetStateDepreciationDefaultProcedure:  PermMasterManage,
	assetsv1connect.AssetServiceGetStateDepreciationDefaultsProcedure: PermAssetRead,
	assetsv1connect.AssetServiceAddAssetProcedure:                     PermAssetManage,
	assetsv1connect.AssetServiceCaptureCostProcedure:                  PermAssetManage,
	assetsv1connect.AssetServiceCapitaliseProcedure:                   PermAssetManage,
	assetsv1connect.AssetServiceRunDepreciationProcedure:              PermAssetManage,
	assetsv1connect.AssetServiceGetDepreciationJobProcedure:           PermAssetRead,
	assetsv1connect.AssetServiceDisposeAssetProcedure:                 PermAssetApprove,
	assetsv1connect.AssetServiceRevalueAssetProcedure:                 PermAssetApprove,
	assetsv1connect.AssetServiceTransferAssetProcedure:                PermAssetManage,
	assetsv1connect.AssetServiceImportOpeningRegisterProcedure:        PermAssetManage,
	assetsv1connect.AssetServiceApproveOpeningImportProcedure:         PermAssetApprove,
	assetsv1connect.AssetServiceGetAssetProcedure:                     PermAssetRead,
	assetsv1connect.AssetServiceListAssetsProcedure:                   PermAssetRead,
	assetsv1connect.AssetServiceCheckRegisterAgainstLedgerProcedure:   PermAssetRead,
	paymentsv1connect.PaymentServiceCreatePaymentOrderProcedure:       PermPublic,
	paymentsv1connect.PaymentServiceConfirmCheckoutProcedure:          PermPublic,
	paymentsv1connect.PaymentServiceGetPaymentTransactionProcedure:    PermPaymentRead,
	paymentsv1connect.PaymentServiceListPaymentTransactionsProcedure:  PermPaymentRead,
	paymentsv1connect.PaymentServiceRunReconciliationProcedure:        PermPaymentReconcile,
	paymentsv1connect.PaymentServiceListExceptionsProcedure:           PermPaymentRead,
	paymentsv1connect.PaymentServiceResolveExceptionProcedure:         PermPaymentReconcile,
	reportsv1connect.ReportServiceGetBalanceSheetProcedure:            PermReportsRead,
	reportsv1connect.ReportServiceGetIncomeExpenditureProcedure:       PermReportsRead,
	reportsv1connect.ReportServiceGetReceiptsPaymentsProcedure:        PermReportsRead,
	reportsv1connect.ReportServiceGetCashFlowProcedure:                PermReportsRead,
	reportsv1connect.ReportServiceGetRegisterProcedure:                PermReportsRead,
	reportsv1connect.ReportServiceGetAuditControlsProcedure:           PermReportsRead,
	reportsv1connect.ReportServiceExportReportProcedure:               PermReportsRead,
	reportsv1connect.ReportServiceGetStateConsolidationProcedure:      PermReportsRead,
	reportsv1connect.ReportServiceCloseYearProcedure:                  PermYearClose,
	reportsv1connect.ReportServiceReopenYearProcedure:                 PermYearClose,
	reportsv1connect.ReportServiceSetProvisionRatesProcedure:          PermYearClose,
	reportsv1connect.ReportServiceRunProvisionsProcedure:              PermYearClose,
	reportsv1connect.ReportServiceImportOpeningBalancesProcedure:      PermOpeningImport,
	reportsv1connect.ReportServiceApproveOpeningBalancesProcedure:     PermOpeningApprove,
	reportsv1connect.ReportServiceRejectOpeningBalancesProcedure:      PermOpeningApprove,
	paymentsv1connect.PaymentServiceImportBankStatementProcedure:      PermPaymentReconcile,
	paymentsv1connect.PaymentServiceGetBankReconciliationProcedure:    PermPaymentRead,
	paymentsv1connect.PaymentServiceInitiateRefundProcedure:           PermRefundPropose,
	paymentsv1connect.PaymentServiceApproveRefundProcedure:            PermRefundApprove,
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
