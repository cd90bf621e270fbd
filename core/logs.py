"""Structured logging: one line per event, ``key=value`` pairs (or JSON), and the document
id on every line that concerns a document.

    log = get_logger(__name__)
    log.info("extracted", doc=12, fields=9, ms=41)
    # 2026-11-24T20:00:00Z INFO extraction.pipeline event=extracted doc=12 fields=9 ms=41
"""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any


class EventLogger:
    def __init__(self, name: str) -> None:
        self._log = logging.getLogger(name)

    def _emit(self, level: int, event: str, fields: dict[str, Any]) -> None:
        if self._log.isEnabledFor(level):
            exc_info = fields.pop("exc_info", None)
            self._log.log(level, event, extra={"o2c_fields": fields}, exc_info=exc_info)

    def debug(self, event: str, **fields: Any) -> None:
        self._emit(logging.DEBUG, event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._emit(logging.INFO, event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit(logging.WARNING, event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit(logging.ERROR, event, fields)


def get_logger(name: str) -> EventLogger:
    return EventLogger(name)


def _fmt(v: Any) -> str:
    s = str(v)
    if not s or any(c in s for c in ' ="\n'):
        return json.dumps(s, ensure_ascii=False)
    return s


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        fields = getattr(record, "o2c_fields", None)
        parts = [f"{ts}Z", record.levelname, record.name]
        if fields is None:
            parts.append(f"msg={_fmt(record.getMessage())}")
        else:
            parts.append(f"event={_fmt(record.getMessage())}")
            parts += [f"{k}={_fmt(v)}" for k, v in fields.items()]
        line = " ".join(parts)
        if record.exc_info:
            line += " exc=" + _fmt(self.formatException(record.exc_info).splitlines()[-1])
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": record.created, "level": record.levelname, "logger": record.name,
            "event": record.getMessage(),
        }
        out.update(getattr(record, "o2c_fields", None) or {})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(out, default=str, ensure_ascii=False)


def setup_logging(level: str = "INFO", json_lines: bool = False, stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else LogfmtFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("pika", "urllib3", "httpx", "multipart", "PIL", "pdfminer", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
