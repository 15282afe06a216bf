package assets

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/munimhq/munim/auth"
	assetsv1 "github.com/munimhq/munim/gen/pb/munim/assets/v1"
	"github.com/munimhq/munim/gen/pb/munim/assets/v1/assetsv1connect"
	"github.com/munimhq/munim/ledger"
)

// Handler serves munim.assets.v1.AssetService.
type Handler struct {
	svc *Service
	log *slog.Logger
}

// NewHandler returns the Connect path and handler of the asset service.
func NewHandler(svc *Service, log *slog.Logger, opts ...connect.HandlerOption) (string, http.Handler) {
	return assetsv1connect.NewAssetServiceHandler(&Handler{svc: svc, log: log}, opts...)
}

var _ assetsv1connect.AssetServiceHandler = (*Handler)(nil)

// fail maps an error to its Connect code, once for the package (its errors
// are the ledger's kinds; ErrAssetState is a precondition).
func (h *Handler) fail(ctx context.Context, procedure string, err error) error {
	return ledger.ToConnect(ctx, h.log, procedure, err)
}

func dateOut(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func classOut(c Class) *assetsv1.AssetClass {
	return &assetsv1.AssetClass{Code: c.Code, Name: c.Name, GrossBlockAccount: c.GrossBlockAccount, AccumulatedAccount: c.AccumulatedAccount,
		DepreciationAccount: c.DepreciationAccount, CwipAccount: c.CWIPAccount, RevaluationAccount: c.RevaluationAccount,
		UsefulLifeYears: int32(c.UsefulLifeYears), RatePercent: rateOut(c.RatePercent), ResidualPercent: c.ResidualPercent.String(),
		Depreciable: c.Depreciable, Terms: termsOut(c.Terms)}
}

func rateOut(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func termsOut(t Terms) *assetsv1.DepreciationTerms {
	if !t.Set() {
		return nil
	}
	return &assetsv1.DepreciationTerms{UsefulLifeYears: int32(t.UsefulLifeYears), RatePercent: rateOut(t.RatePercent), From: t.From}
}

// percentIn reads an optional percentage field ("" is 0).
func percentIn(field, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, invalid(field, "must be a number such as 5 or 6.33")
	}
	return d, nil
}

func assetOut(a Asset) *assetsv1.Asset {
	return &assetsv1.Asset{Id: a.ID, Code: a.Code, Name: a.Name, ClassCode: a.ClassCode, Location: a.Location, Ward: a.Ward,
		FunctionCode: a.FunctionCode, FundCode: a.FundCode, FundingSource: a.FundingSource, Scheme: a.Scheme, AcquisitionMode: a.AcquisitionMode,
		AcquiredOn: a.AcquiredOn.Format(time.DateOnly), PutToUseOn: dateOut(a.PutToUseOn), Quantity: a.Quantity, Status: a.Status,
		Cost: a.Cost.StringFixed(2), Revaluation: a.Revaluation.StringFixed(2), ResidualValue: a.ResidualValue.StringFixed(2),
		AccumulatedDepreciation: a.Accumulated.StringFixed(2), NetBlock: a.NetBlock().StringFixed(2), DepreciatedTo: dateOut(a.DepreciatedTo),
		DisposedOn: dateOut(a.DisposedOn)}
}

func importOut(i Import) *assetsv1.OpeningImport {
	return &assetsv1.OpeningImport{Id: i.ID, AsOf: i.AsOf.Format(time.DateOnly), Status: i.Status, Assets: int32(i.Assets),
		Gross: i.Gross.StringFixed(2), AccumulatedDepreciation: i.Accumulated.StringFixed(2), ImportedBy: i.ImportedBy,
		ApprovedBy: i.ApprovedBy, VoucherId: i.VoucherID}
}

// SaveAssetClass implements AssetService.SaveAssetClass.
func (h *Handler) SaveAssetClass(ctx context.Context, req *connect.Request[assetsv1.SaveAssetClassRequest]) (*connect.Response[assetsv1.SaveAssetClassResponse], error) {
	m := req.Msg.GetClass()
	pct, err := percentIn("class.residual_percent", m.GetResidualPercent())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	rate, err := percentIn("class.rate_percent", m.GetRatePercent())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	c, err := h.svc.SaveClass(ctx, req.Msg.GetTenantId(), Class{Code: m.GetCode(), Name: m.GetName(), GrossBlockAccount: m.GetGrossBlockAccount(),
		AccumulatedAccount: m.GetAccumulatedAccount(), DepreciationAccount: m.GetDepreciationAccount(), CWIPAccount: m.GetCwipAccount(),
		RevaluationAccount: m.GetRevaluationAccount(), UsefulLifeYears: int(m.GetUsefulLifeYears()), RatePercent: rate, ResidualPercent: pct,
		Depreciable: m.GetDepreciable()})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.SaveAssetClassResponse{Class: classOut(c)}), nil
}

