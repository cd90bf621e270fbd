"""A throw-away local Dovecot IMAP server for tests and the capture benchmark.

NOT for production: plaintext auth, no TLS, one static user from a passwd-file, listening
on 127.0.0.1 only.  Everything (config, base_dir, state_dir, log, maildir) lives under the
folder you give it, so several instances can run side by side.

    srv = DovecotServer(tmp_path / "dovecot").start()
    srv.append(raw_mail_bytes)                # IMAP APPEND to INBOX
    srv.restart()                             # same port, same maildir
    srv.stop()

When run as root, the master runs as root, login processes as ``dovenull`` and mail
processes as the ``dovecot`` user chrooted into the maildir root (so no parent folder of
``root`` has to be readable by them).  As an ordinary user, everything runs as that user.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import imapclient

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


def find_dovecot() -> str | None:
    for c in DOVECOT_CANDIDATES:
        if os.access(c, os.X_OK):
            return c
    return shutil.which("dovecot")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as s:
            s.settimeout(1.0)
            return s.recv(64).startswith(b"* OK")
    except OSError:
        return False


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class DovecotServer:
    """One local Dovecot instance rooted at `root` (see the module docstring)."""

    def __init__(self, root: Path, *, user: str = "test", password: str = "secret",
                 port: int | None = None, binary: str | None = None) -> None:
        self.root = Path(root).resolve()
        self.user = user
        self.password = password
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.binary = binary or find_dovecot()
        if self.binary is None:
            raise FileNotFoundError("dovecot is not installed (apt-get install dovecot-imapd)")
        self.conf = self.root / "dovecot.conf"
        self.log_path = self.root / "dovecot.log"
        self.mail_root = self.root / "mail"
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_config()

    # ---- configuration ------------------------------------------------------------------
    def _write_config(self) -> None:
        for d in ("run", "state"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.mail_root.mkdir(parents=True, exist_ok=True)
        (self.mail_root / self.user).mkdir(exist_ok=True)
        passwd = self.root / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        if os.geteuid() == 0:
            mail = pwd.getpwnam("dovecot")
            for p in (self.mail_root, self.mail_root / self.user):
                os.chown(p, mail.pw_uid, mail.pw_gid)
            users = (f"default_login_user = dovenull\ndefault_internal_user = root\n"
                     f"default_internal_group = root\nfirst_valid_uid = {mail.pw_uid}\n"
                     f"valid_chroot_dirs = {self.mail_root}\n")
            home = f"{self.mail_root}/./%u"   # "/./": chroot to mail_root
            uid, gid = mail.pw_uid, mail.pw_gid
            chroot = ""
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            users = (f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                     f"first_valid_uid = {os.getuid()}\n")
            home = f"{self.mail_root}/%u"
            uid, gid = os.getuid(), os.getgid()
            chroot = "  chroot =\n"     # chroot needs root
        self.conf.write_text(f"""# local test server written by capture/dovecot_server.py
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = o2c-test-{self.port}
log_path = {self.log_path}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_fsync = never
{users}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}
}}
mail_location = maildir:~/Maildir
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# no auth penalty (login-failure tests would otherwise wait 2..15 s per attempt)
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""")

    @property
    def maildir(self) -> Path:
        """The user's Maildir (INBOX); subfolders are ``.Name`` inside it."""
        return self.mail_root / self.user / "Maildir"

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> DovecotServer:
        if self._proc is not None and self._proc.poll() is None:
            return self
        self._proc = subprocess.Popen([str(self.binary), "-F", "-c", str(self.conf)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() if self._proc.stderr else b"").decode()
                raise RuntimeError(f"dovecot exited with {self._proc.returncode}: "
                                   f"{err.strip()[-500:]} {self.log_tail()}")
            if port_open(self.port):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not accept connections on port {self.port} within "
                           f"{timeout}s: {self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        # The master runs in its own session; signal the whole group, because imap
        # processes serving existing connections outlive a SIGTERM to the master alone.
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait(5)
        time.sleep(0.05)
        _signal_group(proc.pid, signal.SIGKILL)   # stragglers in the group, if any
        deadline = time.monotonic() + timeout
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, n: int = 20) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- mail ---------------------------------------------------------------------------
    def client(self, timeout: float = 10.0) -> imapclient.IMAPClient:
        c = imapclient.IMAPClient(self.host, self.port, ssl=False, timeout=timeout)
        c.login(self.user, self.password)
        return c

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        self.append_many([raw], folder)

    def append_many(self, mails: list[bytes], folder: str = "INBOX") -> None:
        c = self.client()
        try:
            if folder.upper() != "INBOX" and not c.folder_exists(folder):
                c.create_folder(folder)
            for raw in mails:
                c.append(folder, raw)
        finally:
            c.logout()

    def uids(self, folder: str = "INBOX") -> list[int]:
        c = self.client()
        try:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            return sorted(int(u) for u in c.search("ALL"))
        finally:
            c.logout()
