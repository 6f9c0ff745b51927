package platform

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

func TestForbiddenIP(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want string
	}{
		// IPv4
		{"169.254.169.254", whyLinkLocal},
		{"169.254.170.2", whyLinkLocal},
		{"169.254.0.0", whyLinkLocal},
		{"169.254.255.255", whyLinkLocal},
		{"169.253.255.255", ""},
		{"169.255.0.0", ""},
		{"224.0.0.251", whyLinkLocalMulticast},
		{"224.0.1.1", ""},
		{"100.100.100.200", whyAlibabaMetadata},
		{"100.100.100.201", ""},
		// IPv6
		{"fe80::1", whyLinkLocal},
		{"febf:ffff::1", whyLinkLocal},
		{"fe80::1%eth0", whyLinkLocal},
		{"fec0::1", ""},
		{"ff02::1", whyLinkLocalMulticast},
		{"fd00:ec2::254", whyAWSMetadataIPv6},
		{"fd00:ec2:0:0:0:0:0:254", whyAWSMetadataIPv6},
		{"fd00:ec2::253", ""},
		// IPv4-mapped IPv6 is the IPv4 address it reaches.
		{"::ffff:169.254.169.254", whyLinkLocal},
		{"::ffff:a9fe:a9fe", whyLinkLocal},
		{"::ffff:100.100.100.200", whyAlibabaMetadata},
		{"::ffff:224.0.0.1", whyLinkLocalMulticast},
		// Loopback stays allowed (the simulator listens there), and so does the rest.
		{"127.0.0.1", ""},
		{"::1", ""},
		{"::ffff:127.0.0.1", ""},
		{"10.0.0.1", ""},
		{"192.168.1.1", ""},
		{"203.0.113.10", ""},
		{"2001:db8::1", ""},
		{"fd00::1", ""},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, forbiddenIP(netip.MustParseAddr(tc.ip))); diff != "" {
				t.Errorf("forbiddenIP(%s) (-want +got):\n%s", tc.ip, diff)
			}
		})
	}
}

func TestCheckDialAddress(t *testing.T) {
	for _, tc := range []struct {
		address string
		want    *AddressError
	}{
		{"169.254.169.254:80", &AddressError{Addr: "169.254.169.254:80", Why: whyLinkLocal}},
		{"[::ffff:169.254.169.254]:443", &AddressError{Addr: "[::ffff:169.254.169.254]:443", Why: whyLinkLocal}},
		{"[fe80::1%eth0]:443", &AddressError{Addr: "[fe80::1%eth0]:443", Why: whyLinkLocal}},
		{"[fd00:ec2::254]:80", &AddressError{Addr: "[fd00:ec2::254]:80", Why: whyAWSMetadataIPv6}},
		{"100.100.100.200:80", &AddressError{Addr: "100.100.100.200:80", Why: whyAlibabaMetadata}},
		{"not-an-address", &AddressError{Addr: "not-an-address", Why: whyUnparsable}},
		{"127.0.0.1:8089", nil},
		{"[::1]:8089", nil},
		{"203.0.113.10:443", nil},
	} {
		t.Run(tc.address, func(t *testing.T) {
			err := checkDialAddress(context.Background(), "tcp", tc.address, nil)
			var got *AddressError
			if err != nil && !errors.As(err, &got) {
				t.Fatalf("err = %T %v, want an *AddressError", err, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("checkDialAddress(%s) (-want +got):\n%s", tc.address, diff)
			}
			if tc.want != nil {
				if !errors.Is(err, ErrForbiddenAddress) {
					t.Errorf("errors.Is(%v, ErrForbiddenAddress) = false", err)
				}
				if !strings.Contains(err.Error(), tc.address) || !strings.Contains(err.Error(), tc.want.Why) {
					t.Errorf("message %q does not name the address and why", err)
				}
			}
		})
	}
}

func TestCheckProxiedHost(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want *AddressError
	}{
		{"http://169.254.169.254/latest/meta-data/", &AddressError{Addr: "169.254.169.254", Why: whyLinkLocal}},
		{"https://[::ffff:169.254.169.254]:443/", &AddressError{Addr: "[::ffff:169.254.169.254]:443", Why: whyLinkLocal}},
		{"http://[fd00:ec2::254]/", &AddressError{Addr: "[fd00:ec2::254]", Why: whyAWSMetadataIPv6}},
		{"http://Metadata.Google.Internal./computeMetadata/v1/", &AddressError{Addr: "Metadata.Google.Internal.", Why: whyMetadataHostName}},
		{"http://metadata.goog/", &AddressError{Addr: "metadata.goog", Why: whyMetadataHostName}},
		{"http://metadata:80/", &AddressError{Addr: "metadata:80", Why: whyMetadataHostName}},
		{"https://api.platform.example.com/v1", nil},
		{"https://metadata.example.com/", nil},
		{"https://203.0.113.10/", nil},
	} {
		t.Run(tc.url, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			err = checkProxiedHost(u)
			var got *AddressError
			if err != nil && !errors.As(err, &got) {
				t.Fatalf("err = %T %v, want an *AddressError", err, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("checkProxiedHost(%s) (-want +got):\n%s", tc.url, diff)
			}
		})
	}
}

