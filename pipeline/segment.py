"""Sentences and word segmentation.

Takes article text; returns sentence spans (:func:`sentences`), jieba tokens with offsets
(:func:`tokens`) and POS-tagged tokens for a short window (:func:`pos_tokens`). One explicit
``jieba.Tokenizer`` per process (never jieba's hidden global), loaded lazily with the user
dictionary ``rules/userdict.txt`` (jieba format: ``word [freq] [tag]``). :func:`make_nlp`
returns ``spacy.blank("zh")`` whose tokenizer is that same jieba instance, so spaCy tokens and
cnie's own tokens agree. Sentence ends come from ``rules/sentence_ends.tsv``.
"""
from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from typing import Iterator

import regex

from .rules import RuleError, load_table, rules_dir

__all__ = ["Sentence", "Token", "sentences", "tokens", "pos_tokens", "tokenizer", "make_nlp"]

_lock = threading.Lock()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    pos: str | None = None


@functools.lru_cache(maxsize=1)
def _sentence_re() -> regex.Pattern:
    t = load_table("sentence_ends.tsv", min_cols=1, max_cols=2)
    ends = "".join(regex.escape(c) for c in t.column(0))
    # a sentence runs up to and including its end mark and any closing quotes/brackets
    return regex.compile(rf"[^{ends}\n]*(?:[{ends}]+[”’」』）)]*|\n|$)")


def sentences(text: str) -> list[Sentence]:
    """Sentence spans (end-exclusive), trimmed of surrounding whitespace; empty ones dropped."""
    out: list[Sentence] = []
    for m in _sentence_re().finditer(text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e))
    return out


@functools.lru_cache(maxsize=1)
def tokenizer():
    """The process's jieba Tokenizer with cnie's user dictionary (loaded once, lazily)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tk = jieba.Tokenizer()
        tk.initialize()
        path = rules_dir() / "userdict.txt"
        _check_userdict(path)
        tk.load_userdict(str(path))
    return tk


def _check_userdict(path) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RuleError(path, None, "file not found") from None
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = s.split()
        if len(parts) > 3 or (len(parts) >= 2 and not parts[1].isdigit()):
            raise RuleError(path, n, "expected 'word [freq] [tag]' (freq an integer)")


@functools.lru_cache(maxsize=1)
def _pos_tokenizer():
    from jieba import posseg

    return posseg.POSTokenizer(tokenizer())


def word_tags() -> dict[str, str]:
    """jieba's word → POS tag table (dictionary tags, e.g. ``nt`` for organisations), loaded once."""
    pt = _pos_tokenizer()
    pt.makesure_userdict_loaded()
    return pt.word_tag_tab


def tokens(text: str) -> list[Token]:
    """jieba words with offsets (HMM on), covering ``text`` without gaps."""
    out, i = [], 0
    for w in tokenizer().cut(text, HMM=True):
        out.append(Token(w, i, i + len(w)))
        i += len(w)
    return out


def pos_tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """POS-tagged jieba words for ``text[start:end]`` (offsets into ``text``).

    POS tagging is slow; call it on a clause around a figure, never on a whole article.
    """
    end = len(text) if end is None else end
    out, i = [], start
    for pair in _pos_tokenizer().cut(text[start:end], HMM=True):
        w, flag = pair.word, pair.flag
        out.append(Token(w, i, i + len(w), flag))
        i += len(w)
    return out


def iter_words(text: str) -> Iterator[str]:
    return iter(tokenizer().cut(text, HMM=True))


def make_nlp(components: tuple[str, ...] = ()):
    """``spacy.blank("zh")`` tokenised by cnie's jieba instance, plus named cnie components."""
    import spacy

    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaSpacyTokenizer(nlp.vocab)
    for name in components:
        nlp.add_pipe(name)
    return nlp


class JiebaSpacyTokenizer:
    """A spaCy tokenizer over cnie's jieba instance (whitespace kept as tokens, like spaCy zh)."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words = [w for w in tokenizer().cut(text, HMM=True)] if text else []
        words = [w for w in words if w]
        return Doc(self.vocab, words=words, spaces=[False] * len(words))

    def to_bytes(self, **kwargs):
        return b""

    def from_bytes(self, data, **kwargs):
        return self

    def to_disk(self, path, **kwargs):
        pass

    def from_disk(self, path, **kwargs):
        return self
