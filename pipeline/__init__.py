"""cnie — Chinese News Indicator Extraction.

Library entry points (the CLI writes exactly what these return):

* :func:`extract` — ``extract(text) -> dict``: one ``cnie/1`` record for an article text.
* :func:`extract_record` — the same as a typed :class:`pipeline.contract.Record`.
* :func:`load` — ``load(DIR) -> pandas.DataFrame`` of the indicators an ``extract`` run wrote.

Nothing heavy happens at import: dictionaries and rules load on first use.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .contract import SCHEMA  # noqa: E402

__all__ = ["extract", "extract_record", "load", "SCHEMA", "__version__"]


def extract(text: str, **kwargs):
    """Extract indicators and entities from one article text; returns the JSON-ready dict."""
    from .api import extract_record

    return extract_record(text, **kwargs).to_dict()


def extract_record(text: str, **kwargs):
    from .api import extract_record as _er

    return _er(text, **kwargs)


def load(directory, **kwargs):
    """Indicators of an ``extract`` output directory as a pandas DataFrame."""
    from .export import load as _load

    return _load(directory, **kwargs)
