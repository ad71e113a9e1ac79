package ultrabiz

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store"

	"github.com/shopspring/decimal"
)

// ubRuleLine is a stored line: Units is what its insert added.
func ubRuleLine(product string, mult string, pack, lose, bns int32, size int32, color string) PurchaseLine {
	l := PurchaseLine{ProductID: product, PackingID: 3, Multiplier: store.MustDecimal(mult), QtyPack: pack, QtyLose: lose,
		BnsLose: bns, SizeID: size, ColorID: store.MustDecimal(color)}
	l.Units = store.NewDecimal(l.StockUnits())
	return l
}

func TestStockUnits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		line PurchaseLine
		want string
	}{
		{ubRuleLine("P", "4", 5, 6, 7, 35, "37"), "33"}, // the help page's sample line
		{ubRuleLine("P", "0.1", 3, 0, 0, 0, "0"), "0.3"},
		{ubRuleLine("P", "12", 0, 0, 0, 0, "0"), "0"},
		{PurchaseLine{Multiplier: store.MustDecimal("2.5"), QtyPack: 2, Damage: 9}, "5"}, // damage stays out
	} {
		if got := c.line.StockUnits().String(); got != c.want {
			t.Errorf("%+v: %s units, want %s", c.line, got, c.want)
		}
	}
}

func TestMatchLines(t *testing.T) {
	t.Parallel()
	a := ubRuleLine("P-1", "4", 5, 6, 7, 35, "37")
	b := ubRuleLine("P-2", "12", 1, 0, 0, 0, "0")
	aSpelled := a
	aSpelled.Multiplier, aSpelled.ColorID = store.MustDecimal("4.000"), store.MustDecimal("37.0")
	aPriced := a
	aPriced.PricePack = store.MustDecimal("1")
	mod := func(l PurchaseLine, f func(*PurchaseLine)) PurchaseLine { f(&l); return l }
	stored := []PurchaseLine{a, b}
	for _, c := range []struct {
		name string
		view []PurchaseLine
		ok   bool
	}{
		{"empty means as stored", nil, true},
		{"same order", []PurchaseLine{a, b}, true},
		{"other order", []PurchaseLine{b, a}, true},
		{"decimals spelled differently", []PurchaseLine{b, aSpelled}, true},
		{"prices are not compared", []PurchaseLine{aPriced, b}, true},
		{"line missing", []PurchaseLine{a}, false},
		{"extra line", []PurchaseLine{a, b, b}, false},
		{"duplicate instead of other", []PurchaseLine{a, a}, false},
		{"other QtyPack", []PurchaseLine{mod(a, func(l *PurchaseLine) { l.QtyPack++ }), b}, false},
		{"other BnsLose", []PurchaseLine{mod(a, func(l *PurchaseLine) { l.BnsLose = 0 }), b}, false},
		{"other colour", []PurchaseLine{mod(a, func(l *PurchaseLine) { l.ColorID = store.MustDecimal("36") }), b}, false},
		{"other packing", []PurchaseLine{mod(a, func(l *PurchaseLine) { l.PackingID = 4 }), b}, false},
	} {
		err := matchLines(7, stored, c.view)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, store.ErrConflict)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestDeletable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		inv  PurchaseInvoice
		want error
	}{
		{PurchaseInvoice{ID: 1}, nil},
		{PurchaseInvoice{ID: 1, IsPosted: true}, nil},
		{PurchaseInvoice{ID: 1, IsFinalized: true}, InvoiceLockedError{InvoiceID: 1, Reason: Finalized}},
		{PurchaseInvoice{ID: 1, PaidAmount: store.MustDecimal("0.01")}, InvoiceLockedError{InvoiceID: 1, Reason: Paid}},
	} {
		err := c.inv.deletable()
		if err != c.want || (err != nil && !errors.Is(err, store.ErrConflict)) {
			t.Errorf("%+v: %v, want %v", c.inv, err, c.want)
		}
	}
}

func TestShortfall(t *testing.T) {
	t.Parallel()
	lines := []PurchaseLine{ubRuleLine("P-1", "4", 5, 6, 7, 35, "37"), ubRuleLine("P-1", "4", 5, 6, 7, 35, "37.0"), ubRuleLine("P-2", "1", 1, 0, 0, 0, "0")}
	key1 := stockKey{"P-1", 35, "37"}
	key2 := stockKey{"P-2", 0, "0"}
	for _, c := range []struct {
		have map[stockKey]decimal.Decimal
		want string // the ShortfallError's data
	}{
		{map[stockKey]decimal.Decimal{key1: decimal.NewFromInt(66), key2: decimal.NewFromInt(1)}, ""},
		{map[stockKey]decimal.Decimal{key1: decimal.NewFromInt(54), key2: decimal.NewFromInt(1)}, "9 P-1 35 37 12"},
		{map[stockKey]decimal.Decimal{key1: decimal.NewFromInt(66)}, "9 P-2 0 0 1"},
	} {
		err := shortfall(9, lines, c.have)
		var short ShortfallError
		got := ""
		if errors.As(err, &short) {
			got = fmt.Sprintf("%d %s %d %s %s", short.InvoiceID, short.ProductID, short.SizeID, short.ColorID, short.Short)
		}
		if got != c.want || (err == nil) != (c.want == "") || (err != nil && !errors.Is(err, store.ErrConflict)) {
			t.Errorf("have %v: %v (%s), want %q", c.have, err, got, c.want)
		}
	}
}

