"""Adapter over `extraction.labels`: phrase search over the words of a line.

`extraction.labels` owns the label vocabulary (canonical field -> EN/DE/FR phrases,
line-table column headers, doc-type cues) and its normalisation.  A printed word may
normalise to several tokens ("Rechnungs-Nr." -> "rechnungs nr"), so the search runs over
the flat token list and maps matches back to word spans ``[i, j)``.  Known non-target
labels (``_``-prefixed in labels) are matched too, with no fields, so that they shadow a
shorter generic label and bound the value segment of the label before them.
"""
from __future__ import annotations

from functools import lru_cache

Span = tuple[int, int, tuple[str, ...], str]


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Normalised form of one printed word (may contain spaces)."""
    from extraction.labels import normalise_label
    return normalise_label(text)


def _clean(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if not n.startswith("_"))


@lru_cache(maxsize=1)
def header_index() -> dict[str, tuple[str, ...]]:
    from extraction.labels import label_lookup
    return {k: _clean(v) for k, v in label_lookup("header", include_ignored=True).items()}


@lru_cache(maxsize=1)
def column_index() -> dict[str, tuple[str, ...]]:
    from extraction.labels import label_lookup
    return {k: _clean(v) for k, v in label_lookup("column", include_ignored=True).items()}


@lru_cache(maxsize=1)
def cue_index() -> dict[str, tuple[str, ...]]:
    """Normalised cue phrase -> ("invoice:strong", ...)."""
    from extraction.labels import DOC_TYPE_CUES, normalise_label
    out: dict[str, list[str]] = {}
    for dt, by in DOC_TYPE_CUES.items():
        for strength, phrases in by.items():
            for ph in phrases:
                out.setdefault(normalise_label(ph), []).append(f"{dt}:{strength}")
    return {k: tuple(v) for k, v in out.items() if k}


@lru_cache(maxsize=4)
def _max_len(which: str) -> int:
    idx = {"h": header_index, "c": column_index, "q": cue_index}[which]()
    return max(len(k.split()) for k in idx)


@lru_cache(maxsize=4)
def _starts(which: str) -> dict[str, tuple[int, ...]]:
    """First token of a phrase -> the phrase lengths (in tokens) starting with it, longest
    first: a line position whose token starts no phrase is skipped at once."""
    idx = {"h": header_index, "c": column_index, "q": cue_index}[which]()
    out: dict[str, set[int]] = {}
    for k in idx:
        toks = k.split(" ")
        out.setdefault(toks[0], set()).add(len(toks))
    return {t: tuple(sorted(ns, reverse=True)) for t, ns in out.items()}


def flat_tokens(norms: list[str]) -> tuple[list[str], list[int]]:
    """The tokens of a line's normalised words, and for each the index of its word."""
    toks: list[str] = []
    owner: list[int] = []
    for wi, n in enumerate(norms):
        for t in n.split():
            toks.append(t)
            owner.append(wi)
    return toks, owner


def _scan(norms: list[str], idx: dict[str, tuple[str, ...]], which: str) -> list[Span]:
    """Longest phrase match at each word start, left to right; a match consumes its tokens
    (a label starts at a word boundary, never inside a matched label)."""
    starts = _starts(which)
    out: list[Span] = []
    toks: list[str] = []
    owner: list[int] = []
    n = -1                   # number of tokens, once flattened
    nxt = 0                  # first token not consumed by a match
    p = 0                    # index of the current word's first token
    for parts in [w.split() for w in norms]:
        if parts:
            if p >= nxt:
                lens = starts.get(parts[0])
                if lens is not None:
                    if n < 0:
                        toks, owner = flat_tokens(norms)
                        n = len(toks)
                    for k in lens:
                        if k > n - p:
                            continue
                        key = " ".join(toks[p:p + k])
                        if key in idx:
                            out.append((owner[p], owner[p + k - 1] + 1, idx[key], key))
                            nxt = p + k
                            break
            p += len(parts)
    return out


def find_labels(norms: list[str]) -> list[Span]:
    """Longest-match header label phrases in a line's normalised words."""
    return _scan(norms, header_index(), "h")


def find_columns(norms: list[str]) -> list[Span]:
    return _scan(norms, column_index(), "c")


def find_cues(norms: list[str]) -> list[Span]:
    return _scan(norms, cue_index(), "q")


# ---- OCR: one misread letter in a label word ----------------------------------------
FUZZY_MIN_LEN = 4        # only words this long may carry the misread letter


def _deletes(word: str) -> set[str]:
    return {word[:k] + word[k + 1:] for k in range(len(word))}


@lru_cache(maxsize=1)
def _fuzzy_header_index() -> dict[str, tuple[str, ...]]:
    """Multi-word header phrases by every variant with one letter deleted from one of
    their long words: a "symmetric delete" index, so a lookup of the printed phrase's own
    one-letter deletions finds phrases one substitution, insertion or deletion away."""
    out: dict[str, set[str]] = {}
    for key in header_index():
        toks = key.split(" ")
        if len(toks) < 2:
            continue
        for i, t in enumerate(toks):
            if len(t) >= FUZZY_MIN_LEN:
                for d in _deletes(t):
                    out.setdefault(" ".join(toks[:i] + [d] + toks[i + 1:]), set()).add(key)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def fuzzy_labels(norms: list[str], taken: list[Span]) -> list[Span]:
    """Header label phrases of two or more words printed with one misread letter in one
    long word ("pate d echeance" -> "date d echeance"), or read without the space between
    two words ("TOTALTTC"), outside the spans of `taken`.  For OCR'd lines only: a text
    layer spells its labels exactly.  A misread phrase is accepted only when exactly one
    vocabulary phrase is that close and the variant is no phrase itself."""
    idx, fidx = header_index(), _fuzzy_header_index()
    toks, owner = flat_tokens(norms)
    used = {k for (i, j, _, _) in taken for k in range(i, j)}
    out: list[Span] = []
    p = 0
    while p < len(toks):
        hit = None
        for k in (4, 3, 2):
            if p + k > len(toks) or any(owner[q] in used for q in range(p, p + k)):
                continue
            words = toks[p:p + k]
            if " ".join(words) in idx:
                continue
            found: set[str] = set()
            for i, t in enumerate(words):
                if len(t) >= FUZZY_MIN_LEN - 1:
                    for v in _deletes(t) | {t}:
                        found.update(fidx.get(" ".join(words[:i] + [v] + words[i + 1:]), ()))
            if len(found) == 1:
                key = found.pop()
                hit = (owner[p], owner[p + k - 1] + 1, idx[key], key)
                break
        step = len(hit[3].split(" ")) if hit is not None else 1
        if hit is None and owner[p] not in used:
            hit = _glued(toks[p], owner[p], idx)
        if hit is not None:
            out.append(hit)
        p += step
    return out


def _glued(tok: str, word: int, idx: dict[str, tuple[str, ...]]) -> Span | None:
    """A two-word phrase printed, or read, without its space ("TOTALTTC", "TOTALHT")."""
    if len(tok) < 6 or tok in idx:
        return None
    for k in range(3, len(tok) - 1):
        key = tok[:k] + " " + tok[k:]
        if key in idx:
            return (word, word + 1, idx[key], key)
    return None
