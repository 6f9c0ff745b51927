package platformsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// DNSServer is a small authoritative DNS server on loopback answering TXT queries from
// records set with SetTXT. It serves UDP and TCP on the same port. Domain verification
// queries it (see Options.DNSAddr); tests and the demo publish records in it.
type DNSServer struct {
	mu      sync.RWMutex
	records map[string][]string // fqdn (lower case, trailing dot) → TXT values

	addr string
	udp  *dns.Server
	tcp  *dns.Server
}

// StartDNSServer starts a DNS server on addr ("127.0.0.1:0" when empty picks a free
// port, see Addr).
func StartDNSServer(addr string) (*DNSServer, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s := &DNSServer{records: map[string][]string{}}
	var lastErr error
	// With port 0 the UDP port is free but the same TCP port may not be: retry.
	for range 10 {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, fmt.Errorf("dns: listen udp %s: %w", addr, err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			_ = pc.Close()
			lastErr = err
			continue
		}
		s.addr = pc.LocalAddr().String()
		s.udp = &dns.Server{PacketConn: pc, Handler: s}
		s.tcp = &dns.Server{Listener: ln, Handler: s}
		if err := startDNS(s.udp); err != nil {
			_ = pc.Close()
			_ = ln.Close()
			return nil, err
		}
		if err := startDNS(s.tcp); err != nil {
			_ = s.udp.Shutdown()
			_ = ln.Close()
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("dns: listen tcp next to udp on %s: %w", addr, lastErr)
}

func startDNS(srv *dns.Server) error {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	errc := make(chan error, 1)
	go func() { errc <- srv.ActivateAndServe() }()
	select {
	case <-started:
		return nil
	case err := <-errc:
		return fmt.Errorf("dns: serve: %w", err)
	case <-time.After(5 * time.Second):
		return errors.New("dns: server did not start")
	}
}

// Addr is the host:port the server listens on (UDP and TCP).
func (s *DNSServer) Addr() string { return s.addr }

// Close stops the server.
func (s *DNSServer) Close() error {
	return errors.Join(s.udp.Shutdown(), s.tcp.Shutdown())
}

func fqdn(name string) string { return dns.Fqdn(strings.ToLower(strings.TrimSpace(name))) }

// SetTXT replaces the TXT values of name (a record is answered with one string per
// value). SetTXT with no values removes the name.
func (s *DNSServer) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(values) == 0 {
		delete(s.records, fqdn(name))
		return
	}
	s.records[fqdn(name)] = append([]string{}, values...)
}

// Remove deletes every TXT value of name.
func (s *DNSServer) Remove(name string) { s.SetTXT(name) }

// TXT returns the values of name.
func (s *DNSServer) TXT(name string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string{}, s.records[fqdn(name)]...)
}

// Records returns every record (name without the trailing dot → values).
func (s *DNSServer) Records() map[string][]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string][]string, len(s.records))
	names := make([]string, 0, len(s.records))
	for n := range s.records {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out[strings.TrimSuffix(n, ".")] = append([]string{}, s.records[n]...)
	}
	return out
}

// ServeDNS answers TXT queries for known names; other known-name types get an empty
// answer and unknown names NXDOMAIN.
func (s *DNSServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	s.mu.RLock()
	for _, q := range req.Question {
		vals, ok := s.records[strings.ToLower(q.Name)]
		if !ok {
			m.Rcode = dns.RcodeNameError
			continue
		}
		if q.Qtype != dns.TypeTXT && q.Qtype != dns.TypeANY {
			continue
		}
		for _, v := range vals {
			m.Answer = append(m.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 1},
				Txt: splitTXT(v),
			})
		}
	}
	s.mu.RUnlock()
	_ = w.WriteMsg(m)
}

// splitTXT splits a value into the 255-byte character-strings a TXT record holds;
// resolvers join them back.
func splitTXT(v string) []string {
	var out []string
	for len(v) > 255 {
		out = append(out, v[:255])
		v = v[255:]
	}
	return append(out, v)
}

// newResolver returns a resolver that sends every query to addr.
func newResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// lookupVerification queries the TXT record through the configured DNS server.
func (s *Server) lookupVerification(ctx context.Context, name, want string) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.DNSTimeout)
	defer cancel()
	txts, err := s.resolver.LookupTXT(ctx, name)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return false, fmt.Sprintf("no TXT record found at %s", name)
		}
		return false, fmt.Sprintf("DNS lookup of %s failed: %v", name, err)
	}
	for _, t := range txts {
		if strings.TrimSpace(t) == want {
			return true, "domain ownership verified"
		}
	}
	if len(txts) == 0 {
		return false, fmt.Sprintf("no TXT record found at %s", name)
	}
	return false, fmt.Sprintf("TXT record at %s does not hold the expected value", name)
}
