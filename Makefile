# enterprise-operator Makefile. Every tool is pinned and installed into bin/ on demand.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

LOCALBIN ?= $(CURDIR)/bin
export PATH := $(LOCALBIN):$(PATH)

CONTROLLER_GEN_VERSION ?= v0.23.0
OAPI_CODEGEN_VERSION ?= v2.8.2
GOLANGCI_LINT_VERSION ?= v2.15.0
HELM_VERSION ?= v3.22.0
REDOCLY_VERSION ?= 2.77.0
K8S_VERSION ?= v1.37.1

CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_GEN_VERSION)
OAPI_CODEGEN ?= $(LOCALBIN)/oapi-codegen-$(OAPI_CODEGEN_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

# Where the platform API contract lives; the client and the simulator's server
# interface are generated from it.
OPENAPI_SPEC ?= openapi/platform.yaml

GO_TEST_FLAGS ?= -count=1
TEST_TIMEOUT ?= 30m

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs and RBAC from the kubebuilder markers (and the namespaced install's split of it).
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=false webhook paths="./..." output:crd:artifacts:config=config/crd/bases
	go run ./hack/rbac-split -role config/rbac/role.yaml -crds config/crd/bases \
		-cluster-out config/namespaced/cluster/role.yaml -namespaced-out config/namespaced/watched/role.yaml
	@$(MAKE) --no-print-directory helm-crds

.PHONY: generate
generate: controller-gen oapi-codegen ## Generate DeepCopy methods, the platform API client and the simulator's server code.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."
	@if [ -f "$(OPENAPI_SPEC)" ]; then PATH="$(LOCALBIN):$$PATH" OAPI_CODEGEN="$(OAPI_CODEGEN)" go generate ./internal/platform/... ./internal/platformsim/apiserver/...; fi

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: golangci-lint ## Run golangci-lint.
	$(GOLANGCI_LINT) run ./...

.PHONY: lint-api
lint-api: ## Lint the platform API contract with Redocly's CLI (from npm).
	REDOCLY_TELEMETRY=off npx --yes @redocly/cli@$(REDOCLY_VERSION) lint --config openapi/redocly.yaml $(OPENAPI_SPEC)

.PHONY: verify
verify: generate manifests ## Fail if generated files are out of date.
	@if [ -n "$$(git status --porcelain -- api config internal cmd charts)" ]; then \
		echo "generated files are out of date; run 'make generate manifests' and commit:"; \
		git status --porcelain -- api config internal cmd charts; git --no-pager diff --stat; exit 1; fi

.PHONY: setup-envtest
setup-envtest: ## Build kube-apiserver, etcd and kubectl from source into bin/ (cached).
	@K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh

.PHONY: test
test: manifests generate fmt vet ## Run all tests against a real kube-apiserver + etcd.
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh)" \
		go test $(GO_TEST_FLAGS) -timeout $(TEST_TIMEOUT) ./...

FUZZTIME ?= 30s

.PHONY: fuzz
fuzz: ## Run each fuzz test for FUZZTIME (default 30s).
	go test -run='^$$' -fuzz='^FuzzHandler$$' -fuzztime=$(FUZZTIME) ./internal/platformsim
	go test -run='^$$' -fuzz='^FuzzDecodeError$$' -fuzztime=$(FUZZTIME) ./internal/platform
	go test -run='^$$' -fuzz='^FuzzDecodeResponse$$' -fuzztime=$(FUZZTIME) ./internal/platform

.PHONY: test-unit
test-unit: ## Run only the tests that need no control plane.
	go test $(GO_TEST_FLAGS) -short ./...

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager and the platform simulator into bin/.
	go build -o $(LOCALBIN)/manager ./cmd
	@if [ -d cmd/platform-sim ]; then go build -o $(LOCALBIN)/platform-sim ./cmd/platform-sim; fi

.PHONY: run
run: manifests generate fmt vet ## Run the manager from your host against the current kubeconfig.
	go run ./cmd

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig.
	kubectl apply --server-side -f config/crd/bases

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN)
$(CONTROLLER_GEN): | $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_GEN_VERSION))

