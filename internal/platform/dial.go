package platform

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress is wrapped by every error of a connection the client refused
// because it would reach a link-local or cloud instance metadata address (test with
// errors.Is). Those services hand out the node's cloud credentials to whoever asks
// from the node, so a PlatformConfig must never be able to make the operator ask,
// whether its baseURL or tokenURL names such an address, a host name resolves to
// one, or the platform redirects there. The Client returns it as a KindForbiddenAddress
// *Error, which is never retried.
var ErrForbiddenAddress = errors.New("platform: link-local and cloud metadata addresses are never contacted")

// AddressError messages: what the address is, and the rule.
const (
	msgForbiddenAddress   = "platform: refusing to connect to %s, %s: the operator never connects to link-local or cloud metadata addresses"
	whyLinkLocal          = "a link-local address (cloud instance metadata services listen at 169.254.169.254)"
	whyLinkLocalMulticast = "a link-local multicast address"
	whyAWSMetadataIPv6    = "the AWS instance metadata service's IPv6 address"
	whyAlibabaMetadata    = "the Alibaba Cloud instance metadata service's address"
	whyMetadataHostName   = "a cloud instance metadata host name"
	whyUnparsable         = "an address that could not be parsed, so it could not be checked"
)

// Cloud instance metadata addresses outside the link-local ranges.
var (
	awsMetadataIPv6 = netip.MustParseAddr("fd00:ec2::254")
	alibabaMetadata = netip.MustParseAddr("100.100.100.200")
)

// AddressError is a connection the client refused; it wraps ErrForbiddenAddress.
// It names the address and never carries a request or a credential.
type AddressError struct {
	// Addr is what the connection would have reached: the resolved ip:port at dial
	// time, or the request's host when a proxy would have made the connection.
	Addr string
	// Why says what the address is.
	Why string
}

func (e *AddressError) Error() string { return fmt.Sprintf(msgForbiddenAddress, e.Addr, e.Why) }

// Is makes errors.Is(err, ErrForbiddenAddress) true.
func (e *AddressError) Is(target error) bool { return target == ErrForbiddenAddress }

// forbiddenIP says why the client must not connect to ip, or "" when it may. IPv4
// addresses written as IPv4-mapped IPv6 (::ffff:169.254.169.254) are checked as the
// IPv4 address they reach. Loopback stays allowed: the platform simulator listens
// there.
func forbiddenIP(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	switch {
	case ip.IsLinkLocalUnicast():
		return whyLinkLocal
	case ip.IsLinkLocalMulticast():
		return whyLinkLocalMulticast
	case ip == awsMetadataIPv6:
		return whyAWSMetadataIPv6
	case ip == alibabaMetadata:
		return whyAlibabaMetadata
	}
	return ""
}

// checkDialAddress is the dialer's Control function. It runs for every connection
// attempt, after DNS resolution, with the ip:port about to be connected to: it is the
// only place that sees where a host name (or a redirect) really leads. DNS queries
// themselves do not pass here, so a resolver at a link-local address (AWS's
// 169.254.169.253) keeps working.
func checkDialAddress(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Not expected for TCP; refuse rather than connect somewhere unchecked.
		return &AddressError{Addr: address, Why: whyUnparsable}
	}
	if why := forbiddenIP(ap.Addr()); why != "" {
		return &AddressError{Addr: address, Why: why}
	}
	return nil
}

// metadataHostNames are the cloud metadata host names admission refuses too
// (lower case, without the trailing dot).
var metadataHostNames = map[string]bool{
	"metadata.google.internal": true,
	"metadata.goog":            true,
	"metadata":                 true,
}

// checkProxiedHost refuses a request a proxy would carry to a forbidden address. Through
// a proxy the operator connects only to the proxy, so checkDialAddress sees the proxy's
// address, never the target's; this catches the target when it is an IP literal or a
// metadata host name. Where any other host name resolves is up to the proxy and its
// own egress policy.
func checkProxiedHost(u *url.URL) error {
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if why := forbiddenIP(ip); why != "" {
			return &AddressError{Addr: u.Host, Why: why}
		}
		return nil
	}
	if metadataHostNames[strings.TrimSuffix(strings.ToLower(host), ".")] {
		return &AddressError{Addr: u.Host, Why: whyMetadataHostName}
	}
	return nil
}

// guardProxy wraps a Transport.Proxy function with checkProxiedHost for the requests it
// sends through a proxy.
func guardProxy(proxy func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	if proxy == nil {
		return nil
	}
	return func(req *http.Request) (*url.URL, error) {
		p, err := proxy(req)
		if err != nil || p == nil {
			return p, err
		}
		if err := checkProxiedHost(req.URL); err != nil {
			return nil, err
		}
		return p, nil
	}
}

// newTransport is http.DefaultTransport's configuration (HTTP(S)_PROXY from the
// environment included) with a dialer that refuses forbidden addresses after DNS
// resolution. Both the API and the OAuth2 token requests use it. resolver is nil
// except in tests.
func newTransport(resolver *net.Resolver) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{
		// http.DefaultTransport's dialer settings.
		Timeout:        30 * time.Second,
		KeepAlive:      30 * time.Second,
		Resolver:       resolver,
		ControlContext: checkDialAddress,
	}
	t.DialContext = d.DialContext
	t.Proxy = guardProxy(t.Proxy)
	return t
}
