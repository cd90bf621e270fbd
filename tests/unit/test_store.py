import hashlib
import os

from core.store import LocalFileStore, MemoryFileStore


def test_put_is_content_addressed_and_never_overwrites(tmp_path):
    store = LocalFileStore(tmp_path / "files")
    a = store.put(b"hello", ".pdf")
    assert a.created and a.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert a.path.endswith(a.sha256 + ".pdf") and open(a.path, "rb").read() == b"hello"
    mtime = os.stat(a.path).st_mtime_ns
    b = store.put(b"hello", ".pdf")
    assert not b.created and b.path == a.path and os.stat(a.path).st_mtime_ns == mtime
    assert store.exists(a.sha256, ".pdf")
    assert not any(p.name.startswith(".incoming") for p in (tmp_path / "files").rglob("*"))


def test_stored_files_are_read_only(tmp_path):
    store = LocalFileStore(tmp_path)
    st = store.put(b"x" * 10)
    assert not os.stat(st.path).st_mode & 0o222


def test_open_path_refuses_paths_outside_the_store(tmp_path):
    store = LocalFileStore(tmp_path / "files")
    st = store.put(b"abc")
    assert store.open_path(st.path).read_bytes() == b"abc"
    import pytest
    with pytest.raises(ValueError):
        store.open_path("/etc/passwd")


def test_weird_extensions_are_dropped(tmp_path):
    store = LocalFileStore(tmp_path)
    assert store.put(b"1", "../../x").path.endswith(hashlib.sha256(b"1").hexdigest())


def test_memory_store_fake():
    m = MemoryFileStore()
    assert m.put(b"a").created and not m.put(b"a").created
