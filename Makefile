# The README's two commands are `make run` and `make test`.
GO ?= go
# Every SQLite driver here is pure Go; without cgo the unused cgo driver that gorm.io/driver/sqlite
# imports is not compiled (minutes on a cold cache) and binaries are static.
export CGO_ENABLED ?= 0
BIN := bin/deletesvc
# gen/ is its own module (the Go SDK, tagged gen/vX.Y.Z); the root module replaces it with ./gen.
SDK := github.com/deletesvc/deletesvc/gen

.PHONY: bench-go check-go-sdk imports reliability bench-pool bench-citus clean-test-databases tidy run build test test-citus generate check-generate sdk check-sdk contract lint vet fmt staticcheck bench migrate up down clean

run: ## run the service (embedded SQLite under ./data unless DATABASE_URL is set)
	$(GO) run ./cmd/deletesvc

build:
	$(GO) build -o $(BIN) ./cmd/deletesvc

test: ## every store and API test on SQLite, and on PostgreSQL when reachable (REQUIRE_POSTGRES=1 makes it mandatory)
	@scripts/pg-status
	$(GO) tool gotestsum --format pkgname-and-test-fails --format-hide-empty-pkg -- -count=1 ./... $(SDK)/...

clean-test-databases: ## drop the test templates (dstpl_*) and any test database a killed run left on the local PostgreSQL
	psql "$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'dstpl\_%' OR datname LIKE 'dstest\_%'" | \
		while read -r db; do psql "$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; done

test-citus: ## the store and API suites on a throwaway 3-node Citus cluster (builds Citus from ../shared/vendor/citus once)
	scripts/citus/test

reliability: ## the reliability suite: hostile bodies, auth, cross-tenant, database faults, atomicity, slow clients, metrics; one line per area (needs PostgreSQL)
	scripts/reliability/run

bench-pool: ## p95 latency under 150 concurrent clients, Go's default pool vs the service's, interleaved (needs PostgreSQL)
	$(GO) run ./scripts/bench-pool

bench-citus: ## latency of each family's main operation on a throwaway Citus cluster vs plain PostgreSQL, interleaved
	scripts/bench-citus/run

generate: ## regenerate gen/ from openapi/
	$(GO) -C gen generate ./...

check-generate: generate ## fail when gen/ is stale
	@git diff --exit-code -- gen/ || (echo "gen/ is stale: run 'make generate' and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain -- gen/)" || (echo "gen/ has untracked files" >&2; git status --porcelain -- gen/; exit 1)

scripts/node_modules: scripts/package.json scripts/package-lock.json
	npm ci --prefix scripts --no-audit --no-fund
	@touch $@

sdk: scripts/node_modules ## regenerate the TypeScript SDK types in gen/ts from openapi/
	for f in upbooks invx ultrabiz; do scripts/node_modules/.bin/openapi-typescript openapi/$$f.yaml --default-non-nullable=false -o gen/ts/$$f.ts; done

check-go-sdk: ## build a module outside the repo that gets the committed Go SDK by version from a file-based module proxy (no replace)
	scripts/sdk-module/check

check-sdk: sdk ## fail when gen/ts is stale
	@git diff --exit-code -- gen/ts || (echo "gen/ts is stale: run 'make sdk' and commit" >&2; exit 1)

contract: ## Prism contract run, SDK examples and Swagger UI in headless Chromium against a live service
	scripts/contract/run

lint: vet staticcheck fmt tidy imports

imports: ## fail when a package breaks the dependency direction (gen <- server -> store)
	scripts/check-imports

tidy: ## fail when go.mod or go.sum (the root's or the SDK's) are not tidy
	$(GO) mod tidy -diff
	$(GO) -C gen mod tidy -diff

vet:
	$(GO) vet ./... $(SDK)/...

staticcheck:
	$(GO) tool staticcheck ./... $(SDK)/...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || (echo "gofmt needed:" >&2; echo "$$out" >&2; exit 1)

migrate: ## apply pending schema migrations (deletesvc migrate status|down for the others)
	$(GO) run ./cmd/deletesvc migrate up

bench: ## one table of every workload of issue 13 beside its baseline (service, raw SQL with FKs, floor, ratio), interleaved, under 10 minutes; BENCH_FLAGS=-million adds the 1M-row delete
	$(GO) run ./scripts/bench $(BENCH_FLAGS)

bench-go: ## every Go benchmark once
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

up:
	docker compose up --build -d

down:
	docker compose down

clean:
	rm -rf bin data