func stateDefaultOut(d StateDefault) *assetsv1.StateDepreciationDefault {
	return &assetsv1.StateDepreciationDefault{State: d.State, ClassCode: d.ClassCode, Terms: termsOut(d.Terms), UpdatedBy: d.UpdatedBy}
}

// SetStateDepreciationDefault implements AssetService.SetStateDepreciationDefault.
// The permission table lets an administrator in; a state's defaults reach
// every ULB of the state, so the caller must also act on the whole state.
func (h *Handler) SetStateDepreciationDefault(ctx context.Context, req *connect.Request[assetsv1.SetStateDepreciationDefaultRequest]) (*connect.Response[assetsv1.SetStateDepreciationDefaultResponse], error) {
	m := req.Msg
	if p := auth.FromContext(ctx); !p.CanActOn(m.GetState() + ".*") {
		return nil, connect.NewError(connect.CodePermissionDenied,
			fmt.Errorf("%s may not set the defaults of state %q: that takes a state-wide scope (%s.*)", p.Actor(), m.GetState(), m.GetState()))
	}
	rate, err := percentIn("rate_percent", m.GetRatePercent())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	d, err := h.svc.SetStateDefault(ctx, m.GetState(), m.GetClassCode(), auth.Actor(ctx),
		Terms{UsefulLifeYears: int(m.GetUsefulLifeYears()), RatePercent: rate})
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.SetStateDepreciationDefaultResponse{Default: stateDefaultOut(d)}), nil
}

// GetStateDepreciationDefaults implements AssetService.GetStateDepreciationDefaults.
func (h *Handler) GetStateDepreciationDefaults(ctx context.Context, req *connect.Request[assetsv1.GetStateDepreciationDefaultsRequest]) (*connect.Response[assetsv1.GetStateDepreciationDefaultsResponse], error) {
	ds, err := h.svc.StateDefaults(ctx, req.Msg.GetState())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &assetsv1.GetStateDepreciationDefaultsResponse{}
	for _, d := range ds {
		out.Defaults = append(out.Defaults, stateDefaultOut(d))
	}
	return connect.NewResponse(out), nil
}

// SeedDefaultAssetClasses implements AssetService.SeedDefaultAssetClasses.
func (h *Handler) SeedDefaultAssetClasses(ctx context.Context, req *connect.Request[assetsv1.SeedDefaultAssetClassesRequest]) (*connect.Response[assetsv1.SeedDefaultAssetClassesResponse], error) {
	if err := h.svc.SeedDefaultClasses(ctx, req.Msg.GetTenantId()); err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	cs, err := h.svc.Classes(ctx, req.Msg.GetTenantId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &assetsv1.SeedDefaultAssetClassesResponse{}
	for _, c := range cs {
		out.Classes = append(out.Classes, classOut(c))
	}
	return connect.NewResponse(out), nil
}

// ListAssetClasses implements AssetService.ListAssetClasses.
func (h *Handler) ListAssetClasses(ctx context.Context, req *connect.Request[assetsv1.ListAssetClassesRequest]) (*connect.Response[assetsv1.ListAssetClassesResponse], error) {
	cs, err := h.svc.Classes(ctx, req.Msg.GetTenantId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &assetsv1.ListAssetClassesResponse{}
	for _, c := range cs {
		out.Classes = append(out.Classes, classOut(c))
	}
	return connect.NewResponse(out), nil
}

// AddAsset implements AssetService.AddAsset.
func (h *Handler) AddAsset(ctx context.Context, req *connect.Request[assetsv1.AddAssetRequest]) (*connect.Response[assetsv1.AddAssetResponse], error) {
	m := req.Msg
	acquired, err := ledger.ParseDate("acquired_on", m.GetAcquiredOn())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	in := AssetInput{Code: m.GetCode(), Name: m.GetName(), ClassCode: m.GetClassCode(), Location: m.GetLocation(), Ward: m.GetWard(),
		FunctionCode: m.GetFunctionCode(), FundCode: m.GetFundCode(), FundingSource: m.GetFundingSource(), Scheme: m.GetScheme(),
		AcquisitionMode: m.GetAcquisitionMode(), AcquiredOn: acquired, Quantity: m.GetQuantity()}
	if m.GetPutToUseOn() != "" {
		d, err := ledger.ParseDate("put_to_use_on", m.GetPutToUseOn())
		if err != nil {
			return nil, h.fail(ctx, req.Spec().Procedure, err)
		}
		in.PutToUseOn = &d
	}
	a, err := h.svc.AddAsset(ctx, m.GetTenantId(), auth.Actor(ctx), in)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.AddAssetResponse{Asset: assetOut(a)}), nil
}

// CaptureCost implements AssetService.CaptureCost.
func (h *Handler) CaptureCost(ctx context.Context, req *connect.Request[assetsv1.CaptureCostRequest]) (*connect.Response[assetsv1.CaptureCostResponse], error) {
	var lines []int
	for _, n := range req.Msg.GetLineNos() {
		lines = append(lines, int(n))
	}
	a, err := h.svc.CaptureCost(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetAssetId(), req.Msg.GetVoucherId(), lines)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.CaptureCostResponse{Asset: assetOut(a)}), nil
}

