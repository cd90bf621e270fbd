"""What the scan-folder watcher does with one file around ingestion: wait until it is
stable (size and mtime unchanged for ``stable_after_s``, or its done marker exists), retry
unreadable files and transient failures later, and move it to ``processed/`` or ``failed/``
without ever overwriting (`move_no_overwrite`).

`FileHandling` is a mixin of `capture.folders.FolderWatcher`, which supplies the
configuration, the bookkeeping dicts, `_ignored` and `_take` (read and ingest).
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from capture.folder_config import FolderConfig
from capture.ingest import IngestResult
from core.logs import get_logger

log = get_logger("capture.folders")   # the watcher's events keep one logger name


@dataclass
class SeenFile:
    size: int
    mtime_ns: int
    since: float            # monotonic time since which size and mtime were unchanged
    retry_at: float = 0.0
    failures: int = 0
    warned: bool = False


class FileHandling:
    """Stability, retries and moves of the files of one watched folder."""

    config: FolderConfig
    root: Path
    _seen: dict[Path, SeenFile]
    _stuck: dict[Path, tuple[int, int]]     # taken but could not be moved

    def _ignored(self, p: Path) -> bool:
        raise NotImplementedError

    def _take(self, path: Path, st: os.stat_result, seen: SeenFile,
              out: list[IngestResult]) -> bool:
        raise NotImplementedError

    # ---- stability and retries ----------------------------------------------------------
    def _consider(self, path: Path, out: list[IngestResult]) -> bool:
        """Look at one pending file; True to keep it pending."""
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            self._seen.pop(path, None)
            return False
        except OSError:
            return True
        if not path.is_file() or self._ignored(path):
            return False
        if self._stuck.get(path) == (st.st_size, st.st_mtime_ns):
            return False
        now = time.monotonic()
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            keep_retry = seen.retry_at if seen else 0.0
            seen = self._seen[path] = SeenFile(st.st_size, st.st_mtime_ns, now,
                                               retry_at=keep_retry)
        if now < seen.retry_at:
            return True
        marker = self.config.done_marker
        if marker:
            if not path.with_name(path.name + marker).exists():
                return False   # the marker's own event (or a re-scan) brings it back
        elif now - seen.since < self.config.stable_after_s:
            return True
        return self._take(path, st, seen, out)

    def _retry_later(self, path: Path, seen: SeenFile, event: str, reason: str) -> None:
        seen.retry_at = time.monotonic() + self.config.retry_after_s
        if not seen.warned:
            log.warning(event, folder=self.config.name, file=path.name, reason=reason,
                        retry_in_s=self.config.retry_after_s)
            seen.warned = True

    # ---- moving -------------------------------------------------------------------------
    def _finish(self, path: Path, dest_root: Path, reason: str | None,
                results: list[IngestResult] | None = None) -> None:
        rel = path.parent.relative_to(self.root) if path.parent != self.root else Path()
        try:
            target = move_no_overwrite(path, dest_root / rel)
        except OSError as exc:
            with contextlib.suppress(OSError):
                st = path.stat()
                self._stuck[path] = (st.st_size, st.st_mtime_ns)
            log.error("folder_move_failed", folder=self.config.name, file=path.name,
                      dest=str(dest_root), error=str(exc))
            return
        self._seen.pop(path, None)
        if reason:
            log.warning("folder_file_failed", folder=self.config.name, file=path.name,
                        reason=reason, moved_to=str(target))
            with contextlib.suppress(OSError):   # atomic: a reader never sees it half written
                note = target.with_name(target.name + ".error.txt")
                tmp = note.with_name(f".{note.name}.tmp")
                tmp.write_text(reason + "\n", "utf-8")
                os.replace(tmp, note)
        else:
            log.info("folder_file_moved", folder=self.config.name, file=path.name,
                     moved_to=str(target),
                     docs=",".join(str(r.document_id) for r in results or []))
        if self.config.done_marker:
            path.with_name(path.name + self.config.done_marker).unlink(missing_ok=True)


def move_no_overwrite(src: Path, dest_dir: Path) -> Path:
    """Move `src` into `dest_dir` under its name, or ``stem-N.ext`` when taken.  Never
    overwrites: a hard link claims the name atomically; where links are not possible
    (another file system, some SMB mounts) the file is copied then removed."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stem, suffix = src.stem, src.suffix
    for n in range(10_000):
        target = dest_dir / (src.name if n == 0 else f"{stem}-{n}{suffix}")
        try:
            os.link(src, target)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP,
                                 errno.EMLINK):
                raise
            if target.exists():
                continue
            shutil.move(str(src), str(target))
            return target
        try:
            src.unlink()
        except OSError:
            target.unlink(missing_ok=True)
            raise
        return target
    raise OSError(errno.EEXIST, f"no free name for {src.name} in {dest_dir}")
