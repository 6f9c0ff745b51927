package platformsim

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"enterprise-operator/internal/platform/api"
)

func TestDNSServer(t *testing.T) {
	d, err := StartDNSServer("")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	long := strings.Repeat("v", 300)
	d.SetTXT("_x.Example.TEST", "one", long)
	r := newResolver(d.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	got, err := r.LookupTXT(ctx, "_x.example.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "one" || got[1] != long {
		t.Fatalf("TXT %q", got)
	}
	d.Remove("_x.example.test")
	if _, err = r.LookupTXT(ctx, "_x.example.test"); err == nil {
		t.Fatalf("removed record still answers")
	}
}

func TestDomainVerification(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	base := "/v1/enterprises/" + ent + "/domains"
	var d api.EnterpriseDomainResponse
	h.do("POST", base, map[string]any{"domain": "Acme.Test"}, 201, &d)
	if d.Status != api.Pending || d.Verified || d.Domain != "acme.test" ||
		d.VerificationRecord.Type != "TXT" || d.VerificationRecord.Name != "_platform-verification.acme.test" || d.VerificationRecord.Value == "" {
		t.Fatalf("new domain %+v", d)
	}
	h.do("POST", base, map[string]any{"domain": "not a domain"}, 422, nil)

	// Not published yet: stays pending, with a message and check times.
	var v api.DomainVerifyResponse
	h.do("POST", base+"/"+string(d.Id)+"/verify", nil, 200, &v)
	if v.Verified || v.Status != api.Pending || !strings.Contains(deref(v.Message), "no TXT record") ||
		v.LastCheckedAt == nil || v.NextCheckAt == nil || !v.NextCheckAt.After(*v.LastCheckedAt) {
		t.Fatalf("unpublished verify %+v", v)
	}
	// A wrong value is not enough.
	h.s.DNS().SetTXT(d.VerificationRecord.Name, "something-else")
	h.do("POST", base+"/"+string(d.Id)+"/verify", nil, 200, &v)
	if v.Verified || !strings.Contains(deref(v.Message), "expected value") {
		t.Fatalf("wrong-value verify %+v", v)
	}
	// Published (through the admin endpoint, as the demo does): verified.
	h.do("POST", "/admin/dns", map[string]any{"enterpriseId": ent, "domainId": string(d.Id)}, 200, nil)
	v = api.DomainVerifyResponse{}
	h.do("POST", base+"/"+string(d.Id)+"/verify", nil, 200, &v)
	if !v.Verified || v.Status != api.Verified || v.NextCheckAt != nil {
		t.Fatalf("published verify %+v", v)
	}
	var st api.DomainVerificationStatusResponse
	h.do("GET", base+"/"+string(d.Id)+"/verification", nil, 200, &st)
	if !st.Verified || st.VerificationRecord.Value != d.VerificationRecord.Value {
		t.Fatalf("status %+v", st)
	}
	var list api.PaginatedResponseEnterpriseDomainResponse
	h.do("GET", base+"?verified=false", nil, 200, &list)
	if list.Total != 0 {
		t.Fatalf("verified=false lists %d", list.Total)
	}
	var upd api.EnterpriseDomainResponse
	h.do("PUT", base+"/"+string(d.Id), map[string]any{"is_primary": true}, 200, &upd)
	if !deref(upd.IsPrimary) {
		t.Fatalf("update %+v", upd)
	}
	h.do("DELETE", base+"/"+string(d.Id), nil, 200, nil)
	h.do("GET", base+"/"+string(d.Id), nil, 404, nil)
}

func TestDomainVerificationExternalResolver(t *testing.T) {
	d, err := StartDNSServer("")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h := newHarness(t, func(o *Options) { o.DNSAddr = d.Addr() })
	if h.s.DNS() != nil {
		t.Fatal("an embedded DNS server was started although DNSAddr is set")
	}
	ent := h.createEnterprise("k").EnterpriseID
	var dom api.EnterpriseDomainResponse
	h.do("POST", "/v1/enterprises/"+ent+"/domains", map[string]any{"domain": "ext.test"}, 201, &dom)
	d.SetTXT(dom.VerificationRecord.Name, dom.VerificationRecord.Value)
	var v api.DomainVerifyResponse
	h.do("POST", "/v1/enterprises/"+ent+"/domains/"+string(dom.Id)+"/verify", nil, 200, &v)
	if !v.Verified {
		t.Fatalf("verify %+v", v)
	}
}

type received struct {
	body   []byte
	header http.Header
}

func TestWebhookTestDeliversSignedEvent(t *testing.T) {
	var mu sync.Mutex
	var got []received
	status := http.StatusNoContent
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{b, r.Header.Clone()})
		code := status
		mu.Unlock()
		w.WriteHeader(code)
	}))
	defer recv.Close()

	h := newHarness(t, func(o *Options) {
		o.AllowInsecureWebhookURLs = false
		o.WebhookClient = recv.Client()
	})
	ent := h.createEnterprise("k").EnterpriseID
	base := "/v1/enterprises/" + ent + "/webhooks"
	// https only.
	h.do("POST", base, map[string]any{"url": "http://127.0.0.1:1/hook", "events": []string{"user.created"}}, 422, nil)
	var wh api.EnterpriseWebhookResponse
	raw := h.do("POST", base, map[string]any{"url": recv.URL + "/hook", "events": []string{"user.created"}, "signing_secret": "whsec-1"}, 201, &wh)
	if strings.Contains(string(raw), "whsec-1") {
		t.Fatal("signing secret returned")
	}
	var res api.WebhookTestResponse
	h.do("POST", base+"/"+string(wh.Id)+"/test", nil, 200, &res)
	if !res.Success || deref(res.StatusCode) != 204 {
		t.Fatalf("test result %+v", res)
	}
	mu.Lock()
	first := got[0]
	mu.Unlock()
	if !VerifySignature("whsec-1", first.body, first.header.Get(SignatureHeader)) {
		t.Fatalf("bad signature %q", first.header.Get(SignatureHeader))
	}
	if _, err := strconv.ParseInt(first.header.Get(TimestampHeader), 10, 64); err != nil {
		t.Fatalf("timestamp header %q", first.header.Get(TimestampHeader))
	}
	var ev WebhookEvent
	if err := json.Unmarshal(first.body, &ev); err != nil || ev.Type != TestEventType || ev.WebhookID != string(wh.Id) || ev.EnterpriseID != ent {
		t.Fatalf("event %s: %v", first.body, err)
	}

	// Rotating the secret changes the signature; the receiver failing is reported.
	h.do("PUT", base+"/"+string(wh.Id), map[string]any{"signing_secret": "whsec-2"}, 200, nil)
	mu.Lock()
	status = http.StatusInternalServerError
	mu.Unlock()
	h.do("POST", base+"/"+string(wh.Id)+"/test", nil, 200, &res)
	if res.Success || deref(res.StatusCode) != 500 {
		t.Fatalf("failing receiver %+v", res)
	}
	mu.Lock()
	second := got[1]
	mu.Unlock()
	if !VerifySignature("whsec-2", second.body, second.header.Get(SignatureHeader)) {
		t.Fatal("rotated secret not used")
	}
	snap := h.s.State()
	if w := snap.Enterprises[0].Webhooks[0]; w.SigningSecretSHA256 != SecretHash("whsec-2") || w.SigningSecret != "" {
		t.Fatalf("snapshot webhook %+v", w)
	}

	// An unreachable endpoint is a result, not an error.
	h.do("PUT", base+"/"+string(wh.Id), map[string]any{"url": "https://127.0.0.1:1/hook"}, 200, nil)
	res = api.WebhookTestResponse{}
	h.do("POST", base+"/"+string(wh.Id)+"/test", nil, 200, &res)
	if res.Success || deref(res.StatusCode) != 0 || !strings.Contains(deref(res.Message), "delivery failed") {
		t.Fatalf("unreachable %+v", res)
	}
}

