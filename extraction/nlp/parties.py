"""Party candidates from the shipped NER, mapped back to words and boxes.

`party_candidates(pages)` runs `pipeline.load()` over the text of page 1 (see
`text.page_text`: lines joined by ``"\\n"``, column breaks as ``"\\t"``) and returns
`PartyCandidate`s the layout rules can combine with their own:

* ``seller_name`` / ``buyer_name`` - NER ``SELLER`` / ``BUYER`` entities.  Mentions of the
  same name (letterhead + footer) are merged; ``score`` grows with the number of mentions
  and is higher near the top of the page.
* address blocks - NER ``ADDRESS`` entities are per printed line; vertically adjacent,
  left-aligned lines are merged into one block (text joined with ``", "``).  The role
  comes from a rule: a ``ship_to`` label (``o2c_labels``: "Ship to", "Lieferadresse",
  "Adresse de livraison") just above / left of the block -> ``ship_to``; else the name
  entity directly above it -> ``seller_address`` / ``buyer_address``; else ``address``.

For purchase orders the issuer (letterhead) is the buyer; the NER was trained on invoices
(letterhead = seller), so pass ``doc_type="purchase_order"`` to swap seller and buyer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from extraction.layout import Line, Page, Word, union
from extraction.nlp.pipeline import LABELS_KEY, load
from extraction.nlp.text import PageText, page_text

__all__ = ["PartyCandidate", "party_candidates", "best_by_role", "ROLES"]

ROLES = ("seller_name", "buyer_name", "seller_address", "buyer_address", "ship_to",
         "address")
_NAME_ROLE = {"SELLER": "seller_name", "BUYER": "buyer_name"}
_LABEL_PIPES = ("o2c_labels",)
_SWAP = {"seller_name": "buyer_name", "buyer_name": "seller_name",
         "seller_address": "buyer_address", "buyer_address": "seller_address"}

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class PartyCandidate:
    role: str            # one of ROLES
    text: str
    page: int            # 1-based
    bbox: BBox           # union of the words, page-relative [0, 1]
    score: float         # heuristic in (0, 1]: mentions + position
    mentions: int = 1


@dataclass(slots=True)
class _Ent:
    label: str
    text: str
    words: list[Word]

    @property
    def bbox(self) -> BBox:
        x0, y0, x1, y1 = union(self.words)
        return (max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1))


def _clip(b: BBox) -> BBox:
    return (max(0.0, b[0]), max(0.0, b[1]), min(1.0, b[2]), min(1.0, b[3]))


def _ents(doc: Doc, pt: PageText) -> list[_Ent]:
    out: list[_Ent] = []
    for ent in doc.ents:
        words = pt.words_in(ent.start_char, ent.end_char)
        text = " ".join(ent.text.split())
        if words and text:
            out.append(_Ent(ent.label_, text, words))
    return out


def _line_height(words: Sequence[Word]) -> float:
    hs = sorted(w.height for w in words if w.height > 0)
    return hs[len(hs) // 2] if hs else 0.012


def _blocks(addrs: list[_Ent]) -> list[list[_Ent]]:
    """Group address lines into blocks: next line just below and left-aligned/overlapping."""
    blocks: list[list[_Ent]] = []
    for e in sorted(addrs, key=lambda a: (a.bbox[1], a.bbox[0])):
        bx = e.bbox
        for blk in blocks:
            last = blk[-1].bbox
            h = _line_height(blk[-1].words)
            below = 0 <= bx[1] - last[1] <= 2.6 * h + 0.004
            aligned = abs(bx[0] - last[0]) < 0.04 or (bx[0] < last[2] and bx[2] > last[0])
            if below and aligned:
                blk.append(e)
                break
        else:
            blocks.append([e])
    return blocks


def _above(target: BBox, cands: Sequence[tuple[str, BBox]], max_gap: float
           ) -> str | None:
    """Key of the closest candidate ending just above ``target`` in the same column."""
    best: tuple[float, str] | None = None
    for key, b in cands:
        gap = target[1] - b[3]
        same_col = abs(b[0] - target[0]) < 0.06 or (b[0] < target[2] and b[2] > target[0])
        if -0.003 <= gap <= max_gap and same_col and (best is None or gap < best[0]):
            best = (gap, key)
    return best[1] if best else None


def _label_boxes(doc: Doc, pt: PageText, field: str) -> list[BBox]:
    out: list[BBox] = []
    for sp in doc.spans.get(LABELS_KEY, []):
        assert isinstance(sp, Span)
        if field in sp._.o2c_fields:
            b = pt.bbox(sp.start_char, sp.end_char)
            if b:
                out.append(b)
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _page_candidates(nlp: Language, page: Page, max_y: float | None,
                     names_only: bool = False, lines: list[Line] | None = None
                     ) -> list[PartyCandidate]:
    pt = page_text(page, max_y=max_y, lines=lines)
    if not pt.text.strip():
        return []
    # the label spans only place address blocks (a "Ship to" label above a block)
    doc = nlp(pt.text, disable=_LABEL_PIPES if names_only else ())
    ents = _ents(doc, pt)
    out: list[PartyCandidate] = []
    # names: merge mentions per (role, text)
    merged: dict[tuple[str, str], list[_Ent]] = {}
    for e in ents:
        if e.label in _NAME_ROLE:
            merged.setdefault((_NAME_ROLE[e.label], _norm(e.text)), []).append(e)
    names: list[tuple[str, BBox]] = []
    for (role, _), group in merged.items():
        first = min(group, key=lambda g: g.bbox[1])
        top = first.bbox[1]
        score = min(1.0, 0.45 + 0.15 * (len(group) - 1) + 0.3 * (1.0 - min(1.0, top / 0.6)))
        out.append(PartyCandidate(role, first.text, page.number, first.bbox, round(score, 4),
                                  len(group)))
        names += [(role, g.bbox) for g in group]
    if names_only:
        return out
    # addresses: per-line entities -> blocks -> role by rule
    ship_labels = [("ship_to", b) for b in _label_boxes(doc, pt, "ship_to")]
    for blk in _blocks([e for e in ents if e.label == "ADDRESS"]):
        words = [w for e in blk for w in e.words]
        bb = _clip(union(words))
        h = _line_height(words)
        role = (_above(bb, ship_labels, 4 * h) or _left_label(bb, ship_labels)
                or _above(bb, names, 2.5 * h))
        role = {"seller_name": "seller_address", "buyer_name": "buyer_address"}.get(
            role or "", role or "address")
        score = min(1.0, 0.4 + 0.1 * len(blk) + (0.2 if role != "address" else 0.0))
        out.append(PartyCandidate(role, ", ".join(e.text for e in blk), page.number, bb,
                                  round(score, 4), 1))
    return out


def _left_label(target: BBox, labels: Sequence[tuple[str, BBox]]) -> str | None:
    """A label on the block's first line, to its left ("Ship to:  Street 1")."""
    for key, b in labels:
        if b[2] <= target[0] + 0.01 and abs(b[1] - target[1]) < 0.012:
            return key
    return None


