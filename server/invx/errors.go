package invx

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/store"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// invx's wire messages (args.message), worded from the store's typed errors.

func actionRefusedMessage(e *invxstore.ActionError) string {
	return fmt.Sprintf("action %s on state %s", e.Action, e.From)
}

func duplicateItemMessage(e *invxstore.DuplicateItemError) string {
	return fmt.Sprintf("docId %s already appears at index %d", e.DocID, e.FirstIndex)
}

func notFoundMessage(docID string) string { return "document " + docID + " not found" }

func duplicateDocumentMessage(nd invxstore.NewDocument) string {
	return fmt.Sprintf("document %s already exists for seller %s", nd.DocNumber, nd.SellerGstin)
}

// detail is one entry of invx's error shape.
func detail(code, message string, field *string) gen.ErrorDetail {
	return gen.ErrorDetail{Message: code, Type: gen.ErrorTypeClient, Args: gen.ErrorArgs{Message: message, Field: field}}
}

// actionErrorDetail maps the store's outcomes of one action (item index in its request) to invx's
// codes; ok is false for an unexpected error, which the caller returns as a 500.
func actionErrorDetail(err error, docID string, index int) (d gen.ErrorDetail, ok bool) {
	var ae *invxstore.ActionError
	var de *invxstore.DuplicateItemError
	switch {
	case errors.As(err, &ae):
		return detail("err-incorrect-update-action", actionRefusedMessage(ae), nil), true
	case errors.As(err, &de):
		field := fmt.Sprintf("/%d/docId", index)
		return detail("err-duplicate-item", duplicateItemMessage(de), &field), true
	case errors.Is(err, store.ErrNotFound):
		return detail("err-resource-not-found", notFoundMessage(docID), nil), true
	}
	return gen.ErrorDetail{}, false
}

// envelope wraps one error detail in invx's failure envelope.
func envelope(d gen.ErrorDetail) gen.ErrorEnvelope {
	return gen.ErrorEnvelope{Status: gen.StatusFailure, Error: d}
}

// bulkFailure summarises a bulk result of n items in which no item was applied, counting the
// failures (the codes of the failed items) by code, in alphabetical order so the message is
// stable; failed is false when any item succeeded.
func bulkFailure(failures []string, n int) (d gen.ErrorDetail, failed bool) {
	if n == 0 || len(failures) < n {
		return gen.ErrorDetail{}, false
	}
	counts := map[string]int{}
	for _, code := range failures {
		counts[code]++
	}
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%d %s", counts[c], c)
	}
	noun := "items"
	if n == 1 {
		noun = "item"
	}
	msg := fmt.Sprintf("all %d %s failed: %s", n, noun, strings.Join(parts, ", "))
	return detail("err-bulk-failed", msg, nil), true
}
