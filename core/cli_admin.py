"""Administrative `o2c` commands: users, master data, model training, portals, bots, and
the benchmarks of capture, review UI, validation and bots.  Registered on the main app by
`core.cli`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from core.cli import app, bench_app, cli_errors, out, out_print, _settings
from core.errors import InputError

users_app = typer.Typer(help="Reviewer accounts.", no_args_is_help=True)
md_app = typer.Typer(help="Master data: customers, suppliers, products, open items.",
                     no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(md_app, name="masterdata")


@users_app.command("add")
@cli_errors
def users_add(username: str, role: str = typer.Option("reviewer", help="reviewer, supervisor or admin"),
              password: Optional[str] = typer.Option(None, help="Default: prompt (hidden)")) -> None:
    """Create a web UI account."""
    from core import runtime
    from review_ui.auth import add_user

    rt = runtime.configure(_settings(quiet=True))
    pw = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with rt.db.session() as s:
        add_user(s, username, pw, role)
    out.print(f"user {username} ({role}) created")


@md_app.command("import")
@cli_errors
def masterdata_import(
        paths: list[Path] = typer.Argument(..., help="CSV or JSON files, or a folder of them"),
        kind: Optional[str] = typer.Option(None, help="customers, suppliers, products, part_numbers, "
                                           "prices, purchase_orders, sales_orders, ar_invoices, "
                                           "payment_terms (default: from the file name)")) -> None:
    """Import master data; a file with any bad row is rejected whole (row-level errors are
    listed) and the previous version stays active."""
    from core import runtime
    from validation.masterdata import IMPORT_ORDER, import_directory, import_file

    rt = runtime.configure(_settings(quiet=True))
    failed = 0
    for p in paths:
        with rt.db.session() as s:
            if p.is_dir():
                reports = import_directory(s, p)
            else:
                k = kind or next((k for k in IMPORT_ORDER if p.stem.lower().startswith(k)), None)
                if k is None:
                    raise InputError(f"{p.name}: cannot tell the kind from the name; use --kind")
                reports = [import_file(s, p, k)]
        for r in reports:
            out_print(r.summary())
            failed += not r.ok
    raise typer.Exit(1 if failed else 0)


@app.command()
@cli_errors
def train(out_dir: Optional[Path] = typer.Option(None, "--out", help="Default: the shipped model folder"),
          seed: int = typer.Option(0), max_minutes: float = typer.Option(8.0)) -> None:
    """Rebuild the spaCy party/address model reproducibly (fixed seed, CPU)."""
    from extraction.nlp import train as nlp_train

    metrics = nlp_train.train(out_dir or nlp_train.MODEL_DIR, seed=seed, max_minutes=max_minutes)
    out_print(json.dumps(metrics, indent=2, default=str))


@bench_app.command("capture")
@cli_errors
def bench_capture(mails: int = typer.Option(1000, help="Mails to deliver"),
                  out_file: Path = typer.Option(Path("bench-reports/capture.json"), "--out")) -> None:
    """Deliver N mails with one PDF each to a local Dovecot and capture them."""
    from capture.bench import run_capture_bench

    r = run_capture_bench(mails, report_path=out_file)
    out_print(json.dumps({k: v for k, v in r.items() if not isinstance(v, (list, dict))}, indent=2))
    out_print(f"report: {out_file}")


@bench_app.command("ui")
@cli_errors
def bench_ui(docs: int = typer.Option(10_000), requests: int = typer.Option(200),
             postgres_url: Optional[str] = typer.Option(None, help="Also measure on PostgreSQL"),
             out_file: Path = typer.Option(Path("bench-reports/ui.json"), "--out")) -> None:
    """Queue and document page server time with N documents in the queue."""
    import tempfile

    from core import runtime
    from core.settings import Settings
    from review_ui.bench import run_ui_bench

    with tempfile.TemporaryDirectory() as tmp:
        rt = runtime.configure(Settings(home=Path(tmp), _env_file=None))
        r = run_ui_bench(rt, docs, requests=requests, postgres_url=postgres_url)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(r, indent=2, default=str))
    out_print(json.dumps(r, indent=2, default=str)[:3000])


portals_app = typer.Typer(help="The bundled legacy web portals (for the demo and tests).",
                          no_args_is_help=True)
bots_app = typer.Typer(help="Portal bots: key approved documents into web portals.",
                       no_args_is_help=True)
app.add_typer(portals_app, name="portals")
app.add_typer(bots_app, name="bots")


@portals_app.command("serve")
@cli_errors
def portals_serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8100),
                  db: Optional[Path] = typer.Option(None, help="Default: HOME/portals.sqlite3"),
                  error_rate: float = typer.Option(0.0, help="Share of requests answered with 500"),
                  maintenance_rate: float = typer.Option(0.0, help="Share answered with a maintenance page"),
                  slow_rate: float = typer.Option(0.0, help="Share of slow responses"),
                  session_ttl_s: float = typer.Option(60.0, help="Idle session expiry")) -> None:
    """Serve the customer procurement portal and the supplier portal."""
    import time

    from bots.demo_portals.app import serve_portals
    from bots.demo_portals.state import FaultConfig

    settings = _settings()
    srv = serve_portals(host, port, db or settings.home / "portals.sqlite3",
                        FaultConfig(error_rate=error_rate, maintenance_rate=maintenance_rate,
                                    slow_rate=slow_rate, session_ttl_s=session_ttl_s))
    out.print(f"portals at {srv.url} (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


@bots_app.command("run")
@cli_errors
def bots_run(portal: Optional[str] = typer.Option(None, help="Only this portal recipe")) -> None:
    """Post every approved document that has a portal target."""
    from bots.engine import run_bots, shutdown
    from core import runtime

    settings = _settings()
    runtime.configure(settings)
    try:
        out_print(json.dumps(run_bots(settings, portal), indent=2, default=str))
    finally:
        shutdown()


@bots_app.command("reset")
@cli_errors
def bots_reset(portal: str) -> None:
    """Re-enable a recipe that was stopped as broken (selector not found)."""
    from bots.registry import CircuitBreaker

    settings = _settings(quiet=True)
    CircuitBreaker(settings.home / "bots" / "breakers.json").reset(portal)
    out.print(f"recipe {portal} re-enabled")


@bench_app.command("bots")
@cli_errors
def bench_bots(n: int = typer.Option(30, help="Records per kind"),
               out_file: Path = typer.Option(Path("bench-reports/bots.json"), "--out")) -> None:
    """Records per minute and time per record against a bare Playwright script."""
    from bots.bench import run_bots_bench, table

    r = run_bots_bench(n, out_file)
    out_print(table(r))
    out_print(f"report: {out_file}")


rules_app = typer.Typer(help="Routing rules.", no_args_is_help=True)
export_app = typer.Typer(help="Exports of approved documents.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(export_app, name="export")


@rules_app.command("check")
@cli_errors
def rules_check(path: Path) -> None:
    """Validate a routing-rules YAML file (exit 2 with the offending key when invalid)."""
    from validation.rules import load_rules

    load_rules(path)
    out.print(f"{path}: valid")


@app.command()
@cli_errors
def explain(doc_id: int) -> None:
    """Why a document went straight through or to review: every check and rule applied."""
    from core import documents, runtime
    from validation.routing import explain as why

    rt = runtime.configure(_settings(quiet=True))
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        lines = why(doc.validation or {})
    for line in lines:
        out_print(line)


@export_app.command("replay")
@cli_errors
def export_replay() -> None:
    """Re-send webhook deliveries that failed earlier."""
    from validation.export import replay_outbox

    out_print(json.dumps(replay_outbox(_settings(quiet=True)), indent=2, default=str))


@bench_app.command("validation")
@cli_errors
def bench_validation(docs: int = typer.Option(10_000), open_invoices: int = typer.Option(50_000),
                     seed: int = typer.Option(7),
                     out_file: Path = typer.Option(Path("bench-reports/validation.json"), "--out")) -> None:
    """Straight-through rate and precision, injected-error catch rates, cash application,
    throughput, on generated documents against demo master data."""
    from validation.bench import print_table, run_validation_bench

    print_table(run_validation_bench(docs, seed, open_invoices, out_file))
