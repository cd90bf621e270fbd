"""The `o2c` command line.  Every command reads settings here (an entry point) and turns
errors into one clear line on stderr and a non-zero exit code."""
from __future__ import annotations

import json
import logging
import sys
import time
from functools import wraps
from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console
from rich.table import Table

from core.errors import InputError, O2CError
from core.logs import setup_logging
from core.settings import Settings, load_settings

app = typer.Typer(help="o2c-capture: document capture and automation for order-to-cash "
                       "and procure-to-pay.", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks: write a JSON report and print a table.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")
out = Console()
err = Console(stderr=True, soft_wrap=True)


def cli_errors(fn: Callable) -> Callable:
    @wraps(fn)
    def wrapper(*a, **kw):
        try:
            return fn(*a, **kw)
        except O2CError as exc:
            err.print(f"[red]error[/red] ({exc.kind}): {exc.message}", highlight=False)
            raise typer.Exit(2)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still one line, and the details in the log
            logging.getLogger("o2c.cli").debug("internal error", exc_info=True)
            err.print(f"[red]internal error[/red]: {type(exc).__name__}: {exc} "
                      "(run with O2C_LOG_LEVEL=DEBUG for the traceback)", highlight=False)
            raise typer.Exit(3)
    return wrapper


def _settings(quiet: bool = False) -> Settings:
    s = load_settings()
    setup_logging("WARNING" if quiet else s.log_level, s.log_json)
    return s


@app.command()
@cli_errors
def run(web: bool = typer.Option(True, help="Serve the web UI and REST API"),
        workers: bool = typer.Option(True, help="Run worker threads in this process")) -> None:
    """Run the service: workers, sweeper and web UI (embedded broker by default)."""
    from core import service

    settings = _settings()
    svc = service.start(settings, workers=workers, web=web)
    out.print(f"o2c running: broker={settings.broker_kind} database={settings.db_url.split('://')[0]}"
              + (f" web=http://{settings.web_host}:{settings.web_port}" if web else ""))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        out.print("stopping...")
    finally:
        svc.stop()


@app.command()
@cli_errors
def ingest(paths: list[Path] = typer.Argument(..., help="Files to ingest"),
           source: str = typer.Option("cli", help="Channel to record: cli, folder, upload, api, mail"),
           sender: Optional[str] = typer.Option(None, help="Sender to record"),
           process: Optional[bool] = typer.Option(
               None, help="Process inline until each document rests (default with the embedded "
                          "broker); --no-process leaves them for `o2c run` / the workers")) -> None:
    """Store files once each and start them through the pipeline."""
    from capture.ingest import ingest_bytes, read_path
    from core import runtime
    from queues import broker as qbroker
    from queues import stages

    settings = _settings(quiet=True)
    rt = runtime.configure(settings)
    inline = settings.embedded if process is None else process
    if not inline:
        qbroker.install(settings)
        from queues import actors
    limit = int(settings.max_file_mb * 1e6)
    failures = 0
    for p in paths:
        try:
            data = read_path(p, limit)
            with rt.db.session() as s:
                res = ingest_bytes(s, rt.store, data, p.name, source=source, sender=sender,
                                   max_bytes=limit)
        except O2CError as exc:
            err.print(f"[red]error[/red] {p}: {exc.message}", highlight=False)
            failures += 1
            continue
        state = res.state
        if not res.duplicate:
            if inline:
                state = stages.run_to_rest(rt, res.document_id)
            else:
                actors.enqueue_for_state(res.state, res.document_id)
        dup = " (duplicate of an existing document)" if res.duplicate else ""
        out.print(f"{p}: document {res.document_id} {state}{dup}", highlight=False)
        if state == "failed":
            failures += 1
    raise typer.Exit(1 if failures else 0)


@app.command()
@cli_errors
def status(doc_id: Optional[int] = typer.Argument(None, help="Show one document in detail"),
           state: Optional[str] = typer.Option(None, help="Only documents in this state"),
           limit: int = typer.Option(50), as_json: bool = typer.Option(False, "--json")) -> None:
    """Table of documents and their states, or one document with its fields and history."""
    from sqlalchemy import select

    from core import documents, runtime
    from core.models import Document

    rt = runtime.configure(_settings(quiet=True))
    with rt.db.session() as s:
        if doc_id is not None:
            doc = documents.get(s, doc_id)
            data = doc.summary() | {"extraction": doc.extraction, "validation": doc.validation,
                                    "events": [e.as_dict() for e in doc.events]}
            if as_json:
                print(json.dumps(data, indent=2, default=str))
                return
            _print_document(data)
            return
        q = select(Document).order_by(Document.id.desc()).limit(limit)
        if state:
            q = q.where(Document.state == state)
        rows = [d.summary() | {"dups": sum(e.action == "duplicate" for e in d.events)}
                for d in s.scalars(q)]
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    t = Table("ID", "State", "Type", "File", "Source", "Dups", "Reason / error")
    for r in rows:
        why = r["error"] or "; ".join(x["reason"] for x in r["review_reasons"])
        t.add_row(str(r["id"]), r["state"], r["doc_type"] or "", r["file"], r["source"],
                  str(r["dups"] or ""), why[:80])
    out.print(t)


def _print_document(d: dict) -> None:
    out.print(f"[bold]Document {d['id']}[/bold] {d['file']} - {d['state']} "
              f"({d['doc_type'] or 'unknown type'}, {d['source']}, {d['sender'] or '-'})")
    if d["error"]:
        out.print(f"[red]{d['error_kind']}: {d['error']}[/red]", highlight=False)
    for r in d["review_reasons"]:
        out.print(f"[yellow]review:[/yellow] {r['reason']}", highlight=False)
    fields = (d.get("extraction") or {}).get("fields", {})
    if fields:
        t = Table("Field", "Value", "Confidence", "Source", "Page")
        for name, f in fields.items():
            t.add_row(name, str(f["value"]), f"{f['confidence']:.2f}", f["source"], str(f["page"] or ""))
        out.print(t)
    t = Table("When", "Who", "What", "Detail")
    for e in d["events"]:
        what = e["action"] + (f" -> {e['after']['state']}" if e.get("after") and "state" in e["after"] else "")
        t.add_row(e["at"][:19], e["actor"], what, (e["detail"] or "")[:90])
    out.print(t)


@app.command()
@cli_errors
def extract(paths: list[Path] = typer.Argument(..., help="Files to extract"),
            as_json: bool = typer.Option(True, "--json/--table", help="One JSON object per file"),
            ignore_xml: bool = typer.Option(False, "--ignore-xml",
                                            help="Read only the visible layer of hybrid PDFs")) -> None:
    """Run only extraction and print the result (one JSON object per input file)."""
    from extraction.pipeline import ExtractOptions, extract_path

    settings = _settings(quiet=True)
    opts = ExtractOptions.from_settings(settings, ignore_xml=ignore_xml)
    failures = 0
    for p in paths:
        try:
            if not p.is_file():
                raise O2CError(f"{p} does not exist or is not a file", kind="unreadable_path")
            if p.stat().st_size == 0:
                raise O2CError(f"{p} is empty (0 bytes)", kind="empty_file")
            result = extract_path(p, options=opts)
            obj = result.to_json_dict(file=str(p))
        except O2CError as exc:
            failures += 1
            obj = {"file": str(p), "error": exc.kind, "message": exc.message}
            err.print(f"[red]error[/red] {p}: {exc.message}", highlight=False)
        if as_json:
            sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif "fields" in obj:
            _print_document({"id": "-", "file": str(p), "state": "extracted", "doc_type": obj["doc_type"],
                             "source": "file", "sender": None, "error": None, "review_reasons": [],
                             "extraction": obj, "events": []})
    raise typer.Exit(1 if failures else 0)


@app.command()
@cli_errors
def demo(serve: bool = typer.Option(False, help="Keep the service and web UI running afterwards"),
         workdir: Path = typer.Option(Path("o2c-data/demo-inbox"), help="Where to write sample documents")) -> None:
    """Start the embedded service, generate sample documents, ingest them and watch them
    move through the states."""
    from core.demo import run_demo

    raise typer.Exit(run_demo(_settings(quiet=True), workdir, serve=serve, console=out))


@app.command()
@cli_errors
def sweep() -> None:
    """Re-enqueue documents stuck in a working state (the service does this periodically)."""
    from core import runtime
    from queues import broker as qbroker
    from queues.sweeper import sweep as do_sweep

    settings = _settings(quiet=True)
    rt = runtime.configure(settings)
    qbroker.install(settings)
    from queues import actors

    out.print(f"re-enqueued {do_sweep(rt, actors.enqueue_for_state)} document(s)")


@app.command()
@cli_errors
def retry(doc_id: int = typer.Argument(..., help="A failed or post_failed document")) -> None:
    """Send a failed document back to the start (or a post_failed one back to posting)."""
    from core import documents, runtime
    from core.states import State
    from queues import stages

    settings = _settings(quiet=True)
    rt = runtime.configure(settings)
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        state = doc.state
        if state == State.FAILED:
            documents.transition(s, doc, State.RECEIVED, actor="user:cli", detail="retry",
                                 error_kind=None, error_message=None)
        elif state == State.POST_FAILED:
            documents.audit(s, doc, "user:cli", "retry", detail="posting retry requested")
        else:
            raise InputError(f"document {doc_id} is {state}: only failed or post_failed "
                             "documents can be retried")
    if state == State.POST_FAILED:   # not a waiting state: the sweeper never retries it
        stages.run_post(rt, doc_id)
    out.print(f"document {doc_id}: {stages.run_to_rest(rt, doc_id)}")


@bench_app.command("extraction")
@cli_errors
def bench_extraction(
        corpus: Optional[list[str]] = typer.Option(
            None, help="einvoice, invoice2data, generated, orders, sroie, einvoice_ocr (default: all)"),
        split: str = typer.Option("all", help="all, dev or test"),
        limit_ocr: Optional[int] = typer.Option(None, help="At most N OCR documents per corpus"),
        out: Path = typer.Option(Path("bench-reports/extraction.json"), help="JSON report"),
        cache: Path = typer.Option(Path("bench-reports/cache"), help="Generated inputs")) -> None:
    """Accuracy, calibration and speed of extraction on the corpora and generated sets."""
    from extraction.bench.main import DEFAULT_CORPORA, run_bench

    settings = _settings(quiet=True)
    run_bench(corpus or DEFAULT_CORPORA, out=out, cache=cache, split=split, limit_ocr=limit_ocr,
              languages=settings.ocr_languages, echo=lambda s: out_print(s))


def out_print(s: str) -> None:
    out.print(s, highlight=False, markup=False, soft_wrap=True)


def main() -> None:
    from core import cli_admin  # noqa: F401  (registers users, masterdata, train, benches)

    app()


if __name__ == "__main__":
    main()
