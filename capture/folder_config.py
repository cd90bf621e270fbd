"""Configuration of the scan folders to watch: the ``folders:`` section of the capture YAML
file (``Settings.capture_config``).  The mailbox part of the same file belongs to
`capture.config`; this module reads only ``folders:``.

    folders:
      - name: mailroom
        path: /srv/scans/mailroom
        recursive: false
        mode: inotify            # or polling: NFS/SMB shares deliver no inotify events
        poll_interval_s: 5
        stable_after_s: 3        # size and mtime unchanged this long => file is complete
        done_marker: null        # ".done": take <file> only once <file>.done exists
        processed_dir: processed # relative to the watched folder (default)
        failed_dir: failed
        include: ["*"]
        exclude: ["*.tmp", "~$*", "*.part", ".*"]
        split: none              # none | blank_pages | separator_sheet
        separator_values: ["PATCHT", "O2C-SEPARATOR"]
"""
from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigError
from core.yamlfile import read_yaml

DEFAULT_EXCLUDES: tuple[str, ...] = (
    "*.tmp", "*.temp", "~$*", "*.part", "*.partial", "*.crdownload", "*.download",
    ".*", "Thumbs.db", "desktop.ini", "*.swp",
)
DEFAULT_SEPARATOR_VALUES: tuple[str, ...] = ("PATCHT", "O2C-SEPARATOR")

SplitMode = Literal["none", "blank_pages", "separator_sheet"]


class FolderConfig(BaseModel):
    """One watched folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    path: Path
    recursive: bool = False
    mode: Literal["inotify", "polling"] = "inotify"
    poll_interval_s: float = Field(5.0, gt=0, le=3600)
    stable_after_s: float = Field(3.0, ge=0, le=3600)
    done_marker: str | None = Field(
        None, description="Suffix of a companion file that says '<file> is complete'")
    processed_dir: Path | None = Field(None, description="Default: <path>/processed")
    failed_dir: Path | None = Field(None, description="Default: <path>/failed")
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    split: SplitMode = "none"
    separator_values: tuple[str, ...] = DEFAULT_SEPARATOR_VALUES
    rescan_interval_s: float = Field(
        60.0, gt=0, description="Full re-scan as a safety net against missed events")
    retry_after_s: float = Field(30.0, gt=0, description="Wait before retrying an unreadable file")

    @field_validator("done_marker", mode="before")
    @classmethod
    def _marker(cls, v: Any) -> Any:
        if v is True:
            return ".done"
        if v in (False, "", None):
            return None
        if isinstance(v, str) and not v.startswith("."):
            return "." + v
        return v

    @field_validator("include", "exclude", "separator_values", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        if isinstance(v, str):
            return (v,)
        return v

    @model_validator(mode="after")
    def _check_dirs(self) -> FolderConfig:
        if self.processed_path == self.failed_path:
            raise ValueError(f"folder {self.name}: processed_dir and failed_dir must differ")
        root = self.root
        if self.processed_path == root or self.failed_path == root:
            raise ValueError(f"folder {self.name}: processed_dir/failed_dir cannot be the "
                             "watched folder itself")
        return self

    # ---- derived ------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return self.path.expanduser().absolute()

    def _beside(self, configured: Path | None, default: str) -> Path:
        p = (configured or Path(default)).expanduser()
        return (p if p.is_absolute() else self.root / p).absolute()

    @property
    def processed_path(self) -> Path:
        return self._beside(self.processed_dir, "processed")

    @property
    def failed_path(self) -> Path:
        return self._beside(self.failed_dir, "failed")

    def wants(self, name: str) -> bool:
        """Is a file with this base name one to take (include/exclude, marker files)?"""
        low = name.lower()
        if self.done_marker and low.endswith(self.done_marker.lower()):
            return False
        if low.endswith(".error.txt"):
            return False
        if not any(fnmatch.fnmatch(low, pat.lower()) for pat in self.include):
            return False
        return not any(fnmatch.fnmatch(low, pat.lower()) for pat in self.exclude)


def parse_folders(raw: Any, origin: str = "capture config") -> list[FolderConfig]:
    """Validate the value of a ``folders:`` key (a list of mappings)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(f"{origin}: 'folders' must be a list of folder entries")
    out: list[FolderConfig] = []
    for i, item in enumerate(raw):
        try:
            out.append(FolderConfig.model_validate(item))
        except ValidationError as exc:
            errs = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:3])
            raise ConfigError(f"{origin}: folders[{i}]: {errs}") from exc
    names = [f.name for f in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{origin}: duplicate folder names {dupes}")
    return out


def load_folder_config(path: str | Path) -> list[FolderConfig]:
    """Read the ``folders:`` section of the capture YAML at `path` (other keys ignored)."""
    p = Path(path)
    doc = read_yaml(p, "capture config") or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"capture config {p}: top level must be a mapping")
    return parse_folders(doc.get("folders"), str(p))
