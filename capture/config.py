"""Capture configuration: the mailboxes to watch, loaded from the YAML file named by
``Settings.capture_config``.

Example (``capture.yaml``)::

    mailboxes:
      - name: orders
        host: imap.example.com
        security: ssl            # ssl (port 993) | starttls (143) | none (143)
        user: orders@example.com
        password_env: O2C_ORDERS_PASSWORD      # or password_file: /run/secrets/orders
        # oauth2_token_command: "get-token orders@example.com"   (XOAUTH2)
        folder: INBOX
        after: move              # move | flag | leave
        processed_folder: Processed
        flag: "\\\\Seen"         # for after: flag (a system flag or a keyword)
        quarantine_folder: Quarantine          # null: rejected mails are only flagged
        idle: true
        idle_interval_s: 1500    # re-IDLE before the 29-minute server cut-off
        poll_interval_s: 60      # when the server has no IDLE
        rules:
          allow_senders: ["@customer.example", "ap@supplier.example"]
          subject_regex: "(?i)order|remittance"
          expected_doc_type: purchase_order
        limits:
          max_mail_mb: 25
          eml_depth: 3
          zip: {max_files: 50, max_total_mb: 100, max_ratio: 100, max_depth: 2}
          inline_images: {min_bytes: 15000, name_patterns: [logo, "image\\\\d{3}", signature]}

Keys other than ``mailboxes`` at the top level (e.g. scan folders) are left to their own
loaders.  Every validation problem becomes one `ConfigError` line naming the key, e.g.
``capture config mailboxes[0].security: Input should be 'ssl', 'starttls' or 'none'``.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigError
from core.yamlfile import read_yaml

DEFAULT_INLINE_PATTERNS = [r"logo", r"image\d{3}", r"signature", r"banner", r"icon",
                           r"spacer", r"facebook|linkedin|twitter|instagram|xing"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ZipLimits(_Strict):
    max_files: int = Field(50, ge=1)
    max_total_mb: float = Field(100.0, gt=0)
    max_ratio: float = Field(100.0, gt=1)
    max_depth: int = Field(2, ge=1, le=10)

    @property
    def max_total_bytes(self) -> int:
        return int(self.max_total_mb * 1_000_000)


class InlineImages(_Strict):
    """An image that is inline (or has a Content-ID) and is small or has a logo-like name
    is not a document; nor is a small image with a logo-like name."""
    min_bytes: int = Field(15_000, ge=0)
    name_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_INLINE_PATTERNS))

    @field_validator("name_patterns")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad regex {p!r}: {exc}") from None
        return v


class Limits(_Strict):
    max_mail_mb: float = Field(50.0, gt=0)
    eml_depth: int = Field(3, ge=0, le=10)
    zip: ZipLimits = Field(default_factory=ZipLimits)
    inline_images: InlineImages = Field(default_factory=InlineImages)

    @property
    def max_mail_bytes(self) -> int:
        return int(self.max_mail_mb * 1_000_000)


class Rules(_Strict):
    allow_senders: list[str] = Field(default_factory=list,
                                     description="addresses or @domains; empty: everyone")
    subject_regex: str | None = None
    expected_doc_type: str | None = None

    @field_validator("subject_regex")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"bad regex {v!r}: {exc}") from None
        return v

    @field_validator("allow_senders")
    @classmethod
    def _senders(cls, v: list[str]) -> list[str]:
        out = []
        for s in v:
            s = s.strip().lower()
            if not s or (not s.startswith("@") and "@" not in s):
                raise ValueError(f"{s!r} is neither an address nor an @domain")
            out.append(s)
        return out

    def sender_allowed(self, sender: str | None) -> bool:
        if not self.allow_senders:
            return True
        addr = (sender or "").strip().lower()
        domain = "@" + addr.rsplit("@", 1)[-1] if "@" in addr else None
        return any(a == addr or (a.startswith("@") and a == domain) for a in self.allow_senders)

    def subject_matches(self, subject: str | None) -> bool:
        return self.subject_regex is None or re.search(self.subject_regex, subject or "") is not None


class MailboxConfig(_Strict):
    name: str = Field(min_length=1, max_length=64)
    host: str = Field(min_length=1)
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    user: str = Field(min_length=1)
    password_env: str | None = None
    password_file: Path | None = None
    oauth2_token_command: str | None = None
    folder: str = "INBOX"
    after: Literal["move", "flag", "leave"] = "move"
    processed_folder: str = "Processed"
    flag: str = "\\Seen"
    quarantine_folder: str | None = "Quarantine"
    rules: Rules = Field(default_factory=Rules)
    limits: Limits = Field(default_factory=Limits)
    idle: bool = True
    idle_interval_s: float = Field(25 * 60, gt=0, lt=29 * 60)
    poll_interval_s: float = Field(60.0, gt=0)
    timeout_s: float = Field(30.0, gt=0)
    batch_size: int = Field(50, ge=1, le=1000)
    backoff_initial_s: float = Field(1.0, gt=0)
    backoff_max_s: float = Field(300.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> MailboxConfig:
        ways = [w for w in ("password_env", "password_file", "oauth2_token_command")
                if getattr(self, w)]
        if len(ways) != 1:
            raise ValueError("set exactly one of password_env, password_file, "
                             f"oauth2_token_command (got {', '.join(ways) or 'none'})")
        if self.after == "move" and self.processed_folder == self.folder:
            raise ValueError("processed_folder must differ from folder")
        if self.quarantine_folder is not None and self.quarantine_folder == self.folder:
            raise ValueError("quarantine_folder must differ from folder")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.security == "ssl" else 143)

    @property
    def uses_oauth2(self) -> bool:
        return bool(self.oauth2_token_command)

    def password(self) -> str:
        """The password, read now (never stored in the config object)."""
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigError(f"mailbox {self.name}: password_env {self.password_env} "
                                  "is not set in the environment")
            return value
        if self.password_file:
            try:
                return self.password_file.read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise ConfigError(f"mailbox {self.name}: password_file {self.password_file} "
                                  f"is not readable: {exc.strerror}") from None
        raise ConfigError(f"mailbox {self.name} uses oauth2_token_command, not a password")

    def oauth2_token(self) -> str:
        """Run `oauth2_token_command` and return the access token it prints."""
        assert self.oauth2_token_command
        try:
            out = subprocess.run(shlex.split(self.oauth2_token_command), capture_output=True,
                                 text=True, timeout=self.timeout_s, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ConfigError(f"mailbox {self.name}: oauth2_token_command failed: "
                              f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                              ) from None
        token = out.stdout.strip()
        if not token:
            raise ConfigError(f"mailbox {self.name}: oauth2_token_command printed no token")
        return token


class CaptureConfig(BaseModel):
    model_config = ConfigDict(extra="allow")   # scan folders etc. belong to other loaders

    mailboxes: list[MailboxConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> CaptureConfig:
        seen: set[str] = set()
        for m in self.mailboxes:
            if m.name in seen:
                raise ValueError(f"mailbox name {m.name!r} is used twice")
            seen.add(m.name)
        return self


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_capture_config(data: Any, source: str = "capture config") -> CaptureConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level, got "
                          f"{type(data).__name__}")
    try:
        return CaptureConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        raise ConfigError(f"{source} {_loc(tuple(err.get('loc', ())))}: {msg}") from None


def load_capture_config(path: Path | str | None) -> CaptureConfig:
    """Load and validate the capture YAML; no path means no mailboxes."""
    if path is None:
        return CaptureConfig()
    p = Path(path)
    return parse_capture_config(read_yaml(p, "capture config"), f"capture config {p.name}")
