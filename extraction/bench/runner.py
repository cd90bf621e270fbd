"""Run extraction over benchmark cases and record what came out, how sure it was and how
long it took.  Digital documents run in this process (one core, as the speed goal says);
OCR cases run in a pool of processes (tesseract single-threaded in each), and a sample of
them is also timed with the bare `tesseract` CLI on the same image for the speed ratio."""
from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from extraction.bench.cases import Case


@dataclass
class Outcome:
    case: Case
    doc_type: str | None = None
    fields: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    line_count: int = 0
    ms: float = 0.0
    pages: int = 0
    sources: list[str] = field(default_factory=list)
    error: str | None = None
    bare_tesseract_ms: float | None = None

    @property
    def ms_per_page(self) -> float:
        return self.ms / max(self.pages, 1)


def run_case(case: Case, languages: str, bare: bool = False) -> Outcome:
    from core.errors import O2CError
    from extraction.pipeline import ExtractOptions, extract_path

    from extraction.bench.cases import materialise

    materialise(case)
    opts = ExtractOptions(ignore_xml=True, ocr_languages=languages, page_timeout_s=120)
    out = Outcome(case)
    t0 = time.perf_counter()
    try:
        ext = extract_path(case.path, options=opts)
    except O2CError as exc:
        out.ms = (time.perf_counter() - t0) * 1000
        out.error = f"{exc.kind}: {exc.message}"
        return out
    out.ms = (time.perf_counter() - t0) * 1000
    out.doc_type = ext.doc_type
    out.fields = {k: (f.value, f.confidence) for k, f in ext.fields.items()}
    out.line_count = len(ext.lines)
    out.pages = max(ext.pages, 1)
    out.sources = list(ext.meta.get("readers", []))
    if bare and case.ocr and case.path.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        from extraction.ocr import bare_tesseract_seconds
        out.bare_tesseract_ms = bare_tesseract_seconds(case.path, languages) * 1000
    return out


def _pool_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _run_remote(args: tuple[Case, str, bool]) -> Outcome:
    return run_case(*args)


def run_all(cases: list[Case], *, languages: str = "eng+deu+fra", processes: int = 2,
            bare_every: int = 5, min_bare_pairs: int = 12,
            progress: Any = None) -> list[Outcome]:
    digital = [c for c in cases if not c.ocr]
    ocr = [c for c in cases if c.ocr]
    outcomes: list[Outcome] = []
    # warm-up: imports, spaCy model, lexicons are loaded once before timing
    if digital:
        run_case(digital[0], languages)
    for c in digital:
        outcomes.append(run_case(c, languages))
        if progress:
            progress(outcomes[-1])
    if ocr:
        # time bare tesseract on every `bare_every`-th image, but on enough of them for a
        # stable median ratio when the run is small (``--limit-ocr``)
        every = max(1, min(bare_every, len(ocr) // max(1, min_bare_pairs)))
        jobs = [(c, languages, i % every == 0) for i, c in enumerate(ocr)]
        with ProcessPoolExecutor(max_workers=processes, initializer=_pool_init) as pool:
            for o in pool.map(_run_remote, jobs, chunksize=1):
                outcomes.append(o)
                if progress:
                    progress(o)
    return outcomes
