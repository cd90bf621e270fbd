"""The capture side of `o2c demo`: a local Dovecot mailbox and a scan folder, configured
in a generated capture config, so the demo shows documents arriving by every channel."""
from __future__ import annotations

import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import Settings


@dataclass
class DemoChannels:
    config: Path
    scan_folder: Path
    dovecot: Any = None            # capture.dovecot_server.DovecotServer when installed
    notes: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.dovecot is not None:
            self.dovecot.stop()


def prepare(settings: Settings) -> DemoChannels:
    """Start Dovecot (when installed) and write a capture config with the demo inbox and
    scan folder; returns what to deliver into."""
    from capture.dovecot_server import DovecotServer, find_dovecot

    base = settings.home.resolve() / "demo"
    scans = base / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    cfg = base / "capture.yaml"
    lines = ["folders:", "  - name: mailroom", f"    path: {scans}", "    stable_after_s: 0.3",
             "    poll_interval_s: 0.3"]
    ch = DemoChannels(cfg, scans)
    if find_dovecot():
        root = base / "dovecot"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        srv = DovecotServer(root, user="orders", password="demo-secret").start()
        secret = base / "mailbox.secret"
        secret.write_text(srv.password)
        secret.chmod(0o600)
        lines += ["mailboxes:", "  - name: orders", f"    host: {srv.host}", f"    port: {srv.port}",
                  "    security: none", f"    user: {srv.user}", f"    password_file: {secret}",
                  "    after: move", "    processed_folder: Processed", "    idle: true"]
        ch.dovecot = srv
    else:
        ch.notes.append("dovecot is not installed: skipping the mailbox channel "
                        "(apt-get install dovecot-imapd)")
    cfg.write_text("\n".join(lines) + "\n")
    return ch


def send_mail(ch: DemoChannels, path: Path, subject: str, sender: str) -> bool:
    """Mail a generated document to the demo inbox: PDFs as attachments, HTML as the body."""
    if ch.dovecot is None:
        return False
    from generators.mail import Attachment, build_email

    seed = zlib.crc32(path.name.encode())      # distinct Message-ID per mail
    if path.suffix.lower() in (".html", ".htm"):
        raw = build_email(sender, "orders@o2c.example", subject, "See the payment details below.",
                          body_html=path.read_text(encoding="utf-8"), inline_logo=True, seed=seed)
    else:
        raw = build_email(sender, "orders@o2c.example", subject, "Please find attached.",
                          attachments=[Attachment(path.name, path.read_bytes())], inline_logo=True,
                          seed=seed)
    ch.dovecot.append(raw)
    return True
