"""Content-addressed file store: a file is kept once, under its sha256, and never
overwritten.  `FileStore` is the protocol; `LocalFileStore` keeps files in a folder
(``<root>/ab/cd/<sha256><ext>``); tests may use `MemoryFileStore`."""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: str          # where the store keeps it (opaque to callers except for reading)
    size: int
    created: bool      # False when the same content was already stored


class FileStore(Protocol):
    def put(self, data: bytes, ext: str = "") -> StoredFile: ...
    def open_path(self, path: str) -> Path: ...
    def exists(self, sha256: str, ext: str = "") -> bool: ...


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _clean_ext(ext: str) -> str:
    ext = ext.lower()
    if ext and not ext.startswith("."):
        ext = "." + ext
    return ext if len(ext) <= 10 and ext[1:].isalnum() else ""


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha: str, ext: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / f"{sha}{_clean_ext(ext)}"

    def exists(self, sha256: str, ext: str = "") -> bool:
        return self._path(sha256, ext).exists()

    def put(self, data: bytes, ext: str = "") -> StoredFile:
        sha = sha256_bytes(data)
        target = self._path(sha, ext)
        if target.exists():
            return StoredFile(sha, str(target), target.stat().st_size, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            try:
                os.link(tmp, target)   # fails if it exists: never overwrite
                created = True
            except FileExistsError:
                created = False
        finally:
            os.unlink(tmp)
        return StoredFile(sha, str(target), len(data), created=created)

    def open_path(self, path: str) -> Path:
        p = Path(path).resolve()
        if self.root not in p.parents:
            raise ValueError(f"{path} is not inside the file store {self.root}")
        return p


class MemoryFileStore:
    """A hand-written fake for unit tests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes, ext: str = "") -> StoredFile:
        sha = sha256_bytes(data)
        key = f"mem://{sha}{_clean_ext(ext)}"
        created = key not in self.files
        self.files.setdefault(key, data)
        return StoredFile(sha, key, len(data), created)

    def exists(self, sha256: str, ext: str = "") -> bool:
        return f"mem://{sha256}{_clean_ext(ext)}" in self.files

    def open_path(self, path: str) -> Path:
        raise NotImplementedError("MemoryFileStore has no paths")
