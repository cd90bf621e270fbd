"""The one settings class.  Read at entry points only (CLI commands, the worker module,
the web app factory) and passed down; nothing deeper calls `Settings()`.

Every field can be set with an ``O2C_<NAME>`` environment variable (or a ``.env`` file in
the working directory), e.g. ``O2C_DATABASE_URL=postgresql+psycopg://127.0.0.1/o2c``.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

BROKER_SCHEMES = ("memory", "redis", "rediss", "amqp", "amqps")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="O2C_", env_file=".env", extra="ignore")

    home: Path = Field(Path("o2c-data"), description="Data folder: database, files, exports")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in home")
    broker_url: str = Field("memory://", description="memory:// (in-process), redis://, amqp://")
    store_dir: Path | None = Field(None, description="Content-addressed file store; default home/files")
    export_dir: Path | None = Field(None, description="Approved exports; default home/exports")

    capture_config: Path | None = Field(
        None, description="YAML file with mailboxes and scan folders to watch (see capture/)")

    web_host: str = "127.0.0.1"
    web_port: int = 8000
    worker_threads: int = Field(2, ge=1, le=64)

    stuck_after_s: float = Field(300.0, gt=0, description="A working state older than this is stuck")
    sweep_interval_s: float = Field(30.0, gt=0)
    stage_retries: int = Field(5, ge=0, description="Retries of a stage after a transient error")

    page_timeout_s: float = Field(60.0, gt=0, description="Time limit per page (OCR)")
    max_pages: int = Field(1000, ge=1)
    max_file_mb: float = Field(200.0, gt=0)
    ocr_languages: str = "eng+deu+fra"

    api_token: str | None = Field(None, description="Bearer token for the REST API (uploads)")

    routing_rules: Path | None = Field(
        None, description="YAML routing rules (see validation/rules.example.yaml); "
                          "reloaded when the file changes")
    webhook_url: str | None = Field(
        None, description="POST each approved document's normalised export here (JSON)")
    webhook_token: str | None = Field(None, description="Bearer token sent to the webhook")
    webhook_retries: int = Field(3, ge=0, le=10, description="Retries of a failed webhook POST")
    webhook_timeout_s: float = Field(10.0, gt=0, description="Timeout per webhook attempt")

    log_level: str = "INFO"
    log_json: bool = False

    fault_stage_delay_s: float = Field(
        0.0, ge=0, description="Fault injection: sleep this long inside each working stage"
    )

    @field_validator("broker_url")
    @classmethod
    def _check_broker(cls, v: str) -> str:
        scheme = v.split("://", 1)[0].lower()
        if scheme not in BROKER_SCHEMES:
            raise ValueError(f"unsupported broker URL scheme {scheme!r}; use one of {BROKER_SCHEMES}")
        return v

    # ---- derived --------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'o2c.sqlite3').resolve()}"

    @property
    def files_dir(self) -> Path:
        return (self.store_dir or self.home / "files").resolve()

    @property
    def exports_dir(self) -> Path:
        return (self.export_dir or self.home / "exports").resolve()

    @property
    def broker_kind(self) -> str:
        scheme = self.broker_url.split("://", 1)[0].lower()
        return {"rediss": "redis", "amqps": "amqp"}.get(scheme, scheme)

    @property
    def embedded(self) -> bool:
        return self.broker_kind == "memory"


def load_settings(**overrides) -> Settings:
    """Build settings from the environment, turning validation errors into one line."""
    try:
        return Settings(**overrides)
    except Exception as exc:  # pydantic.ValidationError
        first = str(exc).splitlines()
        raise ConfigError("invalid settings: " + " ".join(s.strip() for s in first[:3])) from exc
