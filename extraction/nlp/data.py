"""Training / evaluation samples for the party NER: page-1 text + character-span labels.

Labels (what the NER learns):

* ``SELLER`` / ``BUYER`` - the party *names*, wherever printed (letterhead, recipient
  block, footer);
* ``ADDRESS`` - one printed address *line component* (street, postcode + city, country,
  receipt address line).  Addresses are annotated per line, not as one multi-line span:
  printed layouts interleave columns ("Mühlenstraße 13 \\t Invoice ref.: ..."), so a
  multi-line span would swallow foreign text, and the truth strings ("Via X 63, 92276
  Milano, Italy") only match printed lines component by component.  `parties.py` merges
  vertically adjacent ADDRESS lines into blocks and gives them the role of the name above.

Sources (never the test split):

* generated invoices / credit notes (`generators`, fixed seed, PDFs only, no scans):
  names and address lines from the generator's `Party` objects;
* e-invoice PDFs of the dev split: names and postal addresses of seller and buyer from
  the embedded CII XML;
* SROIE receipts of the dev split (split key ``<id>.jpg``): ``company`` -> SELLER, OCR
  lines contained in ``address`` -> ADDRESS; text from the ``X.csv`` OCR lines.

Split: the benchmark's dev/test split (`extraction.fields.truth`: e-invoices by scenario,
other corpora by file name); within dev, ``sha1("holdout:" + name) % 5 == 0`` is held
out for evaluation (``holdout``).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from lxml import etree

from extraction.fields.truth import corpora_root, einvoice_cases, split_of
from extraction.nlp.text import page_text, sroie_page

__all__ = ["LABELS", "Sample", "annotate", "find_spans", "generated_samples",
           "einvoice_samples", "sroie_samples", "sub_split", "cii_parties"]

LABELS = ("SELLER", "BUYER", "ADDRESS")
WORLD_SIZE = 8          # generated documents per fake "world" of 24 companies


@dataclass(slots=True)
class Sample:
    source: str                 # gen | einvoice | sroie
    name: str
    split: str                  # train | holdout | test
    text: str
    ents: list[tuple[int, int, str]] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)


def sub_split(name: str, split: str | None = None) -> str:
    """train / holdout / test for a corpus file name (``split``: its dev/test side when
    the corpus decides it otherwise, e.g. e-invoices by scenario)."""
    if (split or split_of(name)) == "test":
        return "test"
    h = int(hashlib.sha1(("holdout:" + name).encode()).hexdigest(), 16)
    return "holdout" if h % 5 == 0 else "train"


def find_spans(text: str, value: str, *, multiline: bool = False) -> list[tuple[int, int]]:
    """Case-insensitive whole-word occurrences of ``value`` (whitespace-normalised)."""
    toks = value.split()
    if not toks:
        return []
    sep = r"[ \n]+" if multiline else r" +"
    pat = r"(?<!\w)" + sep.join(re.escape(t) for t in toks) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pat, text, re.IGNORECASE)]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s).upper()


def annotate(text: str, names: dict[str, list[str]], address_lines: Iterable[str] = (),
             countries: Iterable[str] = (), whole_line_address: str | None = None
             ) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, label)`` spans of the given values in ``text``.

    ``names``: label -> name strings; ``address_lines``: components matched anywhere;
    ``countries``: matched only on the line right after another ADDRESS line;
    ``whole_line_address``: a one-line address (SROIE) - every text line of >= 5 chars
    contained in it becomes ADDRESS."""
    cands: list[tuple[int, int, str, int]] = []     # (start, end, label, priority)
    for label, values in names.items():
        for v in values:
            if v and len(v.strip()) >= 2:
                cands += [(s, e, label, 0) for s, e in find_spans(text, v, multiline=True)]
    for comp in address_lines:
        if comp and len(comp.strip()) >= 3:
            cands += [(s, e, "ADDRESS", 1) for s, e in find_spans(text, comp)]
    if whole_line_address:
        target = _squash(whole_line_address)
        pos = 0
        for line in text.split("\n"):
            for seg in line.split("\t"):
                sq = _squash(seg)
                if len(sq) >= 5 and sq in target:
                    cands.append((pos, pos + len(seg), "ADDRESS", 1))
                pos += len(seg) + 1
    kept: list[tuple[int, int, str]] = []
    for s, e, label, _ in sorted(cands, key=lambda c: (c[3], -(c[1] - c[0]), c[0])):
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, label))
    for country in countries:
        for s, e in find_spans(text, country):
            prev = [k for k in kept if k[2] == "ADDRESS" and k[1] <= s
                    and "\n" in text[k[1]:s] and text[k[1]:s].count("\n") == 1]
            if prev and all(e <= ks or s >= ke for ks, ke, _ in kept):
                kept.append((s, e, "ADDRESS"))
    return sorted(kept)


# ------------------------------------------------------------------ generated documents

