# Sanad: `make run` serves the application with a demo database; `make test` runs every test.
BUILD ?= build
DB ?= data/sanad.db
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)
SANAD = $(BUILD)/sanad

.PHONY: all deps build run test bench fuzz format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: build
	@if [ ! -f "$(DB)" ]; then \
	  echo "creating $(DB) with a province-scale demo (Taounate)"; \
	  $(SANAD) --db "$(DB)" init && $(SANAD) --db "$(DB)" demo --scale province --seed 1 \
	  || { rm -f "$(DB)" "$(DB)-wal" "$(DB)-shm"; exit 1; }; \
	else \
	  $(SANAD) --db "$(DB)" init; \
	fi
	@echo "demo logins: none yet, the status page is public (accounts arrive with the web application)"
	$(SANAD) --db "$(DB)" serve --listen $(LISTEN)

test: build
	@scripts/with-postgres.sh ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD)
