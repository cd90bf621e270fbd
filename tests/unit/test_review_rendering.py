"""Page images of scanned documents are shown turned the way the OCR measured their word
boxes (`review_ui.rendering`): upright, then levelled by the deskew angle."""
from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageDraw

from review_ui import rendering


def _bar_spread(img: Image.Image) -> int:
    """Rows that hold the dark bar: its thickness when level, far more when tilted."""
    dark = np.asarray(img.convert("L")) < 100
    rows = np.nonzero(dark.any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


def test_page_frame_reads_the_extraction_meta() -> None:
    ext = {"meta": {"page_frames": {"2": {"rotation": 90, "skew": -1.5}}}}
    assert rendering.page_frame(ext, 2) == (90, -1.5)
    assert rendering.page_frame(ext, 1) == (0, 0.0)
    assert rendering.page_frame(None, 1) == (0, 0.0)
    assert rendering.page_frame({"meta": {}}, 1) == (0, 0.0)


def test_scanned_page_image_is_turned_like_its_word_boxes(tmp_path: Path) -> None:
    page = Image.new("L", (800, 1100), 255)
    ImageDraw.Draw(page).rectangle((100, 500, 700, 510), fill=0)
    tilted = page.rotate(3, resample=Image.BICUBIC, fillcolor=255)    # 3 degrees CCW
    src = tmp_path / "scan.png"
    tilted.save(src)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    rt = SimpleNamespace(settings=SimpleNamespace(home=tmp_path / "home"),
                         store=SimpleNamespace(open_path=lambda p: Path(p)))
    plain = rendering.page_png(rt, sha, str(src), "image/png", 1, 72)
    levelled = rendering.page_png(rt, sha, str(src), "image/png", 1, 72, (0, -3.0))
    assert plain != levelled                                      # cached apart
    with Image.open(plain) as a, Image.open(levelled) as b:
        assert a.size == b.size
        assert _bar_spread(a) > 3 * _bar_spread(b)
    turned = rendering.page_png(rt, sha, str(src), "image/png", 1, 72, (90, 0.0))
    with Image.open(turned) as c:                                 # a quarter turn: landscape
        assert c.width > c.height
