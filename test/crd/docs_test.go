package crd_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// undocumented returns the paths of the properties under schema (recursively, through
// nested objects, array items and maps) that have no description.
func undocumented(path string, schema apiextensionsv1.JSONSchemaProps) []string {
	var missing []string
	names := make([]string, 0, len(schema.Properties))
	for name := range schema.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		prop := schema.Properties[name]
		p := path + "." + name
		if strings.TrimSpace(prop.Description) == "" {
			missing = append(missing, p)
		}
		missing = append(missing, undocumented(p, prop)...)
	}
	if schema.Items != nil && schema.Items.Schema != nil {
		missing = append(missing, undocumented(path+"[]", *schema.Items.Schema)...)
	}
	if schema.AdditionalProperties != nil && schema.AdditionalProperties.Schema != nil {
		missing = append(missing, undocumented(path+"{}", *schema.AdditionalProperties.Schema)...)
	}
	return missing
}

var _ = Describe("the generated CRDs in config/crd/bases", func() {
	It("document every spec field (kubectl explain has text for each)", func() {
		files, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(HaveLen(7))

		checked := 0
		for _, file := range files {
			data, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			crd := &apiextensionsv1.CustomResourceDefinition{}
			Expect(yaml.Unmarshal(data, crd)).To(Succeed(), file)
			Expect(crd.Spec.Versions).NotTo(BeEmpty(), file)

			for _, v := range crd.Spec.Versions {
				Expect(v.Schema).NotTo(BeNil())
				Expect(v.Schema.OpenAPIV3Schema).NotTo(BeNil())
				root := v.Schema.OpenAPIV3Schema
				Expect(root.Description).NotTo(BeEmpty(), "%s: the kind has no description", crd.Name)

				spec, ok := root.Properties["spec"]
				Expect(ok).To(BeTrue(), "%s has no spec", crd.Name)
				Expect(spec.Description).NotTo(BeEmpty(), "%s: spec has no description", crd.Name)
				Expect(spec.Properties).NotTo(BeEmpty(), "%s: spec has no properties", crd.Name)
				Expect(undocumented(crd.Spec.Names.Kind+".spec", spec)).To(BeEmpty(),
					"%s has spec fields without a description", crd.Name)
				checked++
			}
		}
		Expect(checked).To(Equal(7))
	})

	It("the walk finds undocumented nested fields", func() {
		schema := apiextensionsv1.JSONSchemaProps{Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"a": {Description: "documented", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
				Properties: map[string]apiextensionsv1.JSONSchemaProps{"b": {}},
			}}},
			"c": {},
		}}
		Expect(undocumented("x", schema)).To(Equal([]string{"x.a[].b", "x.c"}))
	})
})
