"""Entry module for scale-out worker processes:

    O2C_DATABASE_URL=postgresql://127.0.0.1/o2c O2C_BROKER_URL=redis://127.0.0.1:6379/0 \\
        dramatiq queues.worker --processes 2 --threads 2

Reads settings (this is an entry point), connects the database (applying migrations),
installs the broker, declares the actors and starts a sweeper thread in this process.
"""
from __future__ import annotations

from core import runtime
from core.logs import setup_logging
from core.settings import load_settings
from queues import broker as _broker

settings = load_settings()
setup_logging(settings.log_level, settings.log_json)
_rt = runtime.configure(settings)
_broker.install(settings)

from queues import actors  # noqa: E402  (actors bind to the installed broker)
from queues.sweeper import SweeperThread  # noqa: E402

SweeperThread(_rt, actors.enqueue_for_state, settings.sweep_interval_s).start()