// A stored line's Units is what its insert added (an older row may hold a rounded value): the delete
// takes back exactly that, not a recomputation from Multiplier.
func TestStoredUnitsAreTakenBack(t *testing.T) {
	t.Parallel()
	l := ubRuleLine("P-1", "0.12345", 3, 0, 0, 0, "0")
	l.Units = store.MustDecimal("0.3704") // PostgreSQL's numeric(20,4) of 0.37035
	key := stockKey{"P-1", 0, "0"}
	if err := shortfall(9, []PurchaseLine{l}, map[stockKey]decimal.Decimal{key: decimal.RequireFromString("0.3704")}); err != nil {
		t.Fatalf("shortfall: %v", err)
	}
	if got := linesAdd([]PurchaseLine{l, l}).String(); got != "0.7408" {
		t.Fatalf("lines add %s, want 0.7408", got)
	}
}

func TestCheckUser(t *testing.T) {
	t.Parallel()
	if err := CheckUser(12, 12); err != nil {
		t.Fatal(err)
	}
	if err := CheckUser(12, 13); err != (UserMismatchError{UserID: 13}) || !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("got %v, want forbidden", err)
	}
}

func TestResolveLine(t *testing.T) {
	t.Parallel()
	packings := packingIndex([]Packing{{ProductID: "P", ID: 3, Multiplier: store.MustDecimal("12")}})
	for _, c := range []struct {
		name string
		line PurchaseLine
		ok   bool
		want string
	}{
		{"missing takes the packing's", PurchaseLine{ProductID: "P", PackingID: 3}, true, "12"},
		{"sent one is kept", PurchaseLine{ProductID: "P", PackingID: 3, Multiplier: store.MustDecimal("5")}, true, "5"},
		{"loose units need no packing", PurchaseLine{ProductID: "P"}, true, "0"},
		{"unknown packing", PurchaseLine{ProductID: "P", PackingID: 4}, false, "0"},
		{"packing of another product", PurchaseLine{ProductID: "Q", PackingID: 3}, false, "0"},
		{"rounded to the column's 4 places", PurchaseLine{ProductID: "P", PackingID: 3, Multiplier: store.MustDecimal("0.12345")}, true, "0.1235"},
	} {
		l := c.line
		if ok := l.resolve(packings); ok != c.ok || l.Multiplier.String() != c.want {
			t.Errorf("%s: ok %v multiplier %s, want %v %s", c.name, ok, l.Multiplier, c.ok, c.want)
		}
	}
}

// Keys are in PostgreSQL's lock order: colours compare as numbers, so 2 comes before 10.
func TestStockKeyOrder(t *testing.T) {
	t.Parallel()
	lines := []PurchaseLine{ubRuleLine("P-1", "1", 1, 0, 0, 0, "10"), ubRuleLine("P-1", "1", 1, 0, 0, 0, "2"),
		ubRuleLine("P-1", "1", 1, 0, 0, 0, "2.5"), ubRuleLine("P-0", "1", 1, 0, 0, 9, "0"), ubRuleLine("P-1", "1", 1, 0, 0, 1, "0")}
	keys, _ := stockNeeds(lines)
	var got []string
	for _, k := range keys {
		got = append(got, fmt.Sprintf("%s/%d/%s", k.ProductID, k.SizeID, k.ColorID))
	}
	if want := "P-0/9/0 P-1/0/2 P-1/0/2.5 P-1/0/10 P-1/1/0"; strings.Join(got, " ") != want {
		t.Fatalf("keys %v, want %s", got, want)
	}
}

func TestIDRange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		last  int64
		n     int
		first int64
		ok    bool
	}{
		{1, 1, 1, true},
		{500, 500, 1, true},
		{math.MaxInt32, 2, math.MaxInt32 - 1, true},
		{math.MaxInt32 + 1, 1, 0, false},
		{math.MaxInt32 + 5, 10, 0, false}, // a range that straddles the limit
	} {
		first, err := idRange(c.last, c.n)
		if (err == nil) != c.ok || first != c.first {
			t.Errorf("last %d n %d: %d %v, want %d ok=%v", c.last, c.n, first, err, c.first, c.ok)
		}
	}
}
