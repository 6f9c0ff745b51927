package main

import (
	"context"
	"fmt"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// kinds are the operator's kinds, in dependency order; all are in the
// enterprise-operator category.
var kinds = []struct {
	kind       string
	namespaced bool
}{
	{"PlatformConfig", false},
	{"Enterprise", true},
	{"EnterpriseRole", true},
	{"EnterpriseUser", true},
	{"UserGroup", true},
	{"Domain", true},
	{"Webhook", true},
}

// objState is one sample's Ready condition.
type objState struct {
	id      string // Kind namespace/name
	name    string
	ready   bool
	reason  string
	message string
}

func (d *demo) listObjects(ctx context.Context) ([]unstructured.Unstructured, error) {
	var all []unstructured.Unstructured
	for _, k := range kinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(k.kind + "List"))
		var opts []client.ListOption
		if k.namespaced {
			opts = append(opts, client.InNamespace(demoNS))
		}
		if err := d.c.List(ctx, l, opts...); err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.kind, err)
		}
		for _, o := range l.Items {
			if o.GetKind() == "" {
				o.SetKind(k.kind)
			}
			all = append(all, o)
		}
	}
	return all, nil
}

func stateOf(o unstructured.Unstructured) objState {
	id := o.GetKind() + " " + o.GetName()
	if o.GetNamespace() != "" {
		id = o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
	}
	s := objState{id: id, name: o.GetName(), reason: "NoReadyCondition", message: "the operator has not reported a Ready condition yet"}
	conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != v1alpha1.ConditionReady {
			continue
		}
		s.reason, _ = m["reason"].(string)
		s.message, _ = m["message"].(string)
		og, _, _ := unstructured.NestedInt64(m, "observedGeneration")
		s.ready = m["status"] == string(metav1.ConditionTrue) && (og == 0 || og == o.GetGeneration())
		if m["status"] == string(metav1.ConditionTrue) && !s.ready {
			s.reason, s.message = "Stale", fmt.Sprintf("Ready is for generation %d, the object is at %d", og, o.GetGeneration())
		}
	}
	return s
}

func (d *demo) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(d.opts.timeout)
	announced := map[string]bool{}
	published := map[string]string{} // domain id → record value published
	var lastReport time.Time
	for {
		objs, err := d.listObjects(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return err
		}
		if len(objs) == 0 {
			return fmt.Errorf("no objects found after applying %s", samplesDir)
		}
		var waiting []objState
		for _, o := range objs {
			s := stateOf(o)
			if o.GetKind() == "Domain" {
				if err := d.publishDomainRecord(ctx, o, published); err != nil {
					return err
				}
			}
			if s.ready {
				if !announced[s.id] {
					announced[s.id] = true
					fmt.Printf("  [%5s] ✓ %s is Ready (%s)\n", d.elapsed(), s.id, s.reason)
				}
				continue
			}
			waiting = append(waiting, s)
		}
		if len(waiting) == 0 {
			fmt.Printf("  [%5s] all %d objects are Ready\n", d.elapsed(), len(objs))
			return nil
		}
		if time.Since(lastReport) >= 5*time.Second {
			lastReport = time.Now()
			fmt.Printf("  [%5s] waiting for %d of %d:\n", d.elapsed(), len(waiting), len(objs))
			for _, s := range waiting {
				fmt.Printf("            - %s: %s: %s\n", s.id, s.reason, s.message)
			}
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "\ndemo: timed out after %s; %d of %d objects are not Ready:\n", d.opts.timeout, len(waiting), len(objs))
			for _, s := range waiting {
				fmt.Fprintf(os.Stderr, "  - %s: Ready reason %s: %s\n", s.id, s.reason, s.message)
			}
			for _, s := range waiting {
				if lines := grepLines(d.manager.LogPath, s.name, 10); len(lines) > 0 {
					fmt.Fprintf(os.Stderr, "--- manager log lines about %s (last %d) ---\n", s.id, len(lines))
					for _, l := range lines {
						fmt.Fprintln(os.Stderr, "  "+l)
					}
				}
			}
			printTail(d.manager.LogPath, 40)
			return fmt.Errorf("not every sample became Ready within %s (logs: %s/manager.log, %s/platform-sim.log)", d.opts.timeout, outDir, outDir)
		}
		for _, p := range []*testenv.Proc{d.manager, d.sim} {
			if err := p.Crashed(); err != nil {
				printTail(p.LogPath, 30)
				return err
			}
		}
		if err := sleep(ctx, time.Second); err != nil {
			return errInterrupted
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
