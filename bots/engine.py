"""The bot engine: runs a recipe task for a document exactly once, with proof.

* One browser per worker process (`BrowserPool`: a thread that owns Playwright and one
  Chromium, relaunched if it dies), a fresh browser context per task.
* Per-portal concurrency limit (lock-file slots shared by all processes on the host) and
  rate limit (minimum interval between task starts).
* Exactly once: the idempotency key sha256(document sha256 + portal + task) is stored in
  ``postings`` with status ``started`` BEFORE anything is submitted, ``submitted`` right
  before the irreversible click, ``confirmed`` once the confirmation number is read back.
  Every attempt first searches the portal for the business key and, when the record is
  there, recovers its confirmation number instead of submitting again.
* Proof: screenshot (password fields masked) and Playwright trace (actions, network and
  console; DOM snapshots on retries or when the portal config asks; started only after
  login, so credentials are never in it) under ``<home>/proofs/<document id>/``.
* Failures: `PortalTransient` -> new context, log in again, retry with exponential backoff
  within the portal's budget (then re-raised so the queue retries later);
  `PortalBusinessError` -> failed result with the portal's message and a screenshot;
  `RecipeBroken` -> failed result and the recipe is disabled (circuit breaker).
"""
from __future__ import annotations

import hashlib
import os
import random
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bots import registry
from bots.browser import BrowserPool
from bots.errors import (PortalBusinessError, PortalLoginFailed, PortalTimeout, PortalTransient,
                         RecipeBroken, RecipeDisabled, SessionExpired)
from bots.models import Posting, begin_posting, update_posting
from bots.posting import PostingResult
from bots.recipes import TaskContext
from bots.registry import CircuitBreaker, PortalConfig, PortalGate, resolve_target
from core.db import Database, connect
from core.errors import PermanentError
from core.logs import get_logger
from core.models import utcnow
from core.settings import Settings

log = get_logger(__name__)

CONTEXT_OPTIONS: dict[str, Any] = {"viewport": {"width": 1100, "height": 800}}

@dataclass
class PortalPostingResult(PostingResult):
    """`PostingResult` plus what a portal posting leaves behind (links for the audit trail)."""

    portal: str = ""
    task: str = ""
    status: str = ""                 # confirmed | failed
    error_kind: str | None = None    # portal_business | recipe_broken | recipe_disabled ...
    business_key: str | None = None
    idempotency_key: str = ""
    screenshot: str | None = None
    trace: str | None = None
    attempts: int = 0
    recovered: bool = False          # confirmation found by search-before-submit
    skipped: bool = False            # already confirmed earlier: the portal was not touched
    seconds: float = 0.0


def idempotency_key(sha256: str, portal: str, task: str) -> str:
    return hashlib.sha256(f"{sha256}|{portal}|{task}".encode()).hexdigest()


