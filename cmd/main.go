// Command manager runs enterprise-operator's controllers.
package main

import (
	"crypto/tls"
	"flag"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller"
	"enterprise-operator/internal/controller/managed"
)

// version is stamped at build time (-ldflags "-X main.version=...") and sent to the
// platform in the User-Agent.
var version = "dev"

// gcPercent is the manager's GOGC unless the environment sets one. Its heap is mostly
// the informer cache and the platform list snapshots, which live as long as the
// process, and its resident memory follows the collector's heap goal, (1 + GOGC/100)
// times the live heap: collecting at 25% growth instead of Go's default 100% keeps it
// at 1.25 times. The price is CPU during bursts of reconciles (creates, restarts); at
// steady state the operator allocates little and collects rarely (docs/scale.md).
const gcPercent = 25

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	var (
		metricsAddr, probeAddr, watchNamespaces string
		leaderElectionNamespace, pprofAddr      string
		leaderElect, secureMetrics              bool
		resync, credCheck                       time.Duration
		concurrency                             int
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address the metrics endpoint binds to; \"0\" disables it.")
	flag.BoolVar(&secureMetrics, "metrics-secure", false, "Serve metrics over HTTPS with authentication and authorization.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	flag.StringVar(&pprofAddr, "pprof-bind-address", "",
		"Address Go's pprof endpoints (/debug/pprof/) bind to, e.g. 127.0.0.1:6060; empty (the default) disables them. They expose the process's memory: bind to loopback and port-forward.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	flag.StringVar(&leaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader-election Lease; empty: the namespace the manager runs in (required outside a cluster).")
	flag.DurationVar(&resync, "resync-interval", managed.DefaultResyncInterval,
		"How often an in-sync object is re-read from the platform to detect drift (jittered; per-object annotation "+v1alpha1.AnnotationResyncInterval+" overrides).")
	flag.DurationVar(&credCheck, "credential-check-interval", controller.DefaultCredentialCheckInterval, "How often PlatformConfig credentials are re-validated.")
	flag.IntVar(&concurrency, "max-concurrent-reconciles", controller.DefaultMaxConcurrentReconciles, "Reconciles run in parallel per kind.")
	flag.StringVar(&watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces to watch; empty watches all. "+
		"Rotated PlatformConfig credentials in a namespace not listed (or in a Secret without the label "+
		v1alpha1.LabelSecret+"=true) take effect at the next credential check.")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))

	var namespaces []string
	for _, ns := range strings.Split(watchNamespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			namespaces = append(namespaces, ns)
		}
	}

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme: scheme,
		Cache:  controller.CacheOptions(namespaces),
		Metrics: metricsserver.Options{
			BindAddress:   metricsAddr,
			SecureServing: secureMetrics,
			// HTTP/2 is disabled against the HTTP/2 rapid-reset class of attacks.
			TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
		},
		HealthProbeBindAddress:  probeAddr,
		LeaderElection:          leaderElect,
		LeaderElectionID:        "enterprise-operator.platform.enterprise-operator.dev",
		LeaderElectionNamespace: leaderElectionNamespace,
		PprofBindAddress:        pprofAddr,
	})
	if err != nil {
		log.Error(err, "unable to create manager")
		os.Exit(1)
	}
	ctx := ctrl.SetupSignalHandler()
	if err := controller.SetupWithManager(ctx, mgr, controller.Options{
		ResyncInterval:          resync,
		CredentialCheckInterval: credCheck,
		MaxConcurrentReconciles: concurrency,
		UserAgent:               "enterprise-operator/" + version,
	}); err != nil {
		log.Error(err, "unable to set up controllers")
		os.Exit(1)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		log.Error(err, "unable to set up health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		log.Error(err, "unable to set up ready check")
		os.Exit(1)
	}
	log.Info("starting manager", "version", version)
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "manager exited with an error")
		os.Exit(1)
	}
}
