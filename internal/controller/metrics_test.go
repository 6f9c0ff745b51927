package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// metricValue sums the samples of one metric family whose labels include want.
func metricValue(name string, want map[string]string) (float64, bool) {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	found := false
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if !hasLabels(m, want) {
				continue
			}
			found = true
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum, found
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

var _ = Describe("platform metrics", func() {
	It("count the operator's platform requests by PlatformConfig, operation and status code", func() {
		created := map[string]string{"platformconfig": configName, "operation": "createEnterprise", "code": "200"}
		before, _ := metricValue("enterprise_operator_platform_requests_total", created)
		readyEnterprise()

		after, found := metricValue("enterprise_operator_platform_requests_total", created)
		Expect(found).To(BeTrue(), "no createEnterprise sample")
		Expect(after).To(BeNumerically(">=", before+1))
		Expect(sim.CallCount("createEnterprise")).To(BeNumerically(">=", int(after)), "never more requests counted than the platform saw")

		op := map[string]string{"platformconfig": configName, "operation": "createEnterprise"}
		var counted float64
		// The counter and the histogram are two updates: read them once both are done.
		Eventually(func(g Gomega) {
			counted, _ = metricValue("enterprise_operator_platform_requests_total", op) // every status code
			timed, found := metricValue("enterprise_operator_platform_request_duration_seconds", op)
			g.Expect(found).To(BeTrue())
			g.Expect(timed).To(Equal(counted), "every counted request is timed")
		}, eventuallyTO).Should(Succeed())
		waited, found := metricValue("enterprise_operator_platform_rate_limiter_wait_seconds", map[string]string{"platformconfig": configName})
		Expect(found).To(BeTrue())
		Expect(waited).To(BeNumerically(">=", counted), "every request waited for the limiter, if only for no time")
	})
})
