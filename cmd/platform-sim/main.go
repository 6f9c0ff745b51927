// Command platform-sim runs the platform simulator (internal/platformsim) as a
// standalone process: the whole contract of openapi/platform.yaml over an in-memory
// state, a token endpoint, an embedded DNS server for domain verification, fault
// injection and admin endpoints. See docs/simulator.md.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"enterprise-operator/internal/platformsim"
)

// Demo credentials printed at start; override them with flags.
const (
	defaultClientID     = "demo"
	defaultClientSecret = "demo-secret"
	defaultToken        = "demo-token"
	demoCompanyID       = "demoCompany01"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "platform-sim:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		addr         = flag.String("addr", "127.0.0.1:8089", "listen address of the API and admin endpoints")
		dnsAddr      = flag.String("dns-addr", "127.0.0.1:0", "listen address (UDP+TCP) of the embedded DNS server; port 0 picks a free one")
		resolver     = flag.String("resolver", "", "DNS server (host:port) domain verification queries instead of the embedded one")
		specPath     = flag.String("spec", "", "read the contract from this file instead of the embedded copy")
		tokenTTL     = flag.Duration("token-ttl", time.Hour, "lifetime of tokens issued by /connect/token")
		clientID     = flag.String("client-id", defaultClientID, "demo credential client id")
		clientSecret = flag.String("client-secret", defaultClientSecret, "demo credential client secret")
		token        = flag.String("token", defaultToken, "demo static bearer token (empty: none)")
		adminToken   = flag.String("admin-token", "", "require 'Authorization: Bearer <token>' on /admin/ endpoints")
		insecure     = flag.Bool("allow-insecure-webhooks", false, "accept http:// webhook URLs (local receivers)")
		webhookCA    = flag.String("webhook-ca-file", "", "PEM file of CA certificates to trust, besides the system's, when delivering webhook tests (a local https receiver)")
		latency      = flag.Duration("latency", 0, "fault: delay every API request")
		errorRate    = flag.String("error-rate", "", "fault: operationId=fraction[,...] of requests answered 500/503 ('*' for all)")
		errorStatus  = flag.Int("error-status", 0, "fault: status of injected errors, 500 or 503 (0: either)")
		rateLimit    = flag.Float64("rate-limit", 0, "fault: server-side rate limit in requests per second (0: off)")
		rateBurst    = flag.Int("rate-burst", 0, "fault: rate limit bucket size (0: ceil(rate-limit))")
		dropResponse = flag.String("drop-response", "", "fault: operationId=N[,...]: commit the next N calls, then drop the connection")
		seed         = flag.Int64("seed", 0, "seed for ids and random faults (0: random)")
		quiet        = flag.Bool("quiet", false, "do not log requests")
	)
	flag.Parse()

	faults := platformsim.Faults{Latency: platformsim.Duration(*latency), ErrorStatus: *errorStatus,
		RateLimit: *rateLimit, RateBurst: *rateBurst}
	if *errorRate != "" {
		m, err := platformsim.ParseOpFloats(*errorRate)
		if err != nil {
			return fmt.Errorf("--error-rate: %w", err)
		}
		faults.ErrorRate = m
	}
	if *dropResponse != "" {
		m, err := platformsim.ParseOpFloats(*dropResponse)
		if err != nil {
			return fmt.Errorf("--drop-response: %w", err)
		}
		faults.DropResponse = map[string]int{}
		for op, n := range m {
			faults.DropResponse[op] = int(n)
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *quiet {
		logger = slog.New(slog.DiscardHandler)
	}
	demo := platformsim.Credential{ClientID: *clientID, ClientSecret: *clientSecret, Name: "Demo operator"}
	if *token != "" {
		demo.Tokens = []string{*token}
	}
	opts := platformsim.Options{
		Addr:            *addr,
		SpecPath:        *specPath,
		TokenTTL:        *tokenTTL,
		AdminToken:      *adminToken,
		DNSAddr:         *resolver,
		EmbeddedDNSAddr: *dnsAddr,
		Credentials: []platformsim.Credential{
			demo,
			{ClientID: "reseller", ClientSecret: "reseller-secret", Name: "Demo reseller", Reseller: true,
				CompanyIDs: []string{demoCompanyID}},
		},
		Companies:                []platformsim.Company{{ResourceID: demoCompanyID, Name: "Demo Company", LicenseTargetUserLimit: 100}},
		AllowInsecureWebhookURLs: *insecure,
		Faults:                   faults,
		Seed:                     *seed,
		Logger:                   logger,
	}

	if *webhookCA != "" {
		c, err := webhookClient(*webhookCA)
		if err != nil {
			return fmt.Errorf("--webhook-ca-file: %w", err)
		}
		opts.WebhookClient = c
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := platformsim.Start(ctx, opts)
	if err != nil {
		return err
	}
	url := s.URL()
	fmt.Printf("platform-sim listening on %s\n", url)
	if d := s.DNS(); d != nil {
		fmt.Printf("embedded DNS server on %s (udp+tcp); publish records with POST %s/admin/dns\n", d.Addr(), url)
	} else {
		fmt.Printf("domain verification queries the DNS server at %s\n", *resolver)
	}
	fmt.Printf("demo credential: client_id=%s client_secret=%s\n", *clientID, *clientSecret)
	if *token != "" {
		fmt.Printf("static bearer token: %s\n", *token)
	}
	fmt.Printf("reseller credential: client_id=reseller client_secret=reseller-secret (manages company %s)\n", demoCompanyID)
	fmt.Printf("try: curl -s -X POST %s/connect/token -d grant_type=client_credentials -d client_id=%s -d client_secret=%s\n",
		url, shellQuote(*clientID), shellQuote(*clientSecret))
	if !faultsEmpty(faults) {
		fmt.Printf("faults: %+v\n", faults)
	}

	<-ctx.Done()
	stop()
	fmt.Println("platform-sim: shutting down")
	return s.Close()
}

// webhookClient returns the client webhook test deliveries use when --webhook-ca-file
// is set: the system roots plus the certificates in caFile, and the simulator's
// default 5s delivery timeout.
func webhookClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile) //nolint:gosec // the operator of the simulator names the file
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no PEM certificate in %s", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}, nil
}

func faultsEmpty(f platformsim.Faults) bool {
	return f.Latency == 0 && len(f.ErrorRate) == 0 && f.RateLimit == 0 && len(f.DropResponse) == 0
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
