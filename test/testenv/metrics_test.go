package testenv

import (
	"os"
	"testing"
)

func TestParseText(t *testing.T) {
	m, err := ParseText(`# HELP rest_client_requests_total Number of HTTP requests.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",host="127.0.0.1:1234",method="GET"} 12
rest_client_requests_total{code="200",host="127.0.0.1:1234",method="PATCH"} 7
rest_client_requests_total{code="409",host="127.0.0.1:1234",method="PATCH"} 2
rest_client_requests_total{code="201",host="127.0.0.1:1234",method="POST"} 3e+00
workqueue_depth{controller="enterpriseuser",name="enterpriseuser",priority="-100"} 5
workqueue_depth{controller="enterpriseuser",name="enterpriseuser",priority="0"} 1
odd_label{msg="a \"quoted\", comma {brace}\\n"} 1 1700000000000
go_goroutines 42
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		match map[string]string
		want  float64
	}{
		{"rest_client_requests_total", map[string]string{"method": "PATCH"}, 9},
		{"rest_client_requests_total", map[string]string{"method": "POST"}, 3},
		{"rest_client_requests_total", nil, 24},
		{"workqueue_depth", map[string]string{"controller": "enterpriseuser"}, 6},
		{"odd_label", map[string]string{"msg": `a "quoted", comma {brace}\n`}, 1},
		{"go_goroutines", nil, 42},
		{"absent", nil, 0},
	} {
		if got := m.Sum(c.name, c.match); got != c.want {
			t.Errorf("Sum(%s, %v) = %v, want %v", c.name, c.match, got, c.want)
		}
	}
	if by := m.By("rest_client_requests_total", "method", nil); by["GET"] != 12 || by["PATCH"] != 9 {
		t.Errorf("By(method) = %v", by)
	}
	if m.Has("absent") || !m.Has("go_goroutines") {
		t.Error("Has is wrong")
	}
	if _, err := ParseText(`broken{a="1" 1`); err == nil {
		t.Error("want an error for an unterminated label set")
	}
}

func TestReadMemory(t *testing.T) {
	mem, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatalf("reading this process's /proc status (the bench needs it): %v", err)
	}
	if mem.RSS <= 0 || mem.HWM < mem.RSS {
		t.Errorf("ReadMemory = %+v: want 0 < RSS <= HWM", mem)
	}
	if mem.Anon <= 0 || mem.File <= 0 || mem.Anon+mem.File > mem.RSS+mem.RSS/10 {
		t.Errorf("ReadMemory = %+v: want anonymous and file-backed parts, together about RSS", mem)
	}
}
