"""A thin, typed layer over imapclient for one configured mailbox: connect (SSL, STARTTLS
or plain; password or XOAUTH2) with timeouts, select the watched folder, search new UIDs,
fetch sizes + headers first and bodies second, move / flag / quarantine, and IDLE.

Every network or protocol failure is raised as `MailboxUnavailable` (a `TransientError`:
reconnect and retry); a rejected login as `MailboxLoginFailed`.
"""
from __future__ import annotations

import imaplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from capture.config import MailboxConfig
from core.errors import TransientError
from core.logs import get_logger

log = get_logger(__name__)
T = TypeVar("T")
HEADER_FIELDS = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM SUBJECT DATE)]"
NET_ERRORS: tuple[type[BaseException], ...] = (
    IMAPClientError, imaplib.IMAP4.error, imaplib.IMAP4.abort, OSError, socket.timeout,
    ssl.SSLError, EOFError)


class MailboxUnavailable(TransientError):
    kind = "mailbox_unavailable"


class MailboxLoginFailed(MailboxUnavailable):
    kind = "mailbox_login_failed"


@dataclass(frozen=True)
class MailMeta:
    uid: int
    size: int
    headers: bytes


@contextmanager
def _translate(what: str, mailbox: str) -> Iterator[None]:
    try:
        yield
    except LoginError as exc:
        raise MailboxLoginFailed(f"mailbox {mailbox}: login failed: {_msg(exc)}") from exc
    except NET_ERRORS as exc:
        raise MailboxUnavailable(f"mailbox {mailbox}: {what} failed: "
                                 f"{type(exc).__name__}: {_msg(exc)}") from exc


def _msg(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, bytes):  # pragma: no cover
        text = exc.decode(errors="replace")
    return (text.splitlines() or [type(exc).__name__])[0][:300]


