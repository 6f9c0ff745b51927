package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

func (d *demo) startSimulator(ctx context.Context) error {
	logPath := filepath.Join(outDir, "platform-sim.log")
	d.step("starting the platform simulator on http://%s (bin/platform-sim, log %s)", simAddr, logPath)
	var err error
	d.sim, err = testenv.StartProc("platform-sim", logPath, os.Environ(), "bin/platform-sim",
		"--addr="+simAddr, "--dns-addr=127.0.0.1:0", "--token="+simToken)
	if err != nil {
		return err
	}
	d.onCleanup(func() {
		fmt.Println("demo: stopping the platform simulator")
		stop(d.sim, 10*time.Second)
	})
	if _, err := testenv.WaitSimulator(ctx, d.sim, 30*time.Second); err != nil {
		return err
	}
	// The token it accepts is the one we passed; confirm from its banner.
	for _, l := range d.sim.Tail(50) {
		if v, ok := strings.CutPrefix(l, "static bearer token: "); ok && strings.TrimSpace(v) != simToken {
			// Neither value is printed: a token is a credential even in a demo.
			return fmt.Errorf("the simulator accepts another static token than the one the demo passed it (see its log)")
		}
		if strings.HasPrefix(l, "embedded DNS server on ") {
			fmt.Println("    " + l)
		}
	}
	return nil
}

// publishDomainRecord publishes the TXT record a Domain asks for (status.record) on
// the simulator's DNS server through its admin endpoint, then asks the operator for
// an immediate re-check with the recheck annotation.
func (d *demo) publishDomainRecord(ctx context.Context, o unstructured.Unstructured, published map[string]string) error {
	name, _, _ := unstructured.NestedString(o.Object, "status", "record", "name")
	value, _, _ := unstructured.NestedString(o.Object, "status", "record", "value")
	state, _, _ := unstructured.NestedString(o.Object, "status", "verificationState")
	key := o.GetNamespace() + "/" + o.GetName()
	if name == "" || value == "" || state == string(v1alpha1.DomainVerificationVerified) || published[key] == name+"="+value {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"name": name, "values": []string{value}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+simAddr+"/admin/dns", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("publishing the DNS record of Domain %s: %w", key, err)
	}
	msg, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("publishing the DNS record of Domain %s: POST /admin/dns: %s: %s", key, resp.Status, strings.TrimSpace(string(msg)))
	}
	published[key] = name + "=" + value
	fmt.Printf("  [%5s] published TXT %s = %q on the simulator's DNS server (POST /admin/dns)\n", d.elapsed(), name, value)

	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, v1alpha1.AnnotationRecheckDomain, time.Now().UTC().Format(time.RFC3339Nano))
	dom := &unstructured.Unstructured{}
	dom.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("Domain"))
	dom.SetNamespace(o.GetNamespace())
	dom.SetName(o.GetName())
	if err := d.c.Patch(ctx, dom, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return fmt.Errorf("annotating Domain %s with %s: %w", key, v1alpha1.AnnotationRecheckDomain, err)
	}
	fmt.Printf("  [%5s] annotated Domain %s with %s to re-check now\n", d.elapsed(), key, v1alpha1.AnnotationRecheckDomain)
	return nil
}
