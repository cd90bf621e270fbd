"""Rebuild the shipped party NER: ``python -m extraction.nlp.train [--out DIR] [--seed N]``.

`train()` builds `pipeline.build_blank()` + a small ``ner`` (HashEmbedCNN tok2vec, width
96, depth 4, 3000 hash rows; transition parser with 64 hidden units), trains it on the
samples of `extraction.nlp.data` (generated documents + the train part of the e-invoice
and SROIE dev splits), evaluates P/R/F per label on the held-out part of dev and on the
test split (evaluation only, nothing is tuned on it), and writes the model with
``nlp.to_disk`` plus ``meta-o2c.json`` (data counts, seed, settings, metrics; no dates
or timings, so a retrain with the same seed gives the same files).

Determinism: `random`, numpy and `spacy.util.fix_random_seed` are seeded, the data order
is a seeded shuffle, training runs on CPU.  ``max_minutes`` is a safety stop only: a
run that hits it (slow machine) is no longer comparable with one that does not.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import compounding, filter_spans, fix_random_seed, minibatch

from extraction.nlp.data import (LABELS, Sample, einvoice_samples, generated_samples,
                                 sroie_samples)
from extraction.nlp.pipeline import MODEL_DIR, build_blank

__all__ = ["NER_CONFIG", "build_untrained", "to_examples", "train_on", "evaluate", "train",
           "main"]

log = logging.getLogger(__name__)

NER_CONFIG: dict[str, Any] = {
    "model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 96,
            "depth": 4,
            "embed_size": 3000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    },
}
GEN_SEED_BASE = 9100        # generated documents use seed GEN_SEED_BASE + seed
DEFAULT_GEN_COUNT = 300
GEN_HOLDOUT = 60            # generated documents from unseen companies, evaluation only
DEFAULT_ITER = 20


def _seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    fix_random_seed(seed)


def build_untrained() -> Language:
    nlp = build_blank()
    ner = nlp.add_pipe("ner", config=NER_CONFIG)
    for label in LABELS:
        ner.add_label(label)   # type: ignore[attr-defined]
    nlp.meta.update({"name": "o2c_parties", "version": "1.0.0",
                     "description": "o2c-capture label matcher + party/address NER"})
    return nlp


def to_examples(nlp: Language, samples: Sequence[Sample]) -> list[Example]:
    """Samples -> spaCy examples (char spans contracted to token boundaries)."""
    out: list[Example] = []
    for s in samples:
        doc = nlp.make_doc(s.text)
        spans = [sp for a, b, label in s.ents
                 if (sp := doc.char_span(a, b, label=label, alignment_mode="contract"))
                 is not None and len(sp) > 0]
        ents = [(sp.start_char, sp.end_char, sp.label_) for sp in filter_spans(spans)]
        out.append(Example.from_dict(doc, {"entities": ents}))
    return out


def evaluate(nlp: Language, examples: list[Example]) -> dict[str, Any]:
    """P/R/F overall and per label (rounded; empty dict when there is nothing to score)."""
    if not examples:
        return {}
    scores = nlp.evaluate(examples)
    r = lambda v: round(float(v or 0.0), 4)   # noqa: E731
    out: dict[str, Any] = {"n_docs": len(examples),
                           "all": {"p": r(scores.get("ents_p")), "r": r(scores.get("ents_r")),
                                   "f": r(scores.get("ents_f"))}}
    for label, prf in sorted((scores.get("ents_per_type") or {}).items()):
        out[label] = {k: r(v) for k, v in prf.items()}
    return out


def train_on(train_samples: Sequence[Sample], seed: int = 0, n_iter: int = DEFAULT_ITER,
             max_minutes: float = 8.0, dropout: float = 0.2
             ) -> tuple[Language, list[float]]:
    """Train a fresh pipeline on ``train_samples``; returns it and the loss per epoch."""
    _seed_all(seed)
    nlp = build_untrained()
    examples = to_examples(nlp, train_samples)
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    order = list(range(len(examples)))
    losses_per_epoch: list[float] = []
    deadline = time.monotonic() + max_minutes * 60
    with nlp.select_pipes(enable=["ner"]):
        for epoch in range(n_iter):
            rng.shuffle(order)
            losses: dict[str, float] = {}
            batches = minibatch([examples[i] for i in order], size=compounding(4.0, 32.0, 1.2))
            for batch in batches:
                nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
            losses_per_epoch.append(round(float(losses.get("ner", 0.0)), 3))
            log.info("epoch %d loss %.1f", epoch + 1, losses.get("ner", 0.0))
            if time.monotonic() > deadline:
                log.warning("max_minutes reached after %d epochs", epoch + 1)
                break
    return nlp, losses_per_epoch


def _counts(samples: Sequence[Sample]) -> dict[str, Any]:
    by: dict[str, Any] = {}
    for s in samples:
        d = by.setdefault(s.source, {"docs": 0, **{label: 0 for label in LABELS}})
        d["docs"] += 1
        for _, _, label in s.ents:
            d[label] += 1
    return by


def train(output_dir: str | Path = MODEL_DIR, seed: int = 0, n_iter: int = DEFAULT_ITER,
          max_minutes: float = 8.0, gen_count: int = DEFAULT_GEN_COUNT) -> dict[str, Any]:
    """Build the training data, train, evaluate, write the model; returns the metrics."""
    t0 = time.perf_counter()
    out = Path(output_dir)
    gen = generated_samples(gen_count, GEN_SEED_BASE + seed)
    einv = einvoice_samples(("train", "holdout", "test"))
    sroie = sroie_samples(("train", "holdout", "test"))
    train_s = gen + [s for s in einv + sroie if s.split == "train"]
    holdout = [s for s in einv + sroie if s.split == "holdout"]
    holdout += generated_samples(GEN_HOLDOUT, GEN_SEED_BASE + 500 + seed, "holdout")
    test = [s for s in einv + sroie if s.split == "test"]
    t_data = time.perf_counter() - t0
    nlp, losses = train_on(train_s, seed=seed, n_iter=n_iter, max_minutes=max_minutes)
    t_train = time.perf_counter() - t0 - t_data
    meta: dict[str, Any] = {
        "seed": seed, "n_iter": n_iter, "epochs_run": len(losses),
        "gen_count": gen_count, "gen_seed": GEN_SEED_BASE + seed, "gen_holdout": GEN_HOLDOUT,
        "labels": list(LABELS), "ner": NER_CONFIG["model"]["tok2vec"],
        "data": {"train": _counts(train_s), "holdout": _counts(holdout),
                 "test": _counts(test)},
        "losses": losses,
        "holdout": evaluate(nlp, to_examples(nlp, holdout)),
        "test": evaluate(nlp, to_examples(nlp, test)),
    }
    for name, ss in (("holdout", holdout), ("test", test)):
        for src in sorted({s.source for s in ss}):
            meta[f"{name}_{src}"] = evaluate(nlp, to_examples(nlp, [s for s in ss
                                                                   if s.source == src]))
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    (out / "meta-o2c.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return {**meta, "seconds": {"data": round(t_data, 1), "train": round(t_train, 1),
                                "total": round(time.perf_counter() - t0, 1)}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extraction.nlp.train", description=__doc__)
    ap.add_argument("--out", default=str(MODEL_DIR), help="model directory")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-iter", type=int, default=DEFAULT_ITER)
    ap.add_argument("--max-minutes", type=float, default=8.0)
    ap.add_argument("--gen-count", type=int, default=DEFAULT_GEN_COUNT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    metrics = train(args.out, seed=args.seed, n_iter=args.n_iter,
                    max_minutes=args.max_minutes, gen_count=args.gen_count)
    print(json.dumps({k: metrics[k] for k in ("holdout", "test", "losses", "seconds")},
                     indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