# ---- the engine ----------------------------------------------------------------------
class BotEngine:
    def __init__(self, settings: Settings, *, db: Database | None = None,
                 portals: dict[str, PortalConfig] | None = None, pool: BrowserPool | None = None,
                 kill_after_submit: bool = False) -> None:
        self.settings = settings
        self.db = db or connect(settings.db_url)
        self.portals = dict(portals or {})
        self.pool = pool or BrowserPool()
        self.breaker = CircuitBreaker(settings.home / "bots" / "breakers.json")
        self.gate = PortalGate(settings.home / "bots" / "locks")
        self.kill_after_submit = kill_after_submit  # fault injection for crash tests
        self.reuse_sessions = True
        self._sessions: dict[str, Any] = {}   # portal -> storage state (cookies), no secrets

    def config(self, portal: str) -> PortalConfig:
        if portal not in self.portals:
            self.portals[portal] = registry.load_portal_config(portal, self.settings.home)
        return self.portals[portal]

    def close(self) -> None:
        self.pool.close()

    # ---- public ----------------------------------------------------------------------
    def post(self, snapshot: dict[str, Any]) -> PortalPostingResult | None:
        """Post the document to its portal (None when it has no posting target)."""
        resolved = resolve_target(snapshot)
        if resolved is None:
            return None
        recipe, task, _target = resolved
        return self.run_task(snapshot, recipe.name, task.name)

    def run_task(self, snapshot: dict[str, Any], portal: str, task_name: str) -> PortalPostingResult:
        t0 = time.perf_counter()
        recipe = registry.get(portal)
        task = recipe.tasks[task_name]
        ikey = idempotency_key(str(snapshot["sha256"]), portal, task_name)
        res = PortalPostingResult(False, f"portal:{portal}/{task_name}", "", portal=portal,
                                  task=task_name, idempotency_key=ikey)
        try:
            res.business_key = task.business_key(snapshot)
        except PortalBusinessError as exc:
            return self._failed(res, exc, None, t0)
        row = begin_posting(self.db, snapshot, portal, task_name, res.business_key, ikey)
        if row.business_key != res.business_key:   # same file, edited key: a human decides
            return self._failed(res, PermanentError(
                f"this document was already posted to {portal} as {row.business_key} "
                f"({row.status}); its key is now {res.business_key}",
                kind="idempotency_conflict"), None, t0)
        if row.status == "confirmed":
            return self._done(res, row, t0, skipped=True)
        tripped = self.breaker.is_open(portal)
        if tripped:
            return self._failed(res, RecipeDisabled(f"recipe {portal} is disabled: "
                                                    f"{tripped['reason']}"), None, t0)
        cfg = self.config(portal)
        proofs = self.settings.home / "proofs" / str(snapshot["id"])
        last: PortalTransient | None = None
        with self.gate.enter(cfg):
            for attempt in range(1, cfg.retries + 2):
                row = update_posting(self.db, ikey, attempts=row.attempts + 1)
                try:
                    conf, recovered, shot, trace = self.pool.run(
                        lambda b: self._attempt(b, recipe, task, cfg, snapshot, res.business_key,
                                                ikey, proofs, row.attempts))
                except PortalTransient as exc:
                    last = exc
                    update_posting(self.db, ikey, error_kind=exc.kind, error_message=exc.message)
                    log.warning("portal_transient", doc=snapshot["id"], portal=portal,
                                task=task_name, attempt=attempt, kind=exc.kind, error=exc.message)
                    if attempt <= cfg.retries:
                        delay = min(cfg.backoff_max_s, cfg.backoff_s * 2 ** (attempt - 1))
                        time.sleep(delay * random.uniform(0.8, 1.2))
                    continue
                except (PortalBusinessError, RecipeBroken, PortalLoginFailed) as exc:
                    if isinstance(exc, RecipeBroken):
                        self.breaker.trip(portal, exc.message)
                        log.error("recipe_broken", portal=portal, task=task_name, error=exc.message)
                    res.screenshot, res.trace = getattr(exc, "proof", (None, None))
                    return self._failed(res, exc, ikey, t0)
                row = update_posting(self.db, ikey, status="confirmed", confirmation=conf,
                                   screenshot_path=shot, trace_path=trace, confirmed_at=utcnow(),
                                   recovered=int(recovered), error_kind=None, error_message=None)
                return self._done(res, row, t0, recovered=recovered)
        assert last is not None
        raise type(last)(f"{portal}/{task_name} gave up after {cfg.retries + 1} attempts: "
                         f"{last.message}", kind=last.kind)

    def _done(self, res: PortalPostingResult, row: Posting, t0: float, *, skipped: bool = False,
              recovered: bool = False) -> PortalPostingResult:
        res.ok, res.status, res.reference = True, "confirmed", row.confirmation
        res.screenshot, res.trace, res.attempts = row.screenshot_path, row.trace_path, row.attempts
        res.skipped, res.recovered = skipped, recovered or bool(row.recovered)
        how = ("already confirmed earlier" if skipped else
               "found in the portal by search-before-submit" if recovered else "submitted")
        res.detail = f"{res.portal}/{res.task} {res.business_key}: confirmation {row.confirmation} ({how})"
        res.seconds = round(time.perf_counter() - t0, 3)
        log.info("portal_posted", portal=res.portal, task=res.task, key=res.business_key,
                 confirmation=row.confirmation, recovered=res.recovered, skipped=skipped,
                 s=res.seconds)
        return res

    def _failed(self, res: PortalPostingResult, exc: PermanentError, ikey: str | None,
                t0: float) -> PortalPostingResult:
        res.ok, res.status, res.error_kind = False, "failed", exc.kind
        res.detail = f"{res.portal}/{res.task}: {exc.message}"
        res.seconds = round(time.perf_counter() - t0, 3)
        if ikey is not None:
            row = update_posting(self.db, ikey, status="failed", error_kind=exc.kind,
                               error_message=exc.message, screenshot_path=res.screenshot,
                               trace_path=res.trace)
            res.attempts = row.attempts
        log.warning("portal_failed", portal=res.portal, task=res.task, kind=exc.kind,
                    error=exc.message)
        return res

    # ---- one attempt, on the browser thread ------------------------------------------
    def _attempt(self, browser: Any, recipe: registry.Recipe, task: registry.Task,
                 cfg: PortalConfig, snap: dict[str, Any], bkey: str, ikey: str, proofs: Path,
                 attempt: int) -> tuple[str, bool, str | None, str | None]:
        from playwright.sync_api import Error as PWError
        from playwright.sync_api import TimeoutError as PWTimeout

        state = self._sessions.get(recipe.name) if self.reuse_sessions else None
        context = browser.new_context(**CONTEXT_OPTIONS, storage_state=state)
        page = context.new_page()
        context.set_default_timeout(cfg.element_timeout_s * 1000)
        context.set_default_navigation_timeout(cfg.nav_timeout_s * 1000)
        stem = f"{recipe.name}-{task.name}-a{attempt}-{time.strftime('%Y%m%dT%H%M%S')}"
        tracing = False

        def before() -> None:
            update_posting(self.db, ikey, status="submitted", submitted_at=utcnow())

        def after() -> None:
            if self.kill_after_submit:
                os.kill(os.getpid(), signal.SIGKILL)

        ctx = TaskContext(page, cfg.base_url.rstrip("/"), snap, bkey,
                          cfg.element_timeout_s * 1000, before, after,
                          nav_timeout_ms=cfg.nav_timeout_s * 1000)
        try:
            existing, searched = None, False
            if state:   # reuse the portal session; the search shows whether it still holds
                try:
                    existing, searched = task.find_existing(ctx), True
                except SessionExpired:
                    self._sessions.pop(recipe.name, None)
            if not searched:
                recipe.login(ctx, cfg)                   # never traced, never screenshotted
                self._sessions[recipe.name] = context.storage_state()
                existing = task.find_existing(ctx)
            if cfg.trace and not existing:
                # DOM snapshots cost ~50 ms per navigation: on when asked for, and on
                # every retry (an earlier attempt failed; the next one is worth the detail)
                context.tracing.start(screenshots=cfg.trace_screenshots,
                                      snapshots=cfg.trace_snapshots or attempt > 1)
                tracing = True
            conf = existing or task.submit(ctx)
            shot = self._screenshot(page, proofs, stem + ("-found" if existing else ""))
            trace = self._stop_trace(context, proofs, stem) if tracing else None
            tracing = False
            return conf, existing is not None, shot, trace
        except (PortalBusinessError, RecipeBroken) as exc:
            exc.proof = (self._screenshot(page, proofs, stem + "-" + exc.kind),  # type: ignore[attr-defined]
                         self._stop_trace(context, proofs, stem + "-" + exc.kind) if tracing else None)
            tracing = False
            raise
        except SessionExpired:
            self._sessions.pop(recipe.name, None)
            raise
        except PWTimeout as exc:
            raise PortalTimeout(f"{recipe.name}/{task.name}: timed out: {str(exc).splitlines()[0]}") from exc
        except PWError as exc:
            raise PortalTransient(f"{recipe.name}/{task.name}: browser error: "
                                  f"{str(exc).splitlines()[0]}") from exc
        finally:
            if tracing:
                self._stop_trace(context, proofs, stem + "-transient")
            context.close()

    @staticmethod
    def _screenshot(page: Any, proofs: Path, stem: str) -> str | None:
        proofs.mkdir(parents=True, exist_ok=True)
        path = proofs / f"{stem}.png"
        try:
            secret = page.locator("input[type=password]")
            page.screenshot(path=str(path), full_page=False, animations="disabled",
                            mask=[secret] if secret.count() else [])
        except Exception as exc:  # proof is best effort on a broken page
            log.warning("screenshot_failed", error=str(exc).splitlines()[0])
            return None
        return str(path)

    @staticmethod
    def _stop_trace(context: Any, proofs: Path, stem: str) -> str | None:
        proofs.mkdir(parents=True, exist_ok=True)
        path = proofs / f"{stem}-trace.zip"
        try:
            context.tracing.stop(path=str(path))
        except Exception as exc:
            log.warning("trace_failed", error=str(exc).splitlines()[0])
            return None
        return str(path)