// TestGuardProxy: through a proxy the dialer sees only the proxy's address, so the
// target is checked before the proxy is used; without one the dialer checks it.
func TestGuardProxy(t *testing.T) {
	proxy, _ := url.Parse("http://proxy.internal:3128")
	viaProxy := guardProxy(http.ProxyURL(proxy))
	direct := guardProxy(func(*http.Request) (*url.URL, error) { return nil, nil })

	req := func(raw string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if p, err := viaProxy(req("http://169.254.169.254/latest/meta-data/")); !errors.Is(err, ErrForbiddenAddress) || p != nil {
		t.Errorf("proxied metadata request: proxy %v, err %v; want ErrForbiddenAddress", p, err)
	}
	if p, err := viaProxy(req("https://api.platform.example.com/v1")); err != nil || p != proxy {
		t.Errorf("proxied platform request: proxy %v, err %v; want the proxy", p, err)
	}
	if p, err := direct(req("http://169.254.169.254/")); err != nil || p != nil {
		t.Errorf("direct request: proxy %v, err %v; want neither (the dialer checks it)", p, err)
	}
	if guardProxy(nil) != nil {
		t.Error("guardProxy(nil) should stay nil (no proxy)")
	}
}

// TestClientRefusesForbiddenAddresses drives the real client: every way of reaching a
// metadata address is refused at dial time with ErrForbiddenAddress, as a
// KindForbiddenAddress error that is not retried; loopback keeps working.
func TestClientRefusesForbiddenAddresses(t *testing.T) {
	ctx := context.Background()
	// checkRefused asserts err is the refusal naming addr, and that the retry loop
	// did not run (a getCurrentUser transport failure is otherwise retried).
	checkRefused := func(t *testing.T, err error, op, addr string, sleeps *[]time.Duration) {
		t.Helper()
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("err = %v, want ErrForbiddenAddress", err)
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Kind != KindForbiddenAddress || pe.Operation != op || !IsForbiddenAddress(err) {
			t.Fatalf("err = %#v, want a %s *Error of operation %s", err, KindForbiddenAddress, op)
		}
		if !strings.Contains(err.Error(), addr) {
			t.Errorf("message %q does not name %s", err, addr)
		}
		if len(*sleeps) != 0 {
			t.Errorf("retried after %v; a refused address must not be retried", *sleeps)
		}
	}

	t.Run("an IPv4-mapped IPv6 literal", func(t *testing.T) {
		c, sleeps := testClient(t, "http://[::ffff:169.254.169.254]", nil)
		_, err := c.WhoAmI(ctx)
		checkRefused(t, err, "getCurrentUser", "169.254.169.254:80", sleeps)
	})

	t.Run("a host name that resolves to a metadata address", func(t *testing.T) {
		resolver := fakeResolver(t, "169.254.169.254")
		tr := newTransport(resolver)
		tr.Proxy = nil // the dialer, not the proxy check, must refuse it
		c, sleeps := testClient(t, "http://metadata-alias.test:8080", func(c *Config) {
			c.HTTPClient = &http.Client{Transport: tr}
		})
		_, err := c.WhoAmI(ctx)
		// The resolved address appears only at dial time: the URL names the host.
		checkRefused(t, err, "getCurrentUser", "169.254.169.254:8080", sleeps)
	})

	t.Run("a redirect from the platform", func(t *testing.T) {
		rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			w.Header().Set("Location", "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
			w.WriteHeader(http.StatusTemporaryRedirect)
		})
		c, sleeps := testClient(t, srv.URL, nil)
		_, err := c.WhoAmI(ctx)
		checkRefused(t, err, "getCurrentUser", "169.254.169.254", sleeps)
		if n := rec.count(); n != 1 {
			t.Errorf("the platform got %d requests, want 1 (no retry)", n)
		}
	})

	t.Run("the OAuth2 token endpoint", func(t *testing.T) {
		rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			t.Errorf("the API was called without a token: %s %s", r.Method, r.URL.Path)
		})
		c, sleeps := testClient(t, srv.URL, func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: testClientSecret,
				TokenURL: "http://[fd00:ec2::254]/connect/token"}}
		})
		_, err := c.WhoAmI(ctx)
		checkRefused(t, err, opGetToken, "[fd00:ec2::254]:80", sleeps)
		if strings.Contains(err.Error(), testClientSecret) {
			t.Errorf("the error carries the client secret: %v", err)
		}
		if rec.count() != 0 {
			t.Errorf("the API got %d requests", rec.count())
		}
	})

	t.Run("loopback is allowed", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			writeJSON(w, 200, map[string]any{"userId": "12", "enterpriseId": "15", "nickname": "John"})
		})
		c, _ := testClient(t, srv.URL, nil)
		if _, err := c.WhoAmI(ctx); err != nil {
			t.Fatalf("WhoAmI over loopback: %v", err)
		}
	})
}

// fakeResolver is a Go resolver whose DNS server, on loopback, answers every A query
// with ip (and every other query with no record).
func fakeResolver(t *testing.T, ip string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var queries atomic.Int32
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
			queries.Add(1)
			m := new(dns.Msg)
			m.SetReply(req)
			for _, q := range req.Question {
				if q.Qtype == dns.TypeA {
					m.Answer = append(m.Answer, &dns.A{
						Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1},
						A:   net.ParseIP(ip),
					})
				}
			}
			_ = w.WriteMsg(m)
		})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() {
		_ = srv.Shutdown()
		if queries.Load() == 0 {
			t.Error("the fake DNS server was never asked")
		}
	})
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the fake DNS server did not start")
	}
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}
