"""The ``cnie`` command line: one subcommand per module.

Takes ``argv``; returns an exit code. Each subcommand lives in the module that does the
work and exposes ``register(subparsers)``; this file only lists them, in help order.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# module → registers one or more subcommands
SUBCOMMAND_MODULES = (
    "pipeline.runner",      # extract
    "pipeline.show",        # show
    "pipeline.evaluate",    # eval
    "pipeline.export",      # export
    "pipeline.report",      # report
    "pipeline.ner_train",   # train-ner
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cnie",
        description="Chinese News Indicator Extraction: indicators and organisations from Chinese news, as JSON.",
    )
    p.add_argument("--version", action="version", version=f"cnie {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # subcommand not built in this checkout
                continue
            raise
        mod.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("cnie: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
