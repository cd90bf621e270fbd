"""`o2c demo`: the whole flow on the embedded default, live in the terminal.

Starts the service in this process (SQLite, in-process broker and workers, web UI),
generates sample documents with the project's own generators, ingests them, shows them
moving through the states, then prints what was extracted and where to look."""
from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from core import documents
from core.settings import Settings

DEMO_SEED = 7
DEMO_USERS = (("reviewer", "review-demo-1", "reviewer"), ("supervisor", "super-demo-1", "supervisor"))
RESTING = {"needs_review", "posted", "rejected", "post_failed", "failed"}


def _state_table(rt, ids: dict[int, str], states: set[str] = RESTING) -> tuple[Table, bool]:
    t = Table("Doc", "File", "Type", "State", "Detail", title="Documents")
    done = True
    with rt.db.session() as s:
        for doc_id, name in ids.items():
            d = documents.get(s, doc_id)
            done &= d.state in states
            detail = d.error_message or "; ".join(r["reason"] for r in (d.review_reasons or []))
            t.add_row(str(doc_id), name, d.doc_type or "", d.state, detail[:70])
    return t, done


def _fields_table(rt, doc_id: int) -> Table | None:
    with rt.db.session() as s:
        d = documents.get(s, doc_id)
        ext = d.extraction or {}
    if not ext.get("fields"):
        return None
    t = Table("Field", "Value", "Conf.", "Source", title=f"Document {doc_id}: {d.original_name} "
              f"({ext.get('doc_type')}, {len(ext.get('lines', []))} lines)")
    for name, f in ext["fields"].items():
        c = f["confidence"]
        colour = "green" if c >= 0.95 else "yellow" if c >= 0.8 else "red"
        t.add_row(name, str(f["value"])[:50], f"[{colour}]{c:.2f}[/{colour}]", f["source"])
    return t


def _deliver(rt, ch, files: list[Path], console: Console) -> dict[str, str]:
    """Send each sample by a different channel: PO and remittance by e-mail, the scan into
    the scan folder, the invoice by upload.  Returns file name -> channel."""
    import shutil

    from capture.ingest import ingest_bytes
    from core import demo_channels
    from queues import actors

    channels: dict[str, str] = {}
    for f in files:
        kind = f.name.split("-")[0]
        if kind in ("po", "remittance") and demo_channels.send_mail(
                ch, f, f"{'Purchase order' if kind == 'po' else 'Remittance advice'} {f.stem}",
                "buyer@customer.example"):
            channels[f.name] = "mail"
        elif f.suffix.lower() in (".png", ".jpg", ".tif"):
            shutil.copy(f, ch.scan_folder / f.name)
            channels[f.name] = "folder"
        else:
            with rt.db.session() as s:
                res = ingest_bytes(s, rt.store, f.read_bytes(), f.name, source="upload",
                                   sender="ap@supplier.example")
            if not res.duplicate:
                actors.enqueue_for_state(res.state, res.document_id)
            channels[f.name] = "upload"
    for name, how in channels.items():
        console.print(f"  {name}: sent by {how}")
    return channels


def _prepare_data(rt, console: Console, inbox: Path) -> None:
    """Load the demo master data set (its partners are the sample documents' parties; the
    PO's customer and the invoice's supplier key documents into the demo portals) and
    create the demo accounts."""
    from sqlalchemy import select

    from core import demo_portals
    from review_ui.auth import add_user
    from review_ui.models import User
    from validation.masterdata import import_directory
    from validation.masterdata.demo_data import write_demo_files

    folder = rt.settings.home.resolve() / "demo" / "masterdata"
    write_demo_files(folder, seed=DEMO_SEED)
    demo_portals.assign_portals(folder, inbox)
    with rt.db.session() as s:
        reports = import_directory(s, folder)
    rows = sum(r.rows for r in reports if r.ok)
    console.print(f"master data: {rows} rows in {len(reports)} files imported from {folder}")
    for r in reports:
        if not r.ok:
            console.print(f"[red]master data import failed[/red]: {r.summary()}")
    with rt.db.session() as s:
        for name, pw, role in DEMO_USERS:
            if s.scalar(select(User.id).where(User.username == name)) is None:
                add_user(s, name, pw, role)