def party_candidates(pages: Sequence[Page], *, doc_type: str | None = None,
                     max_pages: int = 1, max_y: float | None = None,
                     nlp: Language | None = None,
                     names_only: bool = False,
                     page_lines: Mapping[int, list[Line]] | None = None
                     ) -> list[PartyCandidate]:
    """NER party candidates of the first ``max_pages`` pages, best first per role.

    ``max_y`` restricts the text to lines starting above that page fraction (cheaper;
    misses footer mentions).  ``doc_type="purchase_order"`` swaps seller / buyer roles.
    ``names_only`` returns just the ``seller_name`` / ``buyer_name`` candidates (the same
    ones, in the same order) and skips what only address blocks need: the label matcher
    and the block grouping.  ``page_lines``: ``Page.lines()`` per page number, when the
    caller has grouped them already (`fields.doc.Doc.page_lines`)."""
    model = nlp if nlp is not None else load()
    if "ner" not in model.pipe_names:
        return []
    out: list[PartyCandidate] = []
    for page in list(pages)[:max_pages]:
        lines = page_lines.get(page.number) if page_lines is not None else None
        out += _page_candidates(model, page, max_y, names_only, lines)
    if doc_type == "purchase_order":
        out = [PartyCandidate(_SWAP.get(c.role, c.role), c.text, c.page, c.bbox, c.score,
                              c.mentions) for c in out]
    return sorted(out, key=lambda c: (ROLES.index(c.role), -c.score, c.page, c.bbox[1]))


def best_by_role(cands: Sequence[PartyCandidate]) -> dict[str, PartyCandidate]:
    """The highest-scoring candidate per role."""
    best: dict[str, PartyCandidate] = {}
    for c in cands:
        if c.role not in best or c.score > best[c.role].score:
            best[c.role] = c
    return best