class ImapMailbox:
    """One connection to one mailbox folder.  Not thread-safe: one watcher owns it."""

    def __init__(self, cfg: MailboxConfig,
                 client_factory: Callable[..., imapclient.IMAPClient] = imapclient.IMAPClient
                 ) -> None:
        self.cfg = cfg
        self._factory = client_factory
        self.client: imapclient.IMAPClient | None = None
        self.uidvalidity: int | None = None
        self.capabilities: frozenset[bytes] = frozenset()
        self._idling = False

    # ---- connection ---------------------------------------------------------------------
    def connect(self) -> None:
        cfg = self.cfg
        timeout = imapclient.SocketTimeout(connect=min(cfg.timeout_s, 15.0), read=cfg.timeout_s)
        with _translate("connect", cfg.name):
            client = self._factory(cfg.host, cfg.effective_port, ssl=cfg.security == "ssl",
                                   ssl_context=ssl.create_default_context()
                                   if cfg.security != "none" else None, timeout=timeout)
        try:
            with _translate("login", cfg.name):
                if cfg.security == "starttls":
                    client.starttls(ssl.create_default_context())
                if cfg.uses_oauth2:
                    client.oauth2_login(cfg.user, cfg.oauth2_token())
                else:
                    client.login(cfg.user, cfg.password())
                self.capabilities = frozenset(client.capabilities())
        except BaseException:
            _quiet_close(client)
            raise
        self.client = client
        self._idling = False
        log.info("mailbox_connected", mailbox=cfg.name, host=cfg.host, port=cfg.effective_port,
                 idle=self.has_idle, move=self.has_move)

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            if self._idling:
                try:
                    client.idle_done()
                except Exception:  # noqa: BLE001 - closing anyway
                    pass
            _quiet_close(client)
        self._idling = False

    @property
    def connected(self) -> bool:
        return self.client is not None

    @property
    def has_idle(self) -> bool:
        return b"IDLE" in self.capabilities

    @property
    def has_move(self) -> bool:
        return b"MOVE" in self.capabilities

    def _c(self) -> imapclient.IMAPClient:
        if self.client is None:
            raise MailboxUnavailable(f"mailbox {self.cfg.name}: not connected")
        return self.client

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        with _translate(what, self.cfg.name):
            return fn()

    # ---- folders ------------------------------------------------------------------------
    def ensure_folder(self, folder: str) -> None:
        c = self._c()
        if not self._call("list folders", lambda: c.folder_exists(folder)):
            self._call(f"create folder {folder}", lambda: c.create_folder(folder))
            log.info("mailbox_folder_created", mailbox=self.cfg.name, folder=folder)

    def select(self) -> int:
        """Select the watched folder; return its UIDVALIDITY."""
        c = self._c()
        info = self._call(f"select {self.cfg.folder}", lambda: c.select_folder(self.cfg.folder))
        self.uidvalidity = int(info[b"UIDVALIDITY"])
        return self.uidvalidity

    # ---- reading ------------------------------------------------------------------------
    def search_uids(self, after_uid: int = 0, upto: int | None = None,
                    extra: list[Any] | None = None) -> list[int]:
        c = self._c()
        rng = f"{after_uid + 1}:{upto if upto is not None else '*'}"
        crit: list[Any] = ["UID", rng] + (extra or [])
        uids = self._call("search", lambda: c.search(crit))
        hi = upto if upto is not None else None
        return sorted(int(u) for u in uids if int(u) > after_uid and (hi is None or int(u) <= hi))

    def fetch_meta(self, uids: list[int]) -> dict[int, MailMeta]:
        if not uids:
            return {}
        c = self._c()
        data = self._call("fetch headers", lambda: c.fetch(uids, [b"RFC822.SIZE", HEADER_FIELDS]))
        out: dict[int, MailMeta] = {}
        for uid, item in data.items():
            headers = next((v for k, v in item.items() if k.startswith(b"BODY[HEADER")), b"")
            out[int(uid)] = MailMeta(int(uid), int(item.get(b"RFC822.SIZE", 0)), headers or b"")
        return out

    def fetch_bodies(self, uids: list[int]) -> dict[int, bytes]:
        if not uids:
            return {}
        c = self._c()
        data = self._call("fetch bodies", lambda: c.fetch(uids, [b"BODY.PEEK[]"]))
        return {int(uid): bytes(item.get(b"BODY[]") or b"") for uid, item in data.items()}

    # ---- after processing ---------------------------------------------------------------
    def move(self, uids: list[int], folder: str) -> None:
        if not uids:
            return
        c = self._c()
        if self.has_move:
            self._call(f"move to {folder}", lambda: c.move(uids, folder))
            return
        self._call(f"copy to {folder}", lambda: c.copy(uids, folder))
        self._call("delete", lambda: c.delete_messages(uids))
        if b"UIDPLUS" in self.capabilities:
            self._call("expunge", lambda: c.uid_expunge(uids))
        else:
            self._call("expunge", lambda: c.expunge())

    def flag(self, uids: list[int], flag: str) -> None:
        if not uids:
            return
        c = self._c()
        self._call(f"flag {flag}", lambda: c.add_flags(uids, [flag.encode()]))

    # ---- waiting ------------------------------------------------------------------------
    def idle_wait(self, max_s: float, stop: threading.Event, tick_s: float = 0.5) -> bool:
        """IDLE until new mail (True), `max_s` elapsed or `stop` set (False).  The caller
        re-IDLEs, so `max_s` must stay below the server's 29-minute limit."""
        c = self._c()
        self._call("idle", c.idle)
        self._idling = True
        new = False
        deadline = time.monotonic() + max_s
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                tick = max(0.05, min(tick_s, deadline - time.monotonic()))
                responses = self._call("idle", lambda: c.idle_check(timeout=tick))
                for resp in responses:
                    if b"BYE" in resp:
                        raise MailboxUnavailable(f"mailbox {self.cfg.name}: server said BYE "
                                                 f"during IDLE: {resp!r:.200}")
                    if len(resp) >= 2 and resp[1] in (b"EXISTS", b"RECENT"):
                        new = True
                if new:
                    break
        finally:
            if self._idling and self.client is not None:
                self._idling = False
                self._call("idle done", c.idle_done)
        return new


def _quiet_close(client: imapclient.IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection is going away anyway
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass


def chunk_by_size(uids: list[int], sizes: dict[int, int], max_bytes: int) -> list[list[int]]:
    """Split `uids` into runs whose total size stays under `max_bytes` (at least one each)."""
    out: list[list[int]] = []
    cur: list[int] = []
    total = 0
    for uid in uids:
        if cur and total + sizes[uid] > max_bytes:
            out.append(cur)
            cur, total = [], 0
        cur.append(uid)
        total += sizes[uid]
    if cur:
        out.append(cur)
    return out
