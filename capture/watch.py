"""Start every configured capture channel (scan folders, mailboxes) for the service.

The YAML file named by `Settings.capture_config` has a ``folders:`` list and a
``mailboxes:`` list; each channel calls `on_document` for every new document it stores
(the service passes a function that enqueues it)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from capture.ingest import IngestResult
from core.logs import get_logger
from core.runtime import Runtime

log = get_logger(__name__)


def start_watchers(rt: Runtime, on_document: Callable[[IngestResult], None]) -> list[Any]:
    path = rt.settings.capture_config
    if path is None:
        return []
    from capture.folder_config import load_folder_config
    from capture.folders import start_folder_watchers

    watchers: list[Any] = list(start_folder_watchers(rt, load_folder_config(path), on_document))
    try:
        from capture.config import load_capture_config
        from capture.mailwatch import start_mail_watchers
    except ImportError:  # mail capture not installed in this build
        return watchers
    watchers += start_mail_watchers(rt, load_capture_config(path), on_document)
    log.info("capture_started", channels=len(watchers), config=str(path))
    return watchers