// Capitalise implements AssetService.Capitalise.
func (h *Handler) Capitalise(ctx context.Context, req *connect.Request[assetsv1.CapitaliseRequest]) (*connect.Response[assetsv1.CapitaliseResponse], error) {
	d, err := ledger.ParseDate("put_to_use_on", req.Msg.GetPutToUseOn())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	a, err := h.svc.Capitalise(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetAssetId(), d)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.CapitaliseResponse{Asset: assetOut(a)}), nil
}

// RunDepreciation implements AssetService.RunDepreciation.
func (h *Handler) RunDepreciation(ctx context.Context, req *connect.Request[assetsv1.RunDepreciationRequest]) (*connect.Response[assetsv1.RunDepreciationResponse], error) {
	d, err := ledger.ParseDate("through_date", req.Msg.GetThroughDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	j, err := h.svc.StartDepreciation(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), d)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.RunDepreciationResponse{Job: jobOut(j)}), nil
}

// GetDepreciationJob implements AssetService.GetDepreciationJob.
func (h *Handler) GetDepreciationJob(ctx context.Context, req *connect.Request[assetsv1.GetDepreciationJobRequest]) (*connect.Response[assetsv1.GetDepreciationJobResponse], error) {
	j, err := h.svc.DepreciationJob(ctx, req.Msg.GetTenantId(), req.Msg.GetJobId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.GetDepreciationJobResponse{Job: jobOut(j)}), nil
}

func jobOut(j DepreciationJob) *assetsv1.DepreciationJob {
	ts := func(t *time.Time) *timestamppb.Timestamp {
		if t == nil {
			return nil
		}
		return timestamppb.New(*t)
	}
	return &assetsv1.DepreciationJob{JobId: j.ID, ThroughDate: j.ThroughDate.Format(time.DateOnly), Status: j.Status, Expected: int32(j.Expected),
		RunId: j.RunID, Replayed: j.Replayed, Total: j.Total.StringFixed(2), Assets: int32(j.Assets), VoucherId: j.VoucherID, Error: j.Error,
		RiverJobId: j.RiverJobID, RequestedBy: j.RequestedBy, CreatedAt: timestamppb.New(j.CreatedAt), StartedAt: ts(j.StartedAt),
		FinishedAt: ts(j.FinishedAt)}
}

// DisposeAsset implements AssetService.DisposeAsset.
func (h *Handler) DisposeAsset(ctx context.Context, req *connect.Request[assetsv1.DisposeAssetRequest]) (*connect.Response[assetsv1.DisposeAssetResponse], error) {
	d, err := ledger.ParseDate("date", req.Msg.GetDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	proceeds, err := ledger.ParseAmount("proceeds", req.Msg.GetProceeds())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out, err := h.svc.Dispose(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetAssetId(), d, proceeds)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.DisposeAssetResponse{Asset: assetOut(out.Asset), Depreciation: out.Depreciation.StringFixed(2),
		BookValue: out.BookValue.StringFixed(2), Gain: out.Gain.StringFixed(2), VoucherId: out.VoucherID}), nil
}