func TestWebhookInsecureOption(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer recv.Close()
	h := newHarness(t) // AllowInsecureWebhookURLs: true
	ent := h.createEnterprise("k").EnterpriseID
	var wh api.EnterpriseWebhookResponse
	h.do("POST", "/v1/enterprises/"+ent+"/webhooks", map[string]any{"url": recv.URL, "events": []string{"a"}}, 201, &wh)
	var res api.WebhookTestResponse
	h.do("POST", "/v1/enterprises/"+ent+"/webhooks/"+string(wh.Id)+"/test", nil, 200, &res)
	if !res.Success || deref(res.StatusCode) != 200 {
		t.Fatalf("result %+v", res)
	}
	var list api.PaginatedResponseEnterpriseWebhookResponse
	h.do("GET", "/v1/enterprises/"+ent+"/webhooks", nil, 200, &list)
	if list.Total != 1 || !list.Data[0].Active {
		t.Fatalf("list %+v", list)
	}
	h.do("DELETE", "/v1/enterprises/"+ent+"/webhooks/"+string(wh.Id), nil, 200, nil)
	h.do("GET", "/v1/enterprises/"+ent+"/webhooks/"+string(wh.Id), nil, 404, nil)
}

func TestFaultRateLimit(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Faults = Faults{RateLimit: 0.5, RateBurst: 2} })
	ent := h.createEnterprise("k").EnterpriseID
	h.do("GET", "/v1/enterprises/"+ent, nil, 200, nil)
	status, raw, hdr := h.call("GET", "/v1/enterprises/"+ent, nil)
	if status != http.StatusTooManyRequests {
		t.Fatalf("status %d", status)
	}
	checkErrorBody(t, raw)
	ra, err := strconv.Atoi(hdr.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 2 {
		t.Fatalf("Retry-After %q", hdr.Get("Retry-After"))
	}
	if err := h.s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	h.do("GET", "/v1/enterprises/"+ent, nil, 200, nil)
}

