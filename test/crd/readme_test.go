package crd_test

import (
	"os"
	"path/filepath"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// yamlBlocks finds the ```yaml blocks of a Markdown file.
var yamlBlocks = regexp.MustCompile("(?s)```yaml\n(.*?)```")

var _ = Describe("the examples in README.md", func() {
	It("are accepted by the API server as written", func() {
		readmeNS := ownNamespace("crd-readme-")
		data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
		Expect(err).NotTo(HaveOccurred())
		kinds := map[string]bool{}
		for _, m := range yamlBlocks.FindAllSubmatch(data, -1) {
			for _, u := range decodeYAML(m[1]) {
				kinds[u.GetKind()] = true
				// Distinct names, so the README's tenant does not collide with the samples.
				u.SetName("readme-" + u.GetName())
				intoNamespaceNamed(u, readmeNS)
				// Strict: a misspelt field in the README is an error, not a dropped field.
				Expect(k8sClient.Create(ctx, u, client.FieldValidation("Strict"))).
					To(Succeed(), "README example %s/%s was rejected", u.GetKind(), u.GetName())
			}
		}
		Expect(kinds).To(HaveLen(7), "one example per kind")
	})
})