def _wait_live(rt, ids: dict[int, str], console: Console, deadline: float, states: set[str]) -> bool:
    with Live(console=console, refresh_per_second=4) as live:
        while True:
            table, done = _state_table(rt, ids, states)
            live.update(table)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.25)
    console.line()      # a non-terminal gets no newline after the last frame
    return done


def _postings(rt, ids: list[int], console: Console) -> None:
    with rt.db.session() as s:
        for doc_id in ids:
            d = documents.get(s, doc_id)
            p = d.posting or {}
            if d.state == "posted":
                console.print(f"  document {doc_id} {d.original_name}: [green]posted[/green] to "
                              f"{p.get('portal') or p.get('target')}, confirmation "
                              f"[bold]{p.get('reference')}[/bold]")
                if p.get("screenshot"):
                    console.print(f"    proof: {p['screenshot']}  trace: {p.get('trace')}")
            else:
                console.print(f"  document {doc_id} {d.original_name}: {d.state} "
                              f"{p.get('detail', '')}")


def _captured(rt, names: list[str]) -> dict[int, str]:
    from sqlalchemy import select

    from core.models import Document
    with rt.db.session() as s:
        return {i: n for i, n in s.execute(
            select(Document.id, Document.original_name).where(Document.original_name.in_(names)))}


def run_demo(settings: Settings, workdir: Path, *, serve: bool, console: Console,
             timeout_s: float = 300) -> int:
    from core import demo_channels, demo_portals, service
    from generators.corpus import sample_documents
    from validation.masterdata.demo_data import demo_world

    console.print(f"[bold]o2c demo[/bold]: data in {settings.home.resolve()}, "
                  f"database {settings.db_url.split('://')[0]}, broker {settings.broker_kind}")
    ch = demo_channels.prepare(settings)
    for note in ch.notes:
        console.print(f"[yellow]note[/yellow]: {note}")
    settings.capture_config = ch.config
    svc = service.start(settings, web=True)
    rt = svc.rt

    portals = demo_portals.start(settings)
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        files = sample_documents(workdir, seed=DEMO_SEED, world=demo_world(DEMO_SEED))
        console.print(f"generated {len(files)} sample documents in {workdir}")
        _prepare_data(rt, console, workdir)
        demo_portals.seed_orders(portals, workdir)
        console.print(f"legacy portals running at {portals.server.url}/acme and /globex")
        channels = _deliver(rt, ch, files, console)
        names = [f.name if channels[f.name] != "mail" or f.suffix != ".html" else "body.html"
                 for f in files]
        deadline = time.monotonic() + timeout_s
        ids: dict[int, str] = {}
        while len(ids) < len(files) and time.monotonic() < deadline:
            ids = _captured(rt, names)
            time.sleep(0.2)
        console.print(f"captured {len(ids)} of {len(files)} documents")
        _wait_live(rt, ids, console, deadline, RESTING)
        for doc_id in ids:
            t = _fields_table(rt, doc_id)
            if t is not None:
                console.print(t)
        approved = demo_portals.review_and_approve(rt, list(ids))
        if approved:
            console.print(f"\nreviewer approves documents {approved} (their partners use web "
                          "portals); the bots key them in:")
            _wait_live(rt, {i: ids[i] for i in approved}, console, deadline,
                       {"posted", "post_failed", "failed"})
            _postings(rt, approved, console)
        url = f"http://{settings.web_host}:{settings.web_port}"
        console.print(f"\nWeb UI: [bold]{url}[/bold]  (review queue: {url}/queue)")
        for name, pw, role in DEMO_USERS:
            console.print(f"  log in as [bold]{name}[/bold] / {pw}  ({role})")
        console.print("CLI: o2c status   |   o2c status ID   |   o2c extract FILE --json")
        if serve:
            console.print("serving; press Ctrl-C to stop")
            while True:
                time.sleep(3600)
        else:
            console.print("(run `o2c demo --serve` or `o2c run` to keep the web UI open)")
        _, done = _state_table(rt, ids)
        return 0 if done else 1
    except KeyboardInterrupt:
        return 0
    finally:
        svc.stop()
        ch.stop()
        portals.stop()
        from bots.engine import shutdown
        shutdown()