func TestFaultErrorsAndLatency(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	if err := h.s.SetFaults(Faults{FailNext: map[string]int{"getEnterprise": 2}, ErrorStatus: 503,
		OperationLatency: map[string]Duration{"listEnterpriseRoles": Duration(80 * time.Millisecond)}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		raw := h.do("GET", "/v1/enterprises/"+ent, nil, 503, nil)
		if eb := checkErrorBody(t, raw); eb.Context["injected"] != true {
			t.Fatalf("context %v", eb.Context)
		}
	}
	h.do("GET", "/v1/enterprises/"+ent, nil, 200, nil)
	if n := h.s.InjectedFaults(); n != 2 {
		t.Fatalf("InjectedFaults() = %d after two injected errors, want 2", n)
	}
	start := time.Now()
	h.do("GET", "/v1/enterprises/"+ent+"/roles", nil, 200, nil)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("latency %v", d)
	}
	// An error rate of 1 fails every call, before any state change.
	_ = h.s.SetFaults(Faults{ErrorRate: map[string]float64{"createEnterpriseRole": 1}})
	status, _, _ := h.call("POST", "/v1/enterprises/"+ent+"/roles", map[string]any{"name": "r"})
	if status != 500 && status != 503 {
		t.Fatalf("status %d", status)
	}
	if n := len(h.s.State().Enterprises[0].Roles); n != 0 {
		t.Fatalf("failed create left %d roles", n)
	}
	if err := h.s.SetFaults(Faults{ErrorRate: map[string]float64{"x": 1.5}}); err == nil {
		t.Fatal("invalid rate accepted")
	}
}

func TestFaultDroppedResponseStillCommits(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	_ = h.s.SetFaults(Faults{DropResponse: map[string]int{"createEnterpriseUser": 1}})
	req, _ := http.NewRequest("POST", h.s.URL()+"/v1/enterprises/"+ent+"/users",
		strings.NewReader(`{"username":"lost","password":"pw","email":"lost@acme.test"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped response answered %d", resp.StatusCode)
	}
	// The user exists: a retry conflicts, and a list finds it.
	h.do("POST", "/v1/enterprises/"+ent+"/users", map[string]any{"username": "lost", "password": "pw", "email": "lost@acme.test"}, 409, nil)
	var page api.PaginatedResponseEnterpriseUserResponse
	h.do("GET", "/v1/enterprises/"+ent+"/users?search=lost", nil, 200, &page)
	if page.Total != 1 {
		t.Fatalf("committed user not listed: %+v", page)
	}
	if n := h.s.CallCount("createEnterpriseUser"); n != 2 {
		t.Fatalf("calls %d", n)
	}
	if left := h.s.Faults().DropResponse["createEnterpriseUser"]; left != 0 {
		t.Fatalf("drop counter left %d", left)
	}
	if n := h.s.InjectedFaults(); n != 1 {
		t.Fatalf("InjectedFaults() = %d after one dropped response, want 1", n)
	}
}

func TestTLSClientTrust(t *testing.T) {
	// The https-only rule accepts an httptest TLS URL; an untrusting client reports
	// a certificate failure as an unsuccessful test.
	recv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	recv.Config.ErrorLog = log.New(io.Discard, "", 0)
	recv.StartTLS()
	defer recv.Close()
	h := newHarness(t, func(o *Options) {
		o.AllowInsecureWebhookURLs = false
		o.WebhookClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	})
	ent := h.createEnterprise("k").EnterpriseID
	var wh api.EnterpriseWebhookResponse
	h.do("POST", "/v1/enterprises/"+ent+"/webhooks", map[string]any{"url": recv.URL, "events": []string{"a"}}, 201, &wh)
	var res api.WebhookTestResponse
	h.do("POST", "/v1/enterprises/"+ent+"/webhooks/"+string(wh.Id)+"/test", nil, 200, &res)
	if res.Success {
		t.Fatalf("untrusted certificate accepted: %+v", res)
	}
}
