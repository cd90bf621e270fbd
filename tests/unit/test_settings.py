import pytest

from core.errors import ConfigError
from core.settings import Settings, load_settings


def test_defaults_are_embedded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings(_env_file=None)
    assert s.embedded and s.broker_kind == "memory"
    assert s.db_url.startswith("sqlite:///") and s.db_url.endswith("o2c.sqlite3")
    assert s.files_dir == (tmp_path / "o2c-data" / "files").resolve()


def test_env_vars_choose_postgres_and_redis(monkeypatch):
    monkeypatch.setenv("O2C_DATABASE_URL", "postgresql://127.0.0.1/o2c")
    monkeypatch.setenv("O2C_BROKER_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("O2C_WORKER_THREADS", "4")
    s = Settings(_env_file=None)
    assert s.db_url == "postgresql://127.0.0.1/o2c" and s.broker_kind == "redis"
    assert s.worker_threads == 4 and not s.embedded


def test_amqp_broker(monkeypatch):
    monkeypatch.setenv("O2C_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
    assert Settings(_env_file=None).broker_kind == "amqp"


def test_bad_settings_give_one_clear_line(monkeypatch):
    monkeypatch.setenv("O2C_BROKER_URL", "kafka://x")
    with pytest.raises(ConfigError) as e:
        load_settings(_env_file=None)
    assert "broker" in str(e.value) and "\n" not in str(e.value)
    monkeypatch.setenv("O2C_BROKER_URL", "memory://")
    monkeypatch.setenv("O2C_WORKER_THREADS", "zero")
    with pytest.raises(ConfigError):
        load_settings(_env_file=None)
