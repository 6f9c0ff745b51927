package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

func TestPagination(t *testing.T) {
	type server struct {
		name string
		// page returns the users of a page, per_page and total_pages to report.
		total        int
		cap          int  // the platform's own per_page maximum
		reportTotal  bool // total_pages is reported
		wantRequests int
		wantUsers    int
	}
	cases := []server{
		{name: "total_pages", total: 250, cap: 100, reportTotal: true, wantRequests: 3, wantUsers: 250},
		{name: "exact multiple with total_pages", total: 200, cap: 100, reportTotal: true, wantRequests: 2, wantUsers: 200},
		{name: "short page without total", total: 250, cap: 100, wantRequests: 3, wantUsers: 250},
		{name: "empty page without total", total: 200, cap: 100, wantRequests: 3, wantUsers: 200},
		{name: "platform caps per_page", total: 120, cap: 50, wantRequests: 3, wantUsers: 120},
		{name: "no users", total: 0, cap: 100, reportTotal: true, wantRequests: 1, wantUsers: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				q := r.URL.Query()
				page, _ := strconv.Atoi(q.Get("page"))
				perPage, _ := strconv.Atoi(q.Get("per_page"))
				if q.Get("search") != "ali" || q.Get("status") != "active" || q.Get("role_id") != "r1" {
					t.Errorf("filters = %v", q)
				}
				perPage = min(perPage, tc.cap)
				var data []map[string]any
				for i := (page - 1) * perPage; i < min(page*perPage, tc.total); i++ {
					data = append(data, userJSON(strconv.Itoa(i)))
				}
				if data == nil {
					data = []map[string]any{}
				}
				totalPages := 0
				if tc.reportTotal {
					totalPages = (tc.total + perPage - 1) / perPage
				}
				writeJSON(w, 200, map[string]any{"data": data, "page": page, "per_page": perPage, "total": tc.total, "total_pages": totalPages})
			})
			c, _ := testClient(t, srv.URL, nil)
			users, err := c.ListUsers(context.Background(), "e", UserFilter{Search: "ali", Status: UserStatusActive, RoleID: "r1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != tc.wantUsers || rec.count() != tc.wantRequests {
				t.Errorf("users = %d, requests = %d; want %d, %d", len(users), rec.count(), tc.wantUsers, tc.wantRequests)
			}
			if users == nil {
				t.Error("ListUsers returned nil instead of an empty list")
			}
			for i, u := range users {
				if u.ID != strconv.Itoa(i) {
					t.Fatalf("users[%d].ID = %s", i, u.ID)
				}
			}
		})
	}
}

func TestListCompaniesPagination(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		var body struct {
			PageNumber int `json:"pageNumber"`
			PageSize   int `json:"pageSize"`
		}
		_ = json.Unmarshal(r.body, &body)
		if r.URL.Path != "/api/companies/search" || r.Method != http.MethodPost {
			t.Errorf("request = %s %s", r.Method, r.URL.Path)
		}
		items := []map[string]any{}
		if body.PageNumber <= 2 {
			for i := range body.PageSize {
				items = append(items, map[string]any{"resourceId": fmt.Sprintf("c%d-%d", body.PageNumber, i), "name": "n"})
			}
		}
		writeJSON(w, 200, map[string]any{"status": "SUCCESS", "items": items, "pageNumber": body.PageNumber, "pageSize": body.PageSize})
	})
	c, _ := testClient(t, srv.URL, nil)
	cs, err := c.ListCompanies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2*listPageSize || rec.count() != 3 || cs[0].ResourceID != "c1-0" {
		t.Errorf("companies = %d, requests = %d", len(cs), rec.count())
	}
}
