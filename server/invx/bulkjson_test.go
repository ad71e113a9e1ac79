package invx

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/store"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// TestBulkAnswerBytes: the hand-written bulk answer is byte for byte what the generated 200
// response (encoding/json over gen.BulkResponse made with documentOut) writes, for documents whose
// strings need every kind of escape, nullable fields set and not, and failed items among them.
func TestBulkAnswerBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	nasty := []string{"", "plain", `quote " and \ back`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bbs\fff",
		"\x00\x01\x1f\x7f", "héllo wörld ✓ 𝄞", "line\u2028sep\u2029para", "bad \xff\xfe utf8 \xc3", "emoji 🙂", "\u00e9\u0301"}
	pick := func() string { return nasty[rng.IntN(len(nasty))] + nasty[rng.IntN(len(nasty))] }
	maybe := func() *string {
		if rng.IntN(2) == 0 {
			return nil
		}
		s := pick()
		return &s
	}
	amounts := []string{"0", "100", "100.5", "-0.0001", "12345678901234567.8901", "1e3", "0.10"}
	for n := range 40 {
		var a bulkAnswer
		for i := range 1 + n%7 {
			key := uuid.NewString()
			if rng.IntN(4) == 0 {
				code := []string{"err-incorrect-update-action", "err-resource-not-found", "err-duplicate-item"}[rng.IntN(3)]
				var field *string
				if code == "err-duplicate-item" {
					f := fmt.Sprintf("/%d/docId", i)
					field = &f
				}
				d := detail(code, pick(), field)
				a.items = append(a.items, bulkItem{key: key, err: &d})
				continue
			}
			var annotations []string
			switch rng.IntN(3) {
			case 1:
				annotations = []string{}
			case 2:
				annotations = []string{pick(), pick()}
			}
			doc := &invxstore.Document{
				OrganizationID: "org", ID: key, DocNumber: pick(), DocType: "100", DocDate: pick(), SellerGstin: pick(),
				BuyerGstin: pick(), IrdDocType: "PRE", Amount: store.NewDecimal(decimal.RequireFromString(amounts[rng.IntN(len(amounts))])),
				AcceptanceComments: maybe(), DenialComments: maybe(), DisputeComments: maybe(), Status: invxstore.Statuses[rng.IntN(len(invxstore.Statuses))],
				CreatedByUserID: pick(), CreatedOn: rng.Int64(), LastUpdatedByUserID: maybe(), LastUpdated: -rng.Int64N(1 << 40), Annotations: annotations,
			}
			a.items = append(a.items, bulkItem{key: key, doc: doc})
		}
		var failures []string
		for _, it := range a.items {
			if it.err != nil {
				failures = append(failures, it.err.Message)
			}
		}
		if d, failed := bulkFailure(failures, len(a.items)); failed {
			a.failure = &d
		}

		got := httptest.NewRecorder()
		if err := a.VisitUpdateDocumentBulkResponse(got); err != nil {
			t.Fatal(err)
		}
		want := httptest.NewRecorder()
		if err := generated(t, a).VisitUpdateDocumentBulkResponse(want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Fatalf("case %d:\n got %s\nwant %s", n, got.Body, want.Body)
		}
		if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Fatalf("case %d: status %d %q, want %d %q", n, got.Code, got.Header().Get("Content-Type"), want.Code, want.Header().Get("Content-Type"))
		}
	}
}

// generated is the answer as the generated types carry it.
func generated(t *testing.T, a bulkAnswer) gen.UpdateDocumentBulk200JSONResponse {
	data := make([]gen.BulkItemResult, len(a.items))
	for i, it := range a.items {
		key := it.key
		data[i] = gen.BulkItemResult{ItemKey: &key, ItemStatus: gen.ItemStatusSuccess}
		if it.err != nil {
			data[i].ItemStatus, data[i].ItemErrors = gen.ItemStatusFailure, &[]gen.ErrorDetail{*it.err}
			continue
		}
		out, err := documentOut(*it.doc)
		if err != nil {
			t.Fatal(err)
		}
		data[i].ItemData = &out
	}
	resp := gen.BulkResponse{Status: gen.BulkStatusSuccess, Data: data}
	if a.failure != nil {
		resp.Status, resp.Error = gen.BulkStatusFailure, a.failure
	}
	return gen.UpdateDocumentBulk200JSONResponse(resp)
}

// TestAppendDecimal: appendDecimal writes what String does, on its own path (at most 18 digits, no
// positive exponent) and on String's.
func TestAppendDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []decimal.Decimal
	for _, s := range []string{"0", "0.0000", "-0", "1", "-1", "10", "100.00", "100.5", "-0.0001", "0.10", "1.000000000000000001",
		"123456789012345678", "999999999999999999", "-999999999999999999", "1234567890123456789", "-9223372036854775808",
		"12345678901234567.8901", "0.000000000000000001", "0.0000000000000000001", "1e3", "-2.5e-20", "1e-18", "5e1"} {
		cases = append(cases, decimal.RequireFromString(s))
	}
	for range 20000 {
		c := rng.Int64N(1 << (1 + rng.IntN(62)))
		if rng.IntN(2) == 0 {
			c = -c
		}
		cases = append(cases, decimal.New(c, int32(rng.IntN(24)-21)))
	}
	for _, d := range cases {
		if got, want := string(appendDecimal([]byte("x"), d)), "x"+d.String(); got != want {
			t.Fatalf("appendDecimal(%s/%d) = %q, want %q", d.Coefficient(), d.Exponent(), got, want)
		}
	}
}

// BenchmarkBulkAnswerPieces writes the 200 answer of 1000 applied documents, as the service's
// seeded ones are, over loopback HTTP in pieces of each size, and its client reads it whole: the
// time both take is what AnswerPiece was chosen by (1 MB holds the whole answer, written at once). Each
// size runs its -count times in a row, so run the command several times to interleave them.
//
//	for i in 1 2 3 4; do go test -run '^$' -bench BulkAnswerPieces ./server/invx/; done
func BenchmarkBulkAnswerPieces(b *testing.B) {
	var a bulkAnswer
	for i := range 1000 {
		key := uuid.NewString()
		by := uuid.NewString()
		a.items = append(a.items, bulkItem{key: key, doc: &invxstore.Document{
			OrganizationID: "org", ID: key, DocNumber: fmt.Sprintf("INV-%06d", i), DocType: "100", DocDate: "20/11/2026",
			SellerGstin: "29AAACB1234F1Z5", BuyerGstin: "27AAACV5678K1Z2", IrdDocType: "PRE",
			Amount: store.NewDecimal(decimal.New(int64(100000+i), -2)), Status: invxstore.Deleted,
			CreatedByUserID: uuid.NewString(), CreatedOn: 1764000000000, LastUpdatedByUserID: &by, LastUpdated: 1764000000000 + int64(i),
			Annotations: []string{},
		}})
	}
	for _, piece := range []int{32 << 10, 128 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("%dKB", piece>>10), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if err := a.write(w, piece); err != nil {
					b.Error(err)
				}
			}))
			defer srv.Close()
			client := srv.Client()
			var size int64
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				if size, err = io.Copy(io.Discard, resp.Body); err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
			b.ReportMetric(float64(size), "answer-B")
		})
	}
}
