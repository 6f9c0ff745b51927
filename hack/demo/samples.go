package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

func (d *demo) createPrerequisites(ctx context.Context) error {
	var pc v1alpha1.PlatformConfig
	if err := readYAML(platformConfigYML, &pc); err != nil {
		return err
	}
	var wh v1alpha1.Webhook
	if err := readYAML(webhookYML, &wh); err != nil {
		return err
	}

	// The demo namespace, labelled so the PlatformConfig's namespaceSelector matches.
	labels := map[string]string{"enterprise-operator.dev/demo": "true"}
	if sel := pc.Spec.NamespaceSelector; sel != nil {
		if len(sel.MatchExpressions) > 0 {
			fmt.Printf("    note: %s has namespaceSelector.matchExpressions; only matchLabels are applied to namespace %s\n", platformConfigYML, demoNS)
		}
		for k, v := range sel.MatchLabels {
			labels[k] = string(v)
		}
	}
	d.step("creating namespaces %s and %s (labels %v)", systemNS, demoNS, labels)
	for _, ns := range []*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: systemNS}},
		{ObjectMeta: metav1.ObjectMeta{Name: demoNS, Labels: labels}},
	} {
		if err := d.c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", ns.Name, err)
		}
	}

	// Every Secret is labelled platform.enterprise-operator.dev/secret=true: the
	// operator sends a signing Secret to the platform only with it, and follows a
	// labelled token Secret's rotations at once.
	optIn := map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn}
	secrets := []*corev1.Secret{}
	if bt := pc.Spec.Auth.BearerToken; bt != nil {
		ref := bt.TokenSecretRef
		secrets = append(secrets, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name, Labels: optIn},
			StringData: map[string]string{ref.Key: simToken},
		})
	} else {
		return fmt.Errorf("%s has no spec.auth.bearerToken; the demo only knows how to provide a bearer token", platformConfigYML)
	}
	if ref := wh.Spec.SigningSecretRef; ref.Name != "" {
		key := ref.Key
		if key == "" {
			key = "secret"
		}
		secrets = append(secrets, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: demoNS, Name: ref.Name, Labels: optIn},
			StringData: map[string]string{key: testenv.RandHex(24)},
		})
	}
	for _, s := range secrets {
		fmt.Printf("    secret %s/%s (key %s)\n", s.Namespace, s.Name, keys(s.StringData))
		if err := d.c.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating secret %s/%s: %w", s.Namespace, s.Name, err)
		}
	}
	return nil
}

func readYAML(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

func keys(m map[string]string) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}
