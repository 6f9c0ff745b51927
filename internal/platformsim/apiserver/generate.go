package apiserver

// OAPI_CODEGEN is the pinned oapi-codegen binary; `make generate` sets it to
// bin/oapi-codegen-v2.8.2 (installed by `make oapi-codegen`).
//go:generate $OAPI_CODEGEN -config server.cfg.yaml ../../../openapi/platform.yaml
