"""Scan-folder watcher: the mail room drops scans into a shared folder; each complete file
is ingested (`capture.safety.ingest_guarded`, source ``folder``) and then moved to
``processed/`` - or ``failed/`` when ingestion failed or the document is ``failed``.

How a file is taken:

1. Events from watchdog (inotify, or `PollingObserver` for NFS/SMB shares that deliver no
   inotify events) and a periodic full re-scan (a safety net; also picks up the files
   present at start-up) put paths on a pending set.
2. A file is complete when its size and mtime were unchanged for ``stable_after_s`` -
   or, with ``done_marker``, as soon as its ``<file><marker>`` companion exists.
3. It is read, checked, optionally split into documents (``split``), ingested and
   committed; only then is it moved.  Moves never overwrite (``name-1.pdf`` ...).  A file
   is never deleted; the marker file is removed after its file was moved.
4. Unreadable files (permission denied, share hiccups) and database outages are retried
   after ``retry_after_s``; the watcher keeps running.  Zero-byte and oversized files go
   to ``failed/`` with a log line and a ``<name>.error.txt`` note beside them.

    watchers = start_folder_watchers(rt, load_folder_config(path), on_document=enqueue)
    ...
    for w in watchers: w.stop()

Stability, retries and moves of a single file live in `capture.folder_files`.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from capture import split
from capture.folder_config import FolderConfig
from capture.folder_files import FileHandling, SeenFile, move_no_overwrite
from capture.ingest import IngestResult
from capture.safety import ingest_guarded
from core.errors import ConfigError, EmptyFile, TransientError
from core.logs import get_logger
from core.runtime import Runtime
from core.states import State

log = get_logger(__name__)

OnDocument = Callable[[IngestResult], None]
MAX_FAILURES = 3   # unexpected errors on one file before it is moved to failed/


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write", "deleted"):
            return
        if event.is_directory:
            if event.event_type in ("created", "moved"):
                self.watcher.request_rescan()
            return
        for p in (event.src_path, getattr(event, "dest_path", "")):
            if p:
                self.watcher.notify(os.fsdecode(p))


class FolderWatcher(FileHandling):
    """Watches one configured folder.  `start()` runs it in a background thread;
    `scan_once()` does one synchronous pass (a new file needs two passes at least
    ``stable_after_s`` apart, unless ``stable_after_s`` is 0 or a done marker is used)."""

    def __init__(self, rt: Runtime, config: FolderConfig,
                 on_document: OnDocument | None = None) -> None:
        self.rt = rt
        self.config = config
        self.on_document = on_document
        self.root = config.root
        self.processed = config.processed_path
        self.failed = config.failed_path
        self.max_bytes = int(rt.settings.max_file_mb * 1_000_000)
        self._pending: set[Path] = set()
        self._seen: dict[Path, SeenFile] = {}
        self._stuck: dict[Path, tuple[int, int]] = {}   # taken but could not be moved
        self._lock = threading.Lock()        # guards _pending
        self._work = threading.RLock()       # one pass at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._rescan = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: BaseObserver | None = None
        self._tick = max(0.05, min(config.stable_after_s / 3 or 0.1, 1.0))

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        if not self.root.is_dir():
            raise ConfigError(f"folder {self.config.name}: {self.root} is not an existing folder")
        for d in (self.processed, self.failed):
            d.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._observer = self._start_observer()
        self._thread = threading.Thread(target=self._run, name=f"o2c-folder-{self.config.name}",
                                        daemon=True)
        self._thread.start()
        log.info("folder_watch_started", folder=self.config.name, path=str(self.root),
                 mode=self.config.mode, recursive=self.config.recursive, split=self.config.split)

    def _start_observer(self) -> BaseObserver:
        handler = _Handler(self)
        if self.config.mode == "inotify":
            try:
                obs: BaseObserver = Observer()
                obs.schedule(handler, str(self.root), recursive=self.config.recursive)
                obs.start()
                return obs
            except OSError as exc:   # e.g. inotify watch limit reached
                log.warning("folder_inotify_unavailable", folder=self.config.name,
                            error=str(exc), fallback="polling")
        obs = PollingObserver(timeout=self.config.poll_interval_s)
        obs.schedule(handler, str(self.root), recursive=self.config.recursive)
        obs.start()
        return obs

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        log.info("folder_watch_stopped", folder=self.config.name)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        next_rescan = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_rescan or self._rescan.is_set():
                self._rescan.clear()
                self._scan_tree()
                next_rescan = now + self.config.rescan_interval_s
            try:
                self._process_ready()
            except Exception as exc:  # noqa: BLE001 - the watcher must keep running
                log.error("folder_pass_failed", folder=self.config.name, error=str(exc),
                          exc_info=True)
            with self._lock:
                busy = bool(self._pending)
            wait = self._tick if busy else max(0.05, next_rescan - time.monotonic())
            self._wake.wait(wait)
            self._wake.clear()

    # ---- discovery ----------------------------------------------------------------------
    def notify(self, path: str | Path) -> None:
        """A file changed (from the observer): consider it soon."""
        p = Path(path)
        marker = self.config.done_marker
        if marker and p.name.lower().endswith(marker.lower()) and len(p.name) > len(marker):
            p = p.with_name(p.name[: -len(marker)])
        if self._ignored(p):
            return
        with self._lock:
            self._pending.add(p)
        self._wake.set()

    def request_rescan(self) -> None:
        self._rescan.set()
        self._wake.set()

    def _in_outputs(self, p: Path) -> bool:
        p = p.absolute()
        return p.is_relative_to(self.processed) or p.is_relative_to(self.failed)

    def _ignored(self, p: Path) -> bool:
        p = p.absolute()
        if self._in_outputs(p):
            return True
        if not p.is_relative_to(self.root):
            return True
        if not self.config.recursive and p.parent != self.root:
            return True
        return not self.config.wants(p.name)

    def _scan_tree(self) -> None:
        try:
            found = list(self._walk())
        except OSError as exc:
            log.warning("folder_scan_failed", folder=self.config.name, path=str(self.root),
                        error=str(exc))
            return
        with self._lock:
            self._pending.update(found)
            known = set(self._seen) | set(self._stuck)
        for gone in known - set(found):   # forget files that left the folder
            self._seen.pop(gone, None)
            self._stuck.pop(gone, None)

    def _walk(self) -> Iterable[Path]:
        stack = [self.root]
        while stack:
            d = stack.pop()
            with os.scandir(d) as it:
                for entry in it:
                    p = Path(entry.path)
                    if entry.is_dir(follow_symlinks=False):
                        if (self.config.recursive and not entry.name.startswith(".")
                                and not self._in_outputs(p)):
                            stack.append(p)
                    elif entry.is_file() and not self._ignored(p):
                        yield p

    # ---- taking files -------------------------------------------------------------------
    def scan_once(self) -> list[IngestResult]:
        """Scan the folder and take every file that is complete now."""
        self._scan_tree()
        return self._process_ready()

    def _process_ready(self) -> list[IngestResult]:
        out: list[IngestResult] = []
        with self._work:
            with self._lock:
                batch = sorted(self._pending)
            for path in batch:
                if self._stop.is_set() and self._thread is not None:
                    break
                if not self._consider(path, out):
                    with self._lock:
                        self._pending.discard(path)
        return out

    def _take(self, path: Path, st: os.stat_result, seen: SeenFile,
              out: list[IngestResult]) -> bool:
        name = path.name
        if st.st_size > self.max_bytes:
            self._finish(path, self.failed, f"{name} is {st.st_size / 1e6:.1f} MB, over the "
                         f"{self.max_bytes / 1e6:.0f} MB limit")
            return False
        try:
            with open(path, "rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except FileNotFoundError:
            self._seen.pop(path, None)
            return False
        except OSError as exc:   # permission denied, share hiccup: retry later
            self._retry_later(path, seen, "folder_file_unreadable", exc.strerror or str(exc))
            return True
        if len(data) != st.st_size:   # changed while we read it
            self._seen.pop(path, None)
            return True
        try:
            results = self._ingest(name, data)
        except EmptyFile as exc:
            self._finish(path, self.failed, exc.message)
            return False
        except TransientError as exc:
            self._retry_later(path, seen, "folder_ingest_deferred", exc.message)
            return True
        except Exception as exc:  # noqa: BLE001 - keep watching; retry a few times
            seen.failures += 1
            log.error("folder_ingest_error", folder=self.config.name, file=name,
                      error=str(exc), attempt=seen.failures, exc_info=True)
            if seen.failures < MAX_FAILURES:
                seen.retry_at = time.monotonic() + self.config.retry_after_s
                return True
            self._finish(path, self.failed, f"ingestion failed {seen.failures} times: {exc}")
            return False
        failed = any(r.state == State.FAILED.value for r in results)
        self._finish(path, self.failed if failed else self.processed, None, results)
        out.extend(results)
        for r in results:
            if not r.duplicate and self.on_document is not None:
                try:
                    self.on_document(r)
                except Exception as exc:  # noqa: BLE001 - the sweeper will pick it up
                    log.error("folder_on_document_failed", doc=r.document_id, error=str(exc))
        return False

    def _ingest(self, name: str, data: bytes) -> list[IngestResult]:
        cfg = self.config
        parts = split.split_named(name, data, cfg.split, separator_values=cfg.separator_values)
        with self.rt.db.session() as s:
            results = [ingest_guarded(s, self.rt.store, part, pname, source="folder",
                                      sender=f"folder:{cfg.name}", max_bytes=self.max_bytes)[0]
                       for pname, part in parts]
        for r in results:
            log.info("folder_ingested", folder=cfg.name, doc=r.document_id, file=r.name,
                     state=r.state, duplicate=r.duplicate)
        return results


def start_folder_watchers(rt: Runtime, configs: Iterable[FolderConfig],
                          on_document: OnDocument | None = None) -> list[FolderWatcher]:
    """Start one watcher per configured folder.  A folder that cannot be watched (missing
    path) is logged and skipped; the others run."""
    started: list[FolderWatcher] = []
    for cfg in configs:
        w = FolderWatcher(rt, cfg, on_document)
        try:
            w.start()
        except (ConfigError, OSError) as exc:
            log.error("folder_watch_failed", folder=cfg.name, path=str(cfg.root),
                      error=getattr(exc, "message", None) or str(exc))
            continue
        started.append(w)
    return started


__all__ = ["MAX_FAILURES", "FolderWatcher", "OnDocument", "move_no_overwrite",
           "start_folder_watchers"]