// RevalueAsset implements AssetService.RevalueAsset.
func (h *Handler) RevalueAsset(ctx context.Context, req *connect.Request[assetsv1.RevalueAssetRequest]) (*connect.Response[assetsv1.RevalueAssetResponse], error) {
	d, err := ledger.ParseDate("date", req.Msg.GetDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	inc, err := ledger.ParseAmount("increase", req.Msg.GetIncrease())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	a, err := h.svc.Revalue(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetAssetId(), d, inc, req.Msg.GetReference())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.RevalueAssetResponse{Asset: assetOut(a)}), nil
}

// TransferAsset implements AssetService.TransferAsset.
func (h *Handler) TransferAsset(ctx context.Context, req *connect.Request[assetsv1.TransferAssetRequest]) (*connect.Response[assetsv1.TransferAssetResponse], error) {
	m := req.Msg
	d, err := ledger.ParseDate("date", m.GetDate())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	a, err := h.svc.Transfer(ctx, m.GetTenantId(), auth.Actor(ctx), m.GetAssetId(), d, m.GetLocation(), m.GetWard(), m.GetFunctionCode())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.TransferAssetResponse{Asset: assetOut(a)}), nil
}

// ImportOpeningRegister implements AssetService.ImportOpeningRegister.
func (h *Handler) ImportOpeningRegister(ctx context.Context, req *connect.Request[assetsv1.ImportOpeningRegisterRequest]) (*connect.Response[assetsv1.ImportOpeningRegisterResponse], error) {
	d, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	i, err := h.svc.ImportOpening(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), d, strings.NewReader(req.Msg.GetCsv()))
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.ImportOpeningRegisterResponse{Import: importOut(i)}), nil
}

// ApproveOpeningImport implements AssetService.ApproveOpeningImport.
func (h *Handler) ApproveOpeningImport(ctx context.Context, req *connect.Request[assetsv1.ApproveOpeningImportRequest]) (*connect.Response[assetsv1.ApproveOpeningImportResponse], error) {
	i, err := h.svc.ApproveImport(ctx, req.Msg.GetTenantId(), auth.Actor(ctx), req.Msg.GetImportId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&assetsv1.ApproveOpeningImportResponse{Import: importOut(i)}), nil
}

// GetAsset implements AssetService.GetAsset.
func (h *Handler) GetAsset(ctx context.Context, req *connect.Request[assetsv1.GetAssetRequest]) (*connect.Response[assetsv1.GetAssetResponse], error) {
	a, err := h.svc.Asset(ctx, req.Msg.GetTenantId(), req.Msg.GetAssetId())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	evs, err := h.svc.Events(ctx, req.Msg.GetTenantId(), a.ID)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &assetsv1.GetAssetResponse{Asset: assetOut(a)}
	for _, e := range evs {
		out.Events = append(out.Events, &assetsv1.AssetEvent{Kind: e.Kind, Date: e.Date.Format(time.DateOnly), Amount: e.Amount.StringFixed(2),
			VoucherId: e.VoucherID, Detail: e.Detail, Actor: e.Actor})
	}
	return connect.NewResponse(out), nil
}

// ListAssets implements AssetService.ListAssets.
func (h *Handler) ListAssets(ctx context.Context, req *connect.Request[assetsv1.ListAssetsRequest]) (*connect.Response[assetsv1.ListAssetsResponse], error) {
	as, err := h.svc.Assets(ctx, req.Msg.GetTenantId(), req.Msg.GetClassCode(), req.Msg.GetStatus())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &assetsv1.ListAssetsResponse{}
	for _, a := range as {
		out.Assets = append(out.Assets, assetOut(a))
	}
	return connect.NewResponse(out), nil
}

// CheckRegisterAgainstLedger implements AssetService.CheckRegisterAgainstLedger.
func (h *Handler) CheckRegisterAgainstLedger(ctx context.Context, req *connect.Request[assetsv1.CheckRegisterAgainstLedgerRequest]) (*connect.Response[assetsv1.CheckRegisterAgainstLedgerResponse], error) {
	d, err := ledger.ParseDate("as_of", req.Msg.GetAsOf())
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	tie, err := h.svc.Tie(ctx, req.Msg.GetTenantId(), d)
	if err != nil {
		return nil, h.fail(ctx, req.Spec().Procedure, err)
	}
	out := &assetsv1.CheckRegisterAgainstLedgerResponse{Ties: ledger.Tied(tie)}
	for _, r := range tie {
		out.Rows = append(out.Rows, &assetsv1.TieRow{AccountCode: r.Account, Kind: r.Kind, Register: r.SubLedger.StringFixed(2),
			Ledger: r.Ledger.StringFixed(2), Difference: r.Difference.StringFixed(2)})
	}
	return connect.NewResponse(out), nil
}
