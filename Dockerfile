# Builds the manager image (kubebuilder's layout):
#   docker build -t enterprise-operator:latest .
# Stage 1 compiles a static binary; stage 2 is distroless with no shell, as non-root.
FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
# Stamped into the binary and sent to the platform in the User-Agent.
ARG VERSION=dev

WORKDIR /workspace
# Dependencies first, so that the module download is cached across source changes.
COPY go.mod go.sum ./
RUN go mod download

COPY cmd/ cmd/
COPY api/ api/
COPY internal/ internal/

# GOARCH has no default, so the image is built for the platform of the build
# (docker buildx --platform sets TARGETOS/TARGETARCH).
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o manager ./cmd

FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/manager /manager
USER 65532:65532

ENTRYPOINT ["/manager"]
