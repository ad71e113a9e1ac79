package ultrabiz

import (
	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// Conversions between the generated ASP.NET-shaped models and the store's. A field the client left
// out takes its C# default (0, false, null), as ASP.NET's model binder gives it.

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func dec(p *number.Decimal) store.Decimal {
	if p == nil {
		return store.Decimal{}
	}
	return store.NewDecimal(p.Decimal)
}

func ptr[T any](v T) *T { return &v }

// num is a stored decimal as the SDK's number type, which marshals as a JSON number.
func num(d store.Decimal) number.Decimal { return number.New(d.Decimal) }

func decPtr(d store.Decimal) *number.Decimal { return ptr(num(d)) }

// lineFromGen is a PurchasesBody as a store line; PurchaseId and IsDeleted are the server's to set.
func lineFromGen(b gen.PurchasesBody) ultrabizstore.PurchaseLine {
	return ultrabizstore.PurchaseLine{
		ProductID: val(b.ProductId), PackingID: val(b.PackingId), Multiplier: dec(b.Multiplier),
		QtyPack: val(b.QtyPack), QtyLose: val(b.QtyLose), BnsLose: val(b.BnsLose),
		PricePack: dec(b.PricePack), DiscRatio: dec(b.DiscRatio), DiscValPack: dec(b.DiscValPack), DiscValLose: dec(b.DiscValLose),
		OfferDiscount: dec(b.OfferDiscount), STaxRatio: dec(b.STaxRatio), STaxValPack: dec(b.STaxValPack),
		IsValueB4Ratio: val(b.IsValueB4Ratio), IsSTaxOnBns: val(b.IsSTaxOnBns), IsFTaxExempted: val(b.IsFTaxExempted),
		TTLValue: dec(b.TTLValue), TTLSTax: dec(b.TTLSTax), TTLFTax: dec(b.TTLFTax), TTITax: dec(b.TTITax),
		ExtraSTaxBns: dec(b.ExtraSTaxBns), ExtraFTaxBns: dec(b.ExtraFTaxBns), PerUnitCostLose: dec(b.PerUnitCostLose),
		IsFreeProduct: val(b.IsFreeProduct), CustomerID: b.CustomerId, OfferID: val(b.OfferID), IsOffered: val(b.IsOffered),
		Damage: val(b.Damage), BarCode: b.BarCode, ITaxPer: dec(b.ITaxPer), ThanQty: val(b.ThanQty), Meters: dec(b.Meters),
		SizeID: val(b.SizeID), IsOpenProduct: val(b.IsOpenProduct), ColorID: dec(b.ColorID), NetVal: dec(b.NetVal),
	}
}

func linesFromGen(bs []gen.PurchasesBody) []ultrabizstore.PurchaseLine {
	out := make([]ultrabizstore.PurchaseLine, len(bs))
	for i, b := range bs {
		out[i] = lineFromGen(b)
	}
	return out
}

// lineToGen is a stored line as a PurchasesBody. PurchaseId is a C# int: the store never hands out an
// invoice id beyond int32 (nextIDs), so the conversion cannot truncate.
func lineToGen(l ultrabizstore.PurchaseLine) gen.PurchasesBody {
	return gen.PurchasesBody{
		PurchaseId: ptr(int32(l.InvoiceID)), ProductId: ptr(l.ProductID), PackingId: ptr(l.PackingID), Multiplier: decPtr(l.Multiplier),
		QtyPack: ptr(l.QtyPack), QtyLose: ptr(l.QtyLose), BnsLose: ptr(l.BnsLose),
		PricePack: decPtr(l.PricePack), DiscRatio: decPtr(l.DiscRatio), DiscValPack: decPtr(l.DiscValPack), DiscValLose: decPtr(l.DiscValLose),
		OfferDiscount: decPtr(l.OfferDiscount), STaxRatio: decPtr(l.STaxRatio), STaxValPack: decPtr(l.STaxValPack),
		IsValueB4Ratio: ptr(l.IsValueB4Ratio), IsSTaxOnBns: ptr(l.IsSTaxOnBns), IsFTaxExempted: ptr(l.IsFTaxExempted),
		TTLValue: decPtr(l.TTLValue), TTLSTax: decPtr(l.TTLSTax), TTLFTax: decPtr(l.TTLFTax), TTITax: decPtr(l.TTITax),
		ExtraSTaxBns: decPtr(l.ExtraSTaxBns), ExtraFTaxBns: decPtr(l.ExtraFTaxBns), PerUnitCostLose: decPtr(l.PerUnitCostLose),
		IsFreeProduct: ptr(l.IsFreeProduct), IsDeleted: ptr(l.IsDeleted()), CustomerId: l.CustomerID, OfferID: ptr(l.OfferID),
		IsOffered: ptr(l.IsOffered), Damage: ptr(l.Damage), BarCode: l.BarCode, ITaxPer: decPtr(l.ITaxPer), ThanQty: ptr(l.ThanQty),
		Meters: decPtr(l.Meters), SizeID: ptr(l.SizeID), IsOpenProduct: ptr(l.IsOpenProduct), ColorID: decPtr(l.ColorID), NetVal: decPtr(l.NetVal),
	}
}

// purchaseFromGen is an entered invoice as the store's; the query arguments name its book and author.
func purchaseFromGen(p gen.Purchase, params gen.InsertPurchaseInvoiceParams) ultrabizstore.NewPurchase {
	return ultrabizstore.NewPurchase{
		Invoice: ultrabizstore.PurchaseInvoice{
			IsPGP: val(params.IsPGP), IsOpen: val(params.IsOpen), IsRateChange: val(params.IsRateChange),
			VendorID: p.VendorID, BillNo: p.BillNo, BillDate: p.BillDate.UTC(), Remarks: p.Remarks,
			GrossAmount: dec(p.GrossAmount), DiscAmount: dec(p.DiscAmount), STaxAmount: dec(p.STaxAmount),
			FTaxAmount: dec(p.FTaxAmount), ITaxAmount: dec(p.ITaxAmount), NetAmount: store.NewDecimal(p.NetAmount.Decimal),
			PaidAmount: dec(p.PaidAmount), IsPosted: val(p.IsPosted), IsFinalized: val(p.IsFinalized),
			CreatedBy: int64(params.UserId),
		},
		Lines: linesFromGen(p.ListBody),
	}
}

func invoiceToGen(inv ultrabizstore.PurchaseInvoice) gen.PurchaseInvoice {
	lines := make([]gen.PurchasesBody, len(inv.Lines))
	for i, l := range inv.Lines {
		lines[i] = lineToGen(l)
	}
	return gen.PurchaseInvoice{
		InvoiceId: inv.ID, IsPGP: inv.IsPGP, VendorID: inv.VendorID, BillNo: inv.BillNo, BillDate: inv.BillDate.UTC(),
		Remarks: inv.Remarks, GrossAmount: num(inv.GrossAmount), DiscAmount: num(inv.DiscAmount),
		STaxAmount: num(inv.STaxAmount), FTaxAmount: num(inv.FTaxAmount), ITaxAmount: num(inv.ITaxAmount),
		NetAmount: num(inv.NetAmount), PaidAmount: num(inv.PaidAmount), IsPosted: inv.IsPosted, IsFinalized: inv.IsFinalized,
		CreatedBy: int32(inv.CreatedBy), CreatedOn: inv.CreatedAt.UTC(), ListBody: lines,
	}
}

func stockToGen(p ultrabizstore.Product, rows []ultrabizstore.Stock) gen.ProductStock {
	out := gen.ProductStock{ProductId: p.ID, ProductName: p.Name, Stock: make([]gen.StockLine, len(rows))}
	for i, r := range rows {
		line := gen.StockLine{Units: num(r.Units)}
		// 0 is the store's "none" for size and colour; the API says null.
		if r.SizeID != 0 {
			line.SizeID = ptr(r.SizeID)
		}
		if !r.ColorID.IsZero() {
			line.ColorID = decPtr(r.ColorID)
		}
		out.Stock[i] = line
		out.TotalUnits = number.New(out.TotalUnits.Add(r.Units.Decimal))
	}
	return out
}
