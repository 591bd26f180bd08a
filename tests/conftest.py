"""Shared fixtures (the only place fixtures live)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CNIE_SHARED", ROOT.parent / "shared"))
CORPUS = ROOT / "corpora" / "articles"
GOLD = ROOT / "corpora" / "gold"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (CORPUS / "dongguan-2020-10-10.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    return json.loads((GOLD / "dongguan-2020-10-10.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_record(seed_text) -> dict:
    import pipeline

    return pipeline.extract(seed_text, doc_id="dongguan-2020-10-10.txt")
