# cnie — two commands do all set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CORPUS ?= corpora/articles
OUT    ?= outputs

.PHONY: run test bench eval clean browser-deps

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,html,report,dask,bench,opencc,xlsx]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cnie extract $(CORPUS) -o $(OUT)
	@echo "wrote $(OUT)/indicators.jsonl and $(OUT)/summary.json"

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

# The HTML report test drives Debian's headless Chromium; install it when absent, with a CJK
# font so that screenshots and chart labels show Chinese (the DOM assertions do not need it).
browser-deps:
	@have_browser() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }; \
	have_cjk_font() { ! command -v fc-list >/dev/null 2>&1 || [ -n "$$(fc-list :lang=zh family 2>/dev/null)" ]; }; \
	if have_browser && have_cjk_font; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null \
	    || echo "warning: apt-get could not install chromium chromium-driver fonts-noto-cjk"; \
	else echo "warning: run as root: apt-get install chromium chromium-driver fonts-noto-cjk"; fi; \
	have_browser || echo "warning: chromium not installed; browser tests will be skipped"

# accuracy on the bundled gold; rewrites the README's evaluation section with the table
eval: $(STAMP)
	$(BIN)/python bench/corpus_eval.py --update-readme

bench: $(STAMP)
	$(BIN)/python bench/archive.py --articles 2000
	$(BIN)/python bench/long_article.py
	$(BIN)/python bench/number_speed.py
	$(BIN)/python bench/recognizers_text.py --specs ../shared/benchmarks/recognizers-text-zh
	$(BIN)/python bench/cluener.py --data ../shared/benchmarks/cluener2020/dev.json
	$(BIN)/python bench/msra.py --data ../shared/benchmarks/msra-ner-zjy-ucas/example.test

clean:
	rm -rf $(VENV) build *.egg-info
