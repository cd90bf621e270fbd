"""The spaCy NLP layer of o2c-capture (shipped inside the package, nothing downloaded).

* `pipeline`  - `build_blank()` / `load()`; the ``o2c_labels`` rule component.
* `text`      - page words -> NER text with a character -> word / box map.
* `data`      - training / evaluation examples (generated documents, e-invoice dev split,
  SROIE dev split) with SELLER / BUYER / ADDRESS annotations.
* `train`     - `train()` / ``python -m extraction.nlp.train``: rebuilds ``model/``.
* `parties`   - `party_candidates(pages)`: NER party candidates with roles and boxes.
* `measure`   - NER vs. rule extractor on the einvoice / invoice2data test split.
"""
from __future__ import annotations

__all__ = ["pipeline", "text", "data", "train", "parties", "measure"]
