#!/usr/bin/env bash
# Builds a real kube-apiserver, etcd and a matching kubectl from the Go module
# proxy into bin/k8s/<version>-<os>-<arch>/ and prints that directory.
#
# Why from source: the machines this project is developed and tested on reach only
# the Go module proxy (no GitHub releases, no cloud buckets), so setup-envtest's
# download cannot work. See docs/development.md for the technique.
#
# A cached run (binaries present and stamped with the right version) exits in well
# under a second. kube-apiserver is written last: its presence marks a finished build.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GOOS="$(go env GOOS)"
GOARCH="$(go env GOARCH)"
ASSETS="${ROOT}/bin/k8s/${K8S_VERSION#v}-${GOOS}-${GOARCH}"

log() { echo "setup-envtest: $*" >&2; }

if [[ -x "${ASSETS}/kube-apiserver" && -x "${ASSETS}/etcd" && -x "${ASSETS}/kubectl" ]] &&
  "${ASSETS}/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes ${K8S_VERSION}"; then
  echo "${ASSETS}"
  exit 0
fi

log "building kube-apiserver, etcd and kubectl ${K8S_VERSION} from source (cold: ~6-7 min on 2 cores)"
export GOWORK=off GOFLAGS='-mod=mod -buildvcs=false' CGO_ENABLED=0 GOTOOLCHAIN=local

gomod_json="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}")"
k8s_gomod="$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' <<<"${gomod_json}")"
[[ -f "${k8s_gomod}" ]] || { log "could not download k8s.io/kubernetes@${K8S_VERSION}"; exit 1; }

go_directive="$(awk '$1=="go"{print $2; exit}' "${k8s_gomod}")"
godebug_line="$(grep -E '^godebug ' "${k8s_gomod}" || true)"
etcd_version="$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2; exit}' "${k8s_gomod}")"
minor="$(cut -d. -f2 <<<"${K8S_VERSION}")"
patch="$(cut -d. -f3 <<<"${K8S_VERSION}")"
staging_version="v0.${minor}.${patch}"

# Staging modules k8s.io/kubernetes requires at v0.0.0 (replaced by ./staging there).
mapfile -t staging < <(awk '/^require|^\t|^\)/{print}' "${k8s_gomod}" |
  awk '$1 ~ /^k8s\.io\// && $2=="v0.0.0"{print $1}' | sort -u)

work="$(mktemp -d "${TMPDIR:-/tmp}/eo-k8s-build.XXXXXX")"
trap 'rm -rf "${work}"' EXIT
{
  echo "module eo-k8s-build"
  echo
  echo "go ${go_directive}"
  [[ -n "${godebug_line}" ]] && echo "${godebug_line}"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes ${K8S_VERSION}"
  echo "	go.etcd.io/etcd/server/v3 ${etcd_version}"
  echo ")"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	${m} => ${m} ${staging_version}"; done
  echo ")"
} >"${work}/go.mod"
printf 'package tools\n' >"${work}/tools.go"

cd "${work}"
go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" \
  "go.etcd.io/etcd/server/v3@${etcd_version}" >&2

ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
done

mkdir -p "${ASSETS}"
rm -f "${ASSETS}/kube-apiserver"
log "building etcd ${etcd_version}"
go build -trimpath -ldflags "${ldflags}" -o "${ASSETS}/etcd" go.etcd.io/etcd/server/v3
log "building kubectl ${K8S_VERSION}"
go build -trimpath -ldflags "${ldflags}" -o "${ASSETS}/kubectl" k8s.io/kubernetes/cmd/kubectl
log "building kube-apiserver ${K8S_VERSION}"
go build -trimpath -ldflags "${ldflags}" -o "${ASSETS}/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "${ASSETS}/kube-apiserver.tmp" "${ASSETS}/kube-apiserver"
log "done"
echo "${ASSETS}"
