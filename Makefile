# Sanad: `make run` serves the application with a demo database; `make test` runs every test.
BUILD ?= build
DEMO_PASSWORD ?= demo-sanad-2026
DB ?= data/sanad.db
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)
SANAD = $(BUILD)/sanad

.PHONY: bench-tayssir bench-stats bench-load all deps build web run test bench fuzz format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt web
	cmake --build $(BUILD) -j$(JOBS)

# The web app (web/): npm packages from the committed lockfile, then a Vite build into web/dist.
# The API's types come from the OpenAPI fragments (web/scripts/api-types.mjs).
WEB_SOURCES := $(shell find web/src -type f ! -name api-types.ts 2>/dev/null) web/index.html \
  web/vite.config.ts web/tsconfig.json web/package.json $(wildcard web/public/* web/scripts/*) \
  $(wildcard src/core/http/openapi.json src/*/openapi.json src/modules/*/openapi.json)
# `npm ci` refuses a lockfile without other platforms' optional packages (rollup's), which the
# registry this project reaches does not list; `npm install` then installs the same locked
# versions and leaves the lockfile as it is.
web/node_modules/.package-lock.json: web/package-lock.json | deps
	cd web && { npm ci --no-audit --no-fund 2>/dev/null || npm install --no-audit --no-fund --no-save; }
	@touch $@
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build
web: web/dist/index.html

run: build
	@if [ ! -f "$(DB)" ]; then \
	  echo "creating $(DB) with a province-scale demo (Taounate), a Tayssir cycle and demo accounts"; \
	  { $(SANAD) --db "$(DB)" init && $(SANAD) --db "$(DB)" demo --scale province --seed 1 --years 2 && \
	    $(SANAD) --db "$(DB)" tayssir policy init --year 2025-2026 && \
	    $(SANAD) --db "$(DB)" tayssir compute --policy tayssir-2025-2026 --period T1 --scope 03.531 | grep '^cycle' && \
	    head=$$(sqlite3 "$(DB)" "SELECT code FROM schools WHERE milieu = 'rural' AND cycles = 'primaire' ORDER BY code LIMIT 1") && \
	    echo "$(DEMO_PASSWORD)" | $(SANAD) --db "$(DB)" user add admin --name "مدير النظام" --role national_admin --scope MA --password-stdin && \
	    echo "$(DEMO_PASSWORD)" | $(SANAD) --db "$(DB)" user add taounate --name "مسؤول الدعم الاجتماعي - تاونات" --role directorate_manager --scope 03.531 --password-stdin && \
	    echo "$(DEMO_PASSWORD)" | $(SANAD) --db "$(DB)" user add head --name "مدير المؤسسة" --role school_head --scope "$$head" --password-stdin; } \
	  || { rm -f "$(DB)" "$(DB)-wal" "$(DB)-shm"; exit 1; }; \
	else \
	  $(SANAD) --db "$(DB)" init; \
	fi
	@echo "demo logins (password $(DEMO_PASSWORD)) for http://$(LISTEN)/ :"
	@$(SANAD) --db "$(DB)" user list | sed 's/^/  /'
	$(SANAD) --db "$(DB)" serve --listen $(LISTEN)

test: build
	@scripts/with-postgres.sh ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) web/dist

# Fuzz the CSV and XLSX readers with libFuzzer (clang). New findings land in
# tests/fuzz/corpus/<target>/ and run as regression tests in `make test`.
FUZZ_SECONDS ?= 120
fuzz:
	@scripts/install-deps.sh --fuzz
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANAD_FUZZ=ON -DSANAD_TESTS=OFF
	cmake --build build-fuzz -j$(JOBS) --target fuzz_csv fuzz_xlsx
	@for t in csv xlsx; do \
	  mkdir -p build-fuzz/corpus-$$t; \
	  build-fuzz/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
	    -artifact_prefix=tests/fuzz/corpus/$$t/crash- build-fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# Benchmarks beside their baselines; results in bench/out/results.md, summary in bench/RESULTS.md.
bench: build
	@command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
	@scripts/with-postgres.sh bench/run.sh $(BUILD)

# The Tayssir cycle beside DuckDB and PostgreSQL (SCALE=province|region|national, default region).
SCALE ?= region
bench-tayssir: build
	@command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
	@scripts/with-postgres.sh bench/tayssir.sh $(BUILD) $(SCALE)

# The statistics cube beside DuckDB's GROUP BY ROLLUP, and the dashboard over HTTP.
bench-stats: build
	@command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
	@command -v curl >/dev/null || apt-get install -y -qq curl
	@bench/stats.sh $(BUILD) $(SCALE)

# The server under wrk (healthz, pupil search, pupil page) with 5,000 idle keep-alive connections.
bench-load: build
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@command -v curl >/dev/null || apt-get install -y -qq curl
	@bench/load.sh $(BUILD) $(SCALE)
