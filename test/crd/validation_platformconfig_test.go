package crd_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var (
	bearer = map[string]any{"tokenSecretRef": map[string]any{"namespace": "platform-system", "name": "platform-token", "key": "token"}}
	oauth2 = map[string]any{
		"tokenURL":             "https://auth.platform.example.com/connect/token",
		"credentialsSecretRef": map[string]any{"namespace": "platform-system", "name": "platform-client"},
	}
)

// platformConfigRejections are the invalid PlatformConfig manifests of the
// "rejects invalid manifests" table in validation_test.go.
func platformConfigRejections() []TableEntry {
	return []TableEntry{
		Entry("PlatformConfig: baseURL over plain http to a remote host", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL (plain http is allowed only for localhost, 127.0.0.1 or [::1]",
			set("spec.baseURL", "http://api.platform.example.com/v1"))),
		Entry("PlatformConfig: baseURL that is not a URL", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL", set("spec.baseURL", "api.platform.example.com"))),
		Entry("PlatformConfig: baseURL with another scheme", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL", set("spec.baseURL", "ftp://api.platform.example.com"))),
		Entry("PlatformConfig: http to a host that only starts like localhost", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL", set("spec.baseURL", "http://localhost.evil.example.com"))),
		Entry("PlatformConfig: baseURL missing", rejectCreate(validPlatformConfig,
			"spec.baseURL: Required value", del("spec.baseURL"))),
		Entry("PlatformConfig: both auth methods", rejectCreate(validPlatformConfig,
			"exactly one of auth.oauth2 or auth.bearerToken must be set", set("spec.auth.oauth2", oauth2))),
		Entry("PlatformConfig: no auth method", rejectCreate(validPlatformConfig,
			"exactly one of auth.oauth2 or auth.bearerToken must be set", set("spec.auth", map[string]any{}))),
		Entry("PlatformConfig: auth missing", rejectCreate(validPlatformConfig,
			"spec.auth: Required value", del("spec.auth"))),
		Entry("PlatformConfig: switching to both auth methods on update", rejectUpdate(validPlatformConfigOAuth2,
			"exactly one of auth.oauth2 or auth.bearerToken must be set", set("spec.auth.bearerToken", bearer))),
		Entry("PlatformConfig: oauth2 tokenURL over plain http", rejectCreate(validPlatformConfigOAuth2,
			"tokenURL must be an https URL", set("spec.auth.oauth2.tokenURL", "http://auth.platform.example.com/token"))),
		Entry("PlatformConfig: oauth2 credentialsSecretRef without namespace", rejectCreate(validPlatformConfigOAuth2,
			"spec.auth.oauth2.credentialsSecretRef.namespace: Required value", del("spec.auth.oauth2.credentialsSecretRef.namespace"))),
		Entry("PlatformConfig: oauth2 empty scope", rejectCreate(validPlatformConfigOAuth2,
			"spec.auth.oauth2.scopes[0]", set("spec.auth.oauth2.scopes", strs("")))),
		Entry("PlatformConfig: bearer tokenSecretRef without key", rejectCreate(validPlatformConfig,
			"spec.auth.bearerToken.tokenSecretRef.key: Required value", del("spec.auth.bearerToken.tokenSecretRef.key"))),
		Entry("PlatformConfig: companyIDHeader that is no header name", rejectCreate(validPlatformConfig,
			"companyIDHeader must be a valid HTTP header name", set("spec.companyIDHeader", "X Company Id"))),
		Entry("PlatformConfig: companyID with a space", rejectCreate(validPlatformConfig,
			"companyID must be printable ASCII without spaces", set("spec.companyID", "acme corp"))),
		Entry("PlatformConfig: requestsPerSecond below 1", rejectCreate(validPlatformConfig,
			"spec.rateLimit.requestsPerSecond in body should be greater than or equal to 1", set("spec.rateLimit.requestsPerSecond", int64(0)))),
		Entry("PlatformConfig: requestsPerSecond above 1000", rejectCreate(validPlatformConfig,
			"spec.rateLimit.requestsPerSecond in body should be less than or equal to 1000", set("spec.rateLimit.requestsPerSecond", int64(1001)))),
		Entry("PlatformConfig: burst below 1", rejectCreate(validPlatformConfig,
			"spec.rateLimit.burst in body should be greater than or equal to 1", set("spec.rateLimit.burst", int64(0)))),

		Entry("PlatformConfig: adoption by namespace selector without the selector", rejectCreate(validPlatformConfig,
			"adoption.namespaceSelector is required when adoption.policy is NamespaceSelector",
			set("spec.adoption", map[string]any{"policy": "NamespaceSelector"}))),
		Entry("PlatformConfig: adoption None with a selector", rejectCreate(validPlatformConfig,
			"adoption.namespaceSelector is used only with adoption.policy NamespaceSelector",
			set("spec.adoption", map[string]any{"policy": "None", "namespaceSelector": map[string]any{}}))),
		Entry("PlatformConfig: adoption selector without a policy (defaults to None)", rejectCreate(validPlatformConfig,
			"adoption.namespaceSelector is used only with adoption.policy NamespaceSelector",
			set("spec.adoption", map[string]any{"namespaceSelector": map[string]any{}}))),
		Entry("PlatformConfig: unknown adoption policy", rejectCreate(validPlatformConfig,
			`Unsupported value: "Anyone"`, set("spec.adoption", map[string]any{"policy": "Anyone"}))),
	}
}

// urlField is a PlatformConfig URL field that admission checks for link-local and
// cloud metadata addresses, and a manifest that has it.
type urlField struct {
	name, path, manifest string
}

var urlFields = []urlField{
	{"baseURL", "spec.baseURL", validPlatformConfig},
	{"tokenURL", "spec.auth.oauth2.tokenURL", validPlatformConfigOAuth2},
}

// The start of each rule's message, after the field name.
const (
	msgLinkLocal    = "must not point at a link-local or cloud metadata address"
	msgOddIPv6      = "must write its host plainly"
	msgMetadataHost = "must not point at a cloud metadata host name"
)

// forbiddenURLs reach a cloud instance metadata service (or another link-local
// address); each must be refused in both fields, with the message of the rule that
// catches it.
var forbiddenURLs = []struct{ url, want string }{
	{"https://169.254.169.254/latest/meta-data/", msgLinkLocal},
	{"https://169.254.169.254:443", msgLinkLocal},
	{"http://169.254.169.254/", msgLinkLocal}, // refused by the https rule as well
	{"https://169.254.170.2/v2/credentials", msgLinkLocal},
	{"https://169.254.0.1/", msgLinkLocal},
	{"https://user@169.254.169.254/", msgLinkLocal},
	{"https://[fe80::1]/", msgLinkLocal},
	{"https://[FE80::a9fe:a9fe]:8443/", msgLinkLocal},
	{"https://[febf:ffff::1]/", msgLinkLocal},
	{"https://[fd00:ec2::254]/latest/meta-data/", msgLinkLocal},
	{"https://100.100.100.200/latest/meta-data/", msgLinkLocal},
	{"https://224.0.0.251/", msgLinkLocal},
	{"https://[ff02::1]/", msgLinkLocal},
	{"https://[::ffff:169.254.169.254]/", msgOddIPv6},
	{"https://[::ffff:a9fe:a9fe]/", msgOddIPv6},
	{"https://[0:0:0:0:0:ffff:6464:64c8]/", msgOddIPv6},
	{"https://[fe80::1%25eth0]/", msgOddIPv6},
	{"https://metadata.google.internal/computeMetadata/v1/", msgMetadataHost},
	{"https://METADATA.Google.Internal./", msgMetadataHost},
	{"https://metadata.goog/", msgMetadataHost},
	{"https://metadata:8080/", msgMetadataHost},
	{"https://metadata./", msgMetadataHost},
	{"http://metadata/", msgMetadataHost},
}

// allowedURLs look like the forbidden ones but are ordinary hosts.
var allowedURLs = []string{
	"https://api.platform.example.com/v1",
	"https://API.Platform.Example.com:8443/v1?x=1#top",
	"https://203.0.113.10:8443/v1",
	"https://10.0.0.5/",
	"https://[2001:db8::1]/v1",
	"https://[fd00:ec2::253]/",
	"https://100.100.100.201/",
	"https://169.254.example.com/",
	"https://metadata.example.com/",
	"https://my-metadata/",
	"http://127.0.0.1:8089/v1",
	"http://[::1]:8089",
	"http://localhost:8089",
}

func forbiddenURLEntries() []TableEntry {
	var out []TableEntry
	for _, f := range urlFields {
		for _, c := range forbiddenURLs {
			out = append(out, Entry(f.name+" "+c.url, f, c.url, f.name+" "+c.want))
		}
	}
	return out
}

func allowedURLEntries() []TableEntry {
	var out []TableEntry
	for _, f := range urlFields {
		for _, u := range allowedURLs {
			out = append(out, Entry(f.name+" "+u, f, u))
		}
	}
	return out
}

var _ = Describe("PlatformConfig URLs and cloud metadata addresses", func() {
	DescribeTable("are refused at admission in baseURL and tokenURL",
		func(f urlField, url, want string) {
			u := mustOne(f.manifest)
			set(f.path, url)(u)
			err := k8sClient.Create(ctx, u)
			if err == nil {
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
			}
			Expect(err).To(HaveOccurred(), "the API server accepted %s %q", f.name, url)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected 422 Invalid, got: %v", err)
			Expect(err.Error()).To(ContainSubstring(want))
		},
		forbiddenURLEntries(),
	)

	DescribeTable("do not catch ordinary hosts",
		func(f urlField, url string) {
			u := mustOne(f.manifest)
			set(f.path, url)(u)
			Expect(k8sClient.Create(ctx, u)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		},
		allowedURLEntries(),
	)
})