.PHONY: oapi-codegen
oapi-codegen: $(OAPI_CODEGEN)
$(OAPI_CODEGEN): | $(LOCALBIN)
	$(call go-install-tool,$(OAPI_CODEGEN),github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen,$(OAPI_CODEGEN_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT)
$(GOLANGCI_LINT): | $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

# go-install-tool installs a pinned Go tool into bin/ under a versioned name, so a
# version bump in this file rebuilds it.
define go-install-tool
@[ -f "$(1)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Installing $${package}" ;\
rm -f $(1) ;\
GOBIN=$(LOCALBIN) GOWORK=off go install $${package} ;\
mv $(LOCALBIN)/$$(basename $(2)) $(1) ;\
}
endef

.PHONY: demo
demo: ## Run the operator locally against a real kube-apiserver and the platform simulator (Ctrl-C stops everything).
	go run ./hack/demo $(DEMO_FLAGS)

##@ Deployment

HELM ?= $(LOCALBIN)/helm
IMG ?= enterprise-operator:latest
# Where build-installer writes the single manifest.
INSTALLER ?= dist/install.yaml
CHART_DIR ?= charts/enterprise-operator

.PHONY: helm
helm: | $(LOCALBIN) ## Install helm $(HELM_VERSION) into bin/ (a no-op when that version is there; kept out of the operator's go.mod).
	@# `go install` leaves helm's own version string at "v3.22"; the module version is exact.
	@if [ -x "$(HELM)" ] && go version -m "$(HELM)" 2>/dev/null | awk '$$1=="mod" && $$2=="helm.sh/helm/v3" {print $$3}' | grep -qx '$(HELM_VERSION)'; then exit 0; fi; \
	echo "Installing helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)"; \
	GOBIN=$(LOCALBIN) GOWORK=off go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

.PHONY: build-installer
build-installer: setup-envtest ## Render config/default with IMG into INSTALLER (dist/install.yaml): namespace, CRDs, RBAC, Deployment, annotation policy.
	@mkdir -p dist
	@# A throwaway overlay over config/default retags the image config/manager sets, so
	@# nothing under config/ is edited. kustomize wants relative paths, hence dist/.
	@tmp="$$(mktemp -d dist/.installer.XXXXXX)"; trap 'rm -rf "$$tmp"' EXIT; \
	from="$$(awk '$$1=="newName:"{print $$2; exit}' config/manager/kustomization.yaml)"; \
	name="$(IMG)"; tag=""; digest=""; \
	if [[ "$$name" == *@* ]]; then digest="$${name#*@}"; name="$${name%%@*}"; \
	elif [[ "$${name##*/}" == *:* ]]; then tag="$${name##*:}"; name="$${name%:*}"; fi; \
	{ echo "apiVersion: kustomize.config.k8s.io/v1beta1"; echo "kind: Kustomization"; \
	  echo "resources:"; echo "- ../../config/default"; \
	  echo "images:"; echo "- name: $$from"; echo "  newName: $$name"; \
	  [ -z "$$tag" ] || echo "  newTag: \"$$tag\""; [ -z "$$digest" ] || echo "  digest: $$digest"; \
	} >"$$tmp/kustomization.yaml"; \
	"$$(K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh)/kubectl" kustomize "$$tmp" >"$$tmp/install.yaml"; \
	mkdir -p "$$(dirname "$(INSTALLER)")"; mv "$$tmp/install.yaml" "$(INSTALLER)"
	@echo "wrote $(INSTALLER) (image $(IMG))"

.PHONY: helm-crds
helm-crds: ## Copy the generated CRDs, RBAC rules and the annotation policy into the Helm chart (`make manifests` does it).
	@rm -f $(CHART_DIR)/crds/*.yaml
	@mkdir -p $(CHART_DIR)/crds $(CHART_DIR)/files
	@cp config/crd/bases/*.yaml $(CHART_DIR)/crds/
	@cp config/rbac/role.yaml $(CHART_DIR)/files/manager-role.yaml
	@cp config/rbac/leader_election_role.yaml $(CHART_DIR)/files/leader-election-role.yaml
	@cp config/namespaced/cluster/role.yaml $(CHART_DIR)/files/manager-cluster-role.yaml
	@cp config/namespaced/watched/role.yaml $(CHART_DIR)/files/manager-namespaced-role.yaml
	@cp config/policy/annotations_policy.yaml $(CHART_DIR)/files/annotations-policy.yaml
	@cp config/policy/annotations_binding.yaml $(CHART_DIR)/files/annotations-binding.yaml

.PHONY: helm-lint
helm-lint: helm ## Lint the Helm chart.
	$(HELM) lint --strict $(CHART_DIR)

.PHONY: test-install
test-install: helm setup-envtest ## Check dist/install.yaml and the Helm chart against a real kube-apiserver.
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh)" \
		go test $(GO_TEST_FLAGS) -timeout $(TEST_TIMEOUT) ./test/install/...

##@ End to end

.PHONY: test-e2e
test-e2e: ## Run the e2e tests: bin/manager and bin/platform-sim as processes against a local control plane, driven by kubectl (docs/e2e.md).
	go build -o $(LOCALBIN)/manager ./cmd
	go build -o $(LOCALBIN)/platform-sim ./cmd/platform-sim
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh)" \
		go test -tags e2e ./test/e2e/... -count=1 -timeout 20m -v

# BenchmarkScale's number of EnterpriseUsers (BENCH_N=500 for a quick run) and its go test
# timeout; 10,000 users take about a quarter of an hour on 2 cores. BENCH_CONCURRENCY, BENCH_RESYNC
# and BENCH_OUT are read from the environment too (test/bench/doc.go).
BENCH_N ?= 10000
BENCH_TIMEOUT ?= 90m

.PHONY: bench
bench: ## Benchmarks against a real kube-apiserver and the simulator: create and resync cost of 500 roles (in-process manager), then BenchmarkScale (BENCH_N users, the built manager as a process) writes docs/scale-results.md and docs/scale-ready.png.
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh)" \
		go test ./test/bench/ -run='^$$' -bench='^Benchmark(CreateToReady|SteadyStateResync)$$' -benchtime=500x -count=1 -timeout 20m
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) ./hack/setup-envtest.sh)" BENCH_N=$(BENCH_N) \
		go test ./test/bench/ -run='^$$' -bench='^BenchmarkScale$$' -benchtime=1x -count=1 -timeout $(BENCH_TIMEOUT) -v
