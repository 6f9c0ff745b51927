package platform

import (
	"context"
	"fmt"
)

// listPageSize is the page size list calls ask for (the contract's per_page maximum).
const listPageSize = 100

// maxPages stops a walk over a platform that never reports its last page.
const maxPages = 10000

// pageInfo is what one page says about the walk.
type pageInfo struct {
	// totalPages is the platform's total_pages (0 when unknown).
	totalPages int
	// perPage is the page size the platform applied (0 when unknown); a page with
	// fewer items is the last one.
	perPage int
}

// walkPages fetches pages 1, 2, ... and concatenates their items. It stops after the
// page total_pages names, or (when the platform gives no total) on an empty page or a
// page shorter than the page size; it always stops on an empty page.
func walkPages[T any](ctx context.Context, operation string, fetch func(ctx context.Context, page, perPage int) ([]T, pageInfo, error)) ([]T, error) {
	var all []T
	for page := 1; page <= maxPages; page++ {
		items, info, err := fetch(ctx, page, listPageSize)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if lastPage(page, len(items), info) {
			if all == nil {
				all = []T{}
			}
			return all, nil
		}
	}
	return nil, &Error{Kind: KindUnavailable, Operation: operation, Message: fmt.Sprintf("more than %d pages", maxPages)}
}

func lastPage(page, n int, info pageInfo) bool {
	if n == 0 {
		return true
	}
	if info.totalPages > 0 {
		return page >= info.totalPages
	}
	perPage := info.perPage
	if perPage <= 0 {
		perPage = listPageSize
	}
	return n < perPage
}