# ---- entry points --------------------------------------------------------------------
_engines: dict[str, BotEngine] = {}
_engines_lock = threading.Lock()


def engine_for(settings: Settings) -> BotEngine:
    """This process's engine for `settings` (one browser per worker process)."""
    key = f"{settings.home.resolve()}|{settings.db_url}"
    with _engines_lock:
        if key not in _engines:
            db = None
            try:
                from core import runtime

                rt = runtime.current()
                db = rt.db if rt.settings.db_url == settings.db_url else None
            except RuntimeError:
                pass
            _engines[key] = BotEngine(
                settings, db=db,
                kill_after_submit=os.environ.get("O2C_BOT_FAULT_KILL_AFTER_SUBMIT") == "1")
        return _engines[key]


def post_to_portal(settings: Settings, snapshot: dict[str, Any]) -> PortalPostingResult | None:
    """Post the document to the portal named in ``snapshot["posting_target"]``; None when
    it has no target.  Raises `PortalTransient` when the retry budget is spent."""
    if resolve_target(snapshot) is None:
        return None
    return engine_for(settings).post(snapshot)


def shutdown() -> None:
    with _engines_lock:
        for eng in _engines.values():
            eng.close()
        _engines.clear()


def snapshot_of(doc: Any) -> dict[str, Any]:
    """The bot snapshot of a `core.models.Document`.  The portal target is read from
    ``doc.posting["posting_target"]`` or ``doc.validation["posting_target"]`` (filled from
    master data)."""
    target = ((doc.posting or {}).get("posting_target")
              or (doc.validation or {}).get("posting_target"))
    return {"id": doc.id, "doc_type": doc.doc_type, "sha256": doc.sha256,
            "original_name": doc.original_name, "sender": doc.sender, "source": doc.source,
            "stored_path": doc.stored_path, "extraction": doc.extraction,
            "validation": doc.validation, "posting_target": target}


