"""The multilingual (EN / DE / FR) label lexicon: which printed label denotes which field.

The phrases live in `extraction.labels_data` (re-exported here): `HEADER_LABELS` (header
fields), `COLUMN_LABELS` (line-table column headers) and `DOC_TYPE_CUES` (phrases the
classifier looks for, strong vs weak), keyed by the canonical names of `extraction.model`.
This module holds the matching: normalisation, lookup tables, label splitting and cues.

Names starting with ``_`` are *known non-target* labels ("Customer No", "Steuernummer",
"SIRET", "Invoice date" in a remittance table...).  They exist so that a longer, specific
label shadows a shorter generic one ("Customer No: 4711" must not become `buyer_name`);
matching returns nothing for them unless ``include_ignored=True``.

Matching works on normalised text (`normalise_label`): lowercase, accents folded, ``ß`` ->
``ss``, punctuation such as ``.:#°-/()`` turned into spaces, whitespace collapsed; ``%`` is
kept as its own token.  ``no`` / ``nr`` / ``n`` / ``num`` are interchangeable ("Invoice No."
== "Invoice Nr" == "Invoice N°").
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Literal, NamedTuple

from extraction.labels_data import COLUMN_LABELS, DOC_TYPE_CUES, HEADER_LABELS

__all__ = [
    "HEADER_LABELS", "COLUMN_LABELS", "DOC_TYPE_CUES", "IGNORED_PREFIX", "Kind",
    "normalise_label", "label_lookup", "match_label", "split_label", "is_ignored",
    "DocTypeCue", "find_doc_type_cues",
]

Kind = Literal["header", "column", "all"]
IGNORED_PREFIX = "_"

# ------------------------------------------------------------------------------ helpers

_PUNCT = frozenset(".:#°º'’‘`´\"“”„«»‹›-–—_/\\()[]{}|*,;!?¿¡<>=~^")
_NUMBER_TOKENS = ("no", "nr", "n", "num")
_VALUE_LEAD = " \t\u00a0:.#°º=>"


def _piece(ch: str) -> str:
    """The normalised form of one character."""
    if ch in _PUNCT or ch.isspace():
        return " "
    if ch == "%":
        return " % "
    if ch == "ß":
        return "ss"
    return "".join(c for c in unicodedata.normalize("NFKD", ch)
                   if not unicodedata.combining(c)).lower()


# `_piece` of every Latin character (ASCII, Latin-1, Latin Extended-A/B), looked up
# instead of decomposing each character of each word again
_PIECES: dict[str, str] = {chr(i): _piece(chr(i)) for i in range(0x250)}


def _norm_map(text: str) -> tuple[str, list[int]]:
    """Normalised text and, per output character, the index of its source character."""
    out: list[str] = []
    idx: list[int] = []
    pieces = _PIECES
    for i, ch in enumerate(text):
        piece = pieces.get(ch)
        if piece is None:
            piece = _piece(ch)
        for c in piece:
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            idx.append(i)
    while out and out[-1] == " ":
        out.pop()
        idx.pop()
    return "".join(out), idx


def normalise_label(text: str) -> str:
    """Lowercase, accent-folded, punctuation-free, whitespace-collapsed form of a label."""
    if not isinstance(text, str):
        return ""
    return _norm_map(text)[0]


def _variants(norm: str) -> set[str]:
    """The label itself plus its "no"/"nr"/"n"/"num" spellings."""
    out = {norm}
    tokens = norm.split()
    for i, tok in enumerate(tokens):
        if tok in _NUMBER_TOKENS:
            out |= {" ".join(tokens[:i] + [alt] + tokens[i + 1:]) for alt in _NUMBER_TOKENS}
    return out


def _registries(kind: Kind) -> tuple[dict[str, tuple[str, ...]], ...]:
    if kind == "header":
        return (HEADER_LABELS,)
    if kind == "column":
        return (COLUMN_LABELS,)
    return (HEADER_LABELS, COLUMN_LABELS)


@lru_cache(maxsize=None)
def _lookup(kind: Kind) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for registry in _registries(kind):
        for field, phrases in registry.items():
            for phrase in phrases:
                for key in _variants(normalise_label(phrase)):
                    names = table.setdefault(key, [])
                    if key and field not in names:
                        names.append(field)
    return {k: tuple(v) for k, v in table.items() if k}


@lru_cache(maxsize=None)
def _max_tokens(kind: Kind) -> int:
    return max((len(k.split()) for k in _lookup(kind)), default=0)


def is_ignored(name: str) -> bool:
    """True for the ``_``-prefixed known non-target labels."""
    return name.startswith(IGNORED_PREFIX)


def label_lookup(kind: Kind = "all", *, include_ignored: bool = False) -> dict[str, list[str]]:
    """Normalised label -> canonical field names it may denote ("total" -> several)."""
    out: dict[str, list[str]] = {}
    for key, names in _lookup(kind).items():
        kept = [n for n in names if include_ignored or not is_ignored(n)]
        if kept:
            out[key] = kept
    return out


def split_label(text: str, kind: Kind = "all", *,
                include_ignored: bool = False) -> tuple[list[str], str] | None:
    """Longest lexicon label at the start of ``text`` -> (field names, raw rest of the text).

    ``"Rechnungs-Nr.: 2024-001"`` -> ``(["invoice_number"], "2024-001")``.  None when no
    label matches; an empty name list when the label is a known non-target one.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    norm, idx = _norm_map(text)
    tokens = norm.split(" ")
    table = _lookup(kind)
    for k in range(min(len(tokens), _max_tokens(kind)), 0, -1):
        names = table.get(" ".join(tokens[:k]))
        if names is None:
            continue
        end = idx[len(" ".join(tokens[:k])) - 1] + 1
        kept = [n for n in names if include_ignored or not is_ignored(n)]
        return kept, text[end:].lstrip(_VALUE_LEAD).rstrip()
    return None


def match_label(text: str, kind: Kind = "all", *, include_ignored: bool = False) -> list[str]:
    """Field names of the longest label that is the whole text or a word-prefix of it."""
    hit = split_label(text, kind, include_ignored=include_ignored)
    return hit[0] if hit else []


class DocTypeCue(NamedTuple):
    doc_type: str
    strength: str       # "strong" | "weak"
    phrase: str         # the normalised phrase found


@lru_cache(maxsize=None)
def _cue_table() -> dict[str, tuple[tuple[str, str], ...]]:
    table: dict[str, list[tuple[str, str]]] = {}
    for doc_type, by_strength in DOC_TYPE_CUES.items():
        for strength, phrases in by_strength.items():
            for phrase in phrases:
                table.setdefault(normalise_label(phrase), []).append((doc_type, strength))
    return {k: tuple(v) for k, v in table.items() if k}


def find_doc_type_cues(text: str) -> list[DocTypeCue]:
    """All cue phrases in ``text`` (whole words, longest non-overlapping match first)."""
    if not isinstance(text, str):
        return []
    tokens = normalise_label(text).split()
    table = _cue_table()
    longest = max((len(k.split()) for k in table), default=0)
    found: list[DocTypeCue] = []
    i = 0
    while i < len(tokens):
        for k in range(min(longest, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + k])
            if phrase in table:
                found.extend(DocTypeCue(d, s, phrase) for d, s in table[phrase])
                i += k
                break
        else:
            i += 1
    return found
