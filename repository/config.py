"""Settings: declared once, with a default and help, loaded from config.toml and the environment.

Precedence, lowest first: the defaults below, the TOML file (``config.toml`` at the
project root, or the file named by ``LEXREPO_CONFIG``), the environment variables
``LEXREPO_DATA_DIR`` and ``LEXREPO_DATABASE_URL``, then explicit overrides (the
CLI's ``--data-dir``).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT / "corpus"
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which setting is wrong."""


def _setting(default, help_text: str):
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path("lexrepo-data"), "Directory holding the database, index and originals.")
    database_url: str = _setting("", "SQLAlchemy URL; empty means SQLite in data_dir.")
    index_dir: Path | None = _setting(None, "Whoosh index directory; empty means data_dir/index.")
    blob_dir: Path | None = _setting(None, "Stored originals; empty means data_dir/blobs.")
    max_file_bytes: int = _setting(50 * 1024 * 1024, "Largest file accepted for ingestion, in bytes.")
    index_batch_size: int = _setting(5000, "Provisions per index commit batch.")
    search_limit: int = _setting(10, "Default number of search results per page.")
    search_limit_max: int = _setting(200, "Largest number of search results per page.")
    search_cache_size: int = _setting(256, "Distinct searches whose results each process keeps until the index changes (0: none).")
    extraction_time_limit: int = _setting(120, "Seconds an uploaded file may take to extract before its job fails.")
    extraction_memory_mb: int = _setting(1024, "Memory (address space, MB) the extraction process of an upload may use.")
    job_lease_seconds: int = _setting(300, "A worker's hold on a job; a job whose lease expired (worker died) is taken again.")
    job_max_attempts: int = _setting(3, "Attempts at a job before it fails for good.")
    sign_in_max_failures: int = _setting(5, "Failed sign-ins (per name and client address) before sign-in is locked.")
    sign_in_window_seconds: int = _setting(900, "Period over which failed sign-ins are counted.")
    sign_in_lockout_seconds: int = _setting(600, "How long sign-in stays locked after too many failures.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'lexrepo.sqlite3').resolve()}"

    @property
    def resolved_index_dir(self) -> Path:
        return (self.index_dir or self.data_dir / "index").resolve()

    @property
    def resolved_blob_dir(self) -> Path:
        return (self.blob_dir or self.data_dir / "blobs").resolve()

    @classmethod
    def help(cls) -> dict[str, str]:
        """Each setting's name and help text, for documentation and ``--help``."""
        return {f.name: f.metadata["help"] for f in fields(cls)}


_PATH_SETTINGS = {"data_dir", "index_dir", "blob_dir"}


def _coerce(name: str, value):
    if name in _PATH_SETTINGS:
        return Path(value) if value not in ("", None) else (None if name != "data_dir" else Path("lexrepo-data"))
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name.upper()} must be an integer, got {value!r}") from None
    return str(value)


def load_settings(config_file: str | os.PathLike | None = None, environ=None, **overrides) -> Settings:
    """Build the settings from defaults, file, environment and ``overrides`` (None values ignored)."""
    environ = os.environ if environ is None else environ
    path = Path(config_file or environ.get("LEXREPO_CONFIG") or DEFAULT_CONFIG_FILE)
    values: dict = {}
    if path.exists():
        try:
            with path.open("rb") as handle:
                raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: {error}") from None
        known = {f.name for f in fields(Settings)}
        for key, value in raw.items():
            name = key.lower()
            if name in known:
                values[name] = _coerce(name, value)
    elif config_file or environ.get("LEXREPO_CONFIG"):
        raise ConfigError(f"configuration file not found: {path}")
    if environ.get("LEXREPO_DATA_DIR"):
        values["data_dir"] = Path(environ["LEXREPO_DATA_DIR"])
    if environ.get("LEXREPO_DATABASE_URL"):
        values["database_url"] = environ["LEXREPO_DATABASE_URL"]
    if overrides.get("data_dir") is not None:
        # --data-dir means "everything in this directory": the embedded layout wins
        # over any database URL or index/blob location set elsewhere.
        for derived in ("database_url", "index_dir", "blob_dir"):
            values.pop(derived, None)
    for name, value in overrides.items():
        if value is not None:
            values[name] = _coerce(name, value)
    return Settings(**values)