def run_bots(settings: Settings, portal: str | None = None, *,
             engine: BotEngine | None = None) -> dict[str, Any]:
    """`o2c bots run`: post every approved document that has a portal target (optionally
    only for `portal`): approved -> posting -> posted | post_failed, with an audit event
    carrying the confirmation number and proof paths.  Transient failures release the
    claim (the document stays due) and are counted."""
    from datetime import timedelta

    from sqlalchemy import select

    from core import documents
    from core.errors import TransientError
    from core.models import Document
    from core.states import State

    eng = engine or engine_for(settings)
    stale = timedelta(seconds=settings.stuck_after_s)
    out: dict[str, Any] = {"posted": 0, "post_failed": 0, "transient": 0, "results": []}
    with eng.db.session() as s:
        ids = list(s.scalars(select(Document.id).where(Document.state == State.APPROVED.value)
                             .order_by(Document.id)))
    for doc_id in ids:
        with eng.db.session() as s:
            snap = snapshot_of(documents.get(s, doc_id))
            resolved = resolve_target(snap)
            if resolved is None or (portal and resolved[0].name != portal):
                continue
            token = documents.claim(s, doc_id, State.APPROVED, State.POSTING, stale_after=stale)
        if token is None:
            continue
        try:
            res = eng.post(snap)
        except TransientError as exc:
            with eng.db.session() as s:
                documents.release(s, doc_id, token)
            out["transient"] += 1
            out["results"].append({"document": doc_id, "ok": False, "error": exc.message})
            continue
        assert res is not None
        with eng.db.session() as s:
            doc = documents.get(s, doc_id)
            if not documents.holds_claim(doc, State.POSTING, token):
                continue
            dst = State.POSTED if res.ok else State.POST_FAILED
            documents.transition(s, doc, dst, actor=f"bot:{res.portal}", detail=res.detail,
                                 posting=res.to_dict())
            documents.audit(s, doc, f"bot:{res.portal}", "portal_posting", after={
                "portal": res.portal, "task": res.task, "status": res.status,
                "confirmation": res.reference, "screenshot": res.screenshot,
                "trace": res.trace, "error_kind": res.error_kind}, detail=res.detail)
        out[dst.value] += 1
        out["results"].append({"document": doc_id, **res.to_dict()})
    return out
