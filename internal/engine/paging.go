package engine

import (
	"encoding/base64"
	"strconv"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// DefaultPageSize and MaxPageSize bound listings.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Paging is a page request: a size and an opaque token from the previous page.
type Paging struct {
	Limit  int
	offset int
}

// ParsePaging validates a limit and page token from a request.
func ParsePaging(limit, token string) (Paging, error) {
	p := Paging{Limit: DefaultPageSize}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, invalid("limit", "%q must be a whole number from 1 to %d", limit, MaxPageSize)
		}
		p.Limit = n
	}
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 {
			return p, invalid("page_token", "%q is not a token this API returned; start from the first page", token)
		}
		p.offset = n
	}
	return p, nil
}

// All asks for everything (internal callers).
var All = Paging{Limit: 0}

// query fetches one row more than the page, so pageOf knows whether another page follows.
func (p Paging) query(where store.Cols, orderBy string, desc bool) store.Query {
	q := store.Query{Where: where, OrderBy: orderBy, Desc: desc, Offset: p.offset}
	if p.Limit > 0 {
		q.Limit = p.Limit + 1
	}
	return q
}

func pageOf[T any](items []T, p Paging) api.Page[T] {
	if items == nil {
		items = []T{}
	}
	if p.Limit > 0 && len(items) > p.Limit {
		next := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(p.offset + p.Limit)))
		return api.Page[T]{Items: items[:p.Limit], NextPageToken: next}
	}
	return api.Page[T]{Items: items}
}
