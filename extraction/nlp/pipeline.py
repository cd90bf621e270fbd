"""The spaCy NLP layer: a blank multilingual pipeline plus o2c rule components.

* `build_blank()` -> ``spacy.blank("xx")`` (language-neutral tokenizer) + ``o2c_labels``.
* `load()` -> the shipped, trained pipeline from ``extraction/nlp/model/`` (``o2c_labels``
  + a small ``ner`` for SELLER / BUYER / ADDRESS), cached; falls back to `build_blank()`
  with a single warning when the model directory is missing.  Nothing is downloaded.

``o2c_labels`` marks printed field labels ("Invoice No", "Rechnungs-Nr.", "N° de
facture", "Invoice #") as ``doc.spans["labels"]``.  Matching is a `PhraseMatcher` over a
*normalised shadow doc*: every token is normalised with `extraction.labels.normalise_label`
(lowercase, accents folded, ``ß`` -> ``ss``, punctuation dropped, "No"/"Nr"/"N°" spelling
variants from the lexicon), so spaCy's tokenisation of ``Rechnungs-Nr.`` (``Rechnungs``,
``-``, ``Nr``, ``.``) and the lexicon's normal form line up.  Line / column breaks
(``"\\n"``, ``"\\t"`` tokens) are barriers a label never crosses.  The longest label wins;
known non-target labels (``_customer_number``...) shadow shorter ones and are then dropped.
Each span's ``label_`` is the first candidate field; ``span._.o2c_fields`` lists all of
them (``"Total"`` -> ``("total_gross", "payment_amount", "line_total")``).
"""
from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extraction.labels import is_ignored, label_lookup, normalise_label

__all__ = ["MODEL_DIR", "LABELS_KEY", "build_blank", "load", "LabelMatcher"]

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
LABELS_KEY = "labels"
_BARRIER = "\u00b6"          # stands for a line / column break in the shadow doc
_TRAILING = frozenset("#.°º")  # punctuation tokens that belong to a label ("Invoice #")

# `normalise_label` is a pure function of the token text and the same tokens recur on every
# page ("Invoice", "Total", "EUR"...): memoise it for the shadow doc.
_normalise_token = lru_cache(maxsize=65536)(normalise_label)

if not Span.has_extension("o2c_fields"):
    Span.set_extension("o2c_fields", default=())


class LabelMatcher:
    """Stateless label finder built from `extraction.labels` (see module docstring)."""

    def __init__(self, nlp: Language, name: str, kind: str = "all",
                 include_ignored: bool = False, spans_key: str = LABELS_KEY) -> None:
        self.name = name
        self.kind = kind
        self.include_ignored = include_ignored
        self.spans_key = spans_key
        self._vocab = nlp.vocab
        self._fields: dict[str, tuple[str, ...]] = {}
        self._matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        table = label_lookup(kind, include_ignored=True)   # type: ignore[arg-type]
        for key in sorted(table):
            names = table[key]
            kept = tuple(n for n in names if not is_ignored(n))
            self._fields[key] = kept if kept else tuple(names)
            self._matcher.add(key, [Doc(nlp.vocab, words=key.split())])

    def _shadow(self, doc: Doc) -> tuple[list[str], list[int]]:
        """Normalised sub-tokens and, for each, the index of its source token."""
        words: list[str] = []
        src: list[int] = []
        for tok in doc:
            if tok.is_space:
                if "\n" in tok.text or "\t" in tok.text:
                    words.append(_BARRIER)
                    src.append(tok.i)
                continue
            for piece in _normalise_token(tok.text).split():
                words.append(piece)
                src.append(tok.i)
        return words, src

    def __call__(self, doc: Doc) -> Doc:
        words, src = self._shadow(doc)
        spans: list[Span] = []
        if words:
            shadow = Doc(self._vocab, words=words)
            for match_id, start, end in self._matcher(shadow):
                key = self._vocab.strings[match_id]
                names = self._fields.get(key, ())
                stop = src[end - 1] + 1
                while stop < len(doc) and doc[stop].text in _TRAILING and (
                        doc[stop].text == "#" or not doc[stop - 1].whitespace_):
                    stop += 1
                span = Span(doc, src[start], stop, label=names[0] if names else key)
                span._.o2c_fields = names
                spans.append(span)
        kept = []
        for span in filter_spans(spans):            # longest first, no overlaps
            names = span._.o2c_fields
            if not self.include_ignored and all(is_ignored(n) for n in names):
                continue
            kept.append(span)
        doc.spans[self.spans_key] = kept
        return doc


@Language.factory("o2c_labels", default_config={"kind": "all", "include_ignored": False,
                                                "spans_key": LABELS_KEY})
def make_label_matcher(nlp: Language, name: str, kind: str, include_ignored: bool,
                       spans_key: str) -> LabelMatcher:
    return LabelMatcher(nlp, name, kind=kind, include_ignored=include_ignored,
                        spans_key=spans_key)


def build_blank() -> Language:
    """``spacy.blank("xx")`` with the rule components (no trained weights)."""
    nlp = spacy.blank("xx")
    nlp.add_pipe("o2c_labels")
    return nlp


def _use_numpy_gemm(nlp: Language) -> None:
    """Run the trained components' matrix products through numpy (OpenBLAS) instead of
    thinc's default BLIS kernels: on the tok2vec and parser layer shapes used here
    (~200 tokens x 96-384) numpy is ~3x faster on one core, which halves the NER's
    tok2vec time.  BLAS is held to one thread: workers parallelise by process, and the
    speed goal is per core."""
    from thinc.api import NumpyOps

    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=1, user_api="blas")
    except ImportError:       # optional: without it OpenBLAS may use a second thread
        pass
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops


@lru_cache(maxsize=None)
def _load(path: str) -> Language:
    p = Path(path)
    if not (p / "config.cfg").is_file():
        log.warning("o2c NLP model not found at %s; using the blank pipeline "
                    "(run `python -m extraction.nlp.train` to build it)", p)
        return build_blank()
    t = time.perf_counter()
    nlp = spacy.load(p)
    _use_numpy_gemm(nlp)
    log.debug("loaded o2c NLP model from %s in %.0f ms", p, (time.perf_counter() - t) * 1e3)
    return nlp


def load(path: str | Path | None = None) -> Language:
    """The shipped pipeline (cached per path); `build_blank()` if it is not there."""
    return _load(str(Path(path) if path is not None else MODEL_DIR))