def generated_samples(count: int, seed: int, split: str = "train") -> list[Sample]:
    """``count`` generated invoices / credit notes (page 1), deterministic by ``seed``."""
    from generators.corpus import DEFAULT_BASE_DATE
    from generators.documents import make_document
    from generators.parties import COUNTRY_NAMES, make_world
    from generators.pdf import render_pdf
    from extraction.pages import read_pdf

    out: list[Sample] = []
    world = make_world(seed)
    for i in range(count):
        if i % WORLD_SIZE == 0:     # a fresh set of companies every WORLD_SIZE documents,
            world = make_world(seed * 1_000 + i // WORLD_SIZE)   # so names aren't memorised
        rng = random.Random(seed * 1_000_003 + i)
        kind = ("invoice", "credit_note")[i % 2]
        doc = make_document(kind, rng, world, DEFAULT_BASE_DATE)
        pages = read_pdf(render_pdf(doc), max_pages=1)
        if not pages:
            continue
        pt = page_text(pages[0])
        lang = doc.style.lang
        seller, buyer = doc.seller, doc.buyer
        assert seller is not None and buyer is not None
        addr = seller.address_lines(lang)[:2] + buyer.address_lines(lang)[:2]
        countries = {COUNTRY_NAMES[p.country][lang] for p in (seller, buyer)}
        ents = annotate(pt.text, {"SELLER": [seller.name], "BUYER": [buyer.name]},
                        addr, sorted(countries))
        out.append(Sample("gen", f"gen-{seed}-{i:04d}", split, pt.text, ents,
                          {"seller_name": seller.name, "buyer_name": buyer.name}))
    return out


# ------------------------------------------------------------------ e-invoices

def _local(node: etree._Element, name: str) -> list[etree._Element]:
    return node.xpath(f".//*[local-name()='{name}']")


def _text(node: etree._Element, name: str) -> str:
    for n in _local(node, name):
        if n.text and n.text.strip():
            return " ".join(n.text.split())
    return ""


def cii_parties(xml: bytes) -> dict[str, dict[str, object]]:
    """seller / buyer / ship_to -> {"name": str, "address": [components]} from CII XML."""
    root = etree.fromstring(xml)
    out: dict[str, dict[str, object]] = {}
    for role, tag in (("seller", "SellerTradeParty"), ("buyer", "BuyerTradeParty"),
                      ("ship_to", "ShipToTradeParty")):
        nodes = _local(root, tag)
        if not nodes:
            continue
        party = nodes[0]
        comps: list[str] = []
        addrs = _local(party, "PostalTradeAddress")
        if addrs:
            a = addrs[0]
            comps += [_text(a, t) for t in ("LineOne", "LineTwo", "LineThree")]
            pc, city = _text(a, "PostcodeCode"), _text(a, "CityName")
            if pc and city:
                comps += [f"{pc} {city}", f"{city} {pc}"]
        name = ""
        for n in party:
            if etree.QName(n).localname == "Name" and n.text and n.text.strip():
                name = " ".join(n.text.split())
                break
        out[role] = {"name": name, "address": [c for c in comps if c]}
    return out


def einvoice_samples(splits: tuple[str, ...] = ("train",)) -> list[Sample]:
    from extraction.pages import read_pdf
    out: list[Sample] = []
    for case in einvoice_cases():
        sp = sub_split(case["name"], case["split"])
        if sp not in splits:
            continue
        try:
            parties = cii_parties(Path(case["pdf"]).with_suffix(".xml").read_bytes())
            pages = read_pdf(case["pdf"], max_pages=1)
        except Exception:   # noqa: BLE001 - unreadable sample: skip it
            continue
        if not pages or not pages[0].words:
            continue
        pt = page_text(pages[0])
        names: dict[str, list[str]] = {}
        addr: list[str] = []
        truth: dict[str, str] = {}
        for role, label in (("seller", "SELLER"), ("buyer", "BUYER")):
            p = parties.get(role)
            if p and p["name"]:
                names[label] = [str(p["name"])]
                truth[f"{role}_name"] = str(p["name"])
        for p in parties.values():
            addr += [str(c) for c in p["address"]]  # type: ignore[union-attr]
        ents = annotate(pt.text, names, addr)
        out.append(Sample("einvoice", case["name"], sp, pt.text, ents, truth))
    return out


# ------------------------------------------------------------------ SROIE receipts

def sroie_samples(splits: tuple[str, ...] = ("train",)) -> list[Sample]:
    base = corpora_root() / "sroie"
    out: list[Sample] = []
    for js in sorted(base.glob("*.json")):
        csv_path = js.with_suffix(".csv")
        name = js.with_suffix(".jpg").name
        sp = sub_split(name)
        if sp not in splits or not csv_path.exists():
            continue
        truth = json.loads(js.read_text(encoding="utf-8"))
        pt = page_text(sroie_page(csv_path))
        company = str(truth.get("company", "")).strip()
        ents = annotate(pt.text, {"SELLER": [company]} if company else {},
                        whole_line_address=str(truth.get("address", "")) or None)
        out.append(Sample("sroie", name, sp, pt.text, ents, {"seller_name": company}))
    return out
