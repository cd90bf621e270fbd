"""Pytest fixture: a real, unprivileged local Dovecot IMAP server per test.

    from tests.integration.dovecot import dovecot  # noqa: F401  (fixture)

    def test_x(dovecot):
        dovecot.append(raw)          # IMAP APPEND to INBOX
        dovecot.restart()            # stop + start on the same port and maildir

Config, base_dir, state_dir, log and maildir all live under ``tmp_path/dovecot`` (see
`capture.dovecot_server.DovecotServer`).  Skipped when dovecot is not installed, unless
CI=true (then the test fails).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from capture.dovecot_server import DovecotServer, find_dovecot
from tests.conftest import IN_CI


def require_dovecot() -> str:
    binary = find_dovecot()
    if binary is None:
        msg = "dovecot is not installed (apt-get install dovecot-imapd)"
        if IN_CI:
            pytest.fail(msg + " (required in CI)")
        pytest.skip(msg)
    return binary


@pytest.fixture
def dovecot(tmp_path) -> Iterator[DovecotServer]:
    binary = require_dovecot()
    server = DovecotServer(tmp_path / "dovecot", binary=binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()
