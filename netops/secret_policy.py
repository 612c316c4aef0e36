"""Which secret references netops accepts: never its own secrets, and from the web only allow-listed ones.

A credential's ``{env: NAME}`` or ``{file: PATH}`` is read on the server at poll time and its value
sent to the device's address, so naming one is reading that variable or file. Two rules:

- for everyone, at import and again at every read: no netops setting variable (``NETOPS_DATA_DIR``,
  ``NETOPS_DATABASE_URL``, ``NETOPS_CONFIG``, any ``NETOPS_<SECTION>__<KEY>`` such as the web
  secret key) and no file inside the data directory (Fernet key, web secret, database, uploads,
  demo logins) or the SQLite database files;
- for an admin's browser upload (``restricted``), also: environment variables only with a
  prefix of ``[secrets] env_prefixes`` and files only inside ``[secrets] file_dirs`` (none by
  default). The service user's own CLI is not restricted: it can read those anyway.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from netops.settings import ENV_PREFIX, Settings

SETTING_VARIABLES = frozenset({"NETOPS_DATA_DIR", "NETOPS_DATABASE_URL", "NETOPS_CONFIG"})
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def is_setting_variable(name: str) -> bool:
    """True for the variables netops reads as its own configuration (never an inventory secret)."""
    return name in SETTING_VARIABLES or (name.startswith(ENV_PREFIX) and "__" in name)


def _real(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


def _inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def protected_files(settings: Settings) -> tuple[Path, ...]:
    """The SQLite database and its companions, wherever ``database_url`` puts them."""
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return ()
    return tuple(_real(url.database + suffix) for suffix in SQLITE_COMPANIONS)


def refused_for_everyone(kind: str, value: str, settings: Settings) -> str | None:
    """Why netops never reads this reference (its own secrets), or None."""
    if kind == "env":
        if is_setting_variable(value):
            return f"{value} is a netops setting, not an inventory secret: refused"
        return None
    path = _real(value)
    data_dir = _real(settings.data_dir)
    if _inside(path, data_dir) or path in protected_files(settings):
        return (f"{value} is in the netops data directory or is its database (secret key, web secret, "
                "database): refused; keep secret files elsewhere")
    return None


class ReferencePolicy:
    """The ``inventory.policy.ReferenceGuard`` of the service (``restricted`` for browser uploads)."""

    def __init__(self, settings: Settings, *, restricted: bool) -> None:
        self.settings = settings
        self.restricted = restricted

    def refusal(self, kind: str, value: str) -> str | None:
        reason = refused_for_everyone(kind, value, self.settings)
        if reason is not None or not self.restricted:
            return reason
        if kind == "env":
            return self._env_refusal(value)
        return self._file_refusal(kind, value)

    def _env_refusal(self, name: str) -> str | None:
        prefixes = self.settings.secrets.env_prefixes
        if any(name.startswith(prefix) for prefix in prefixes):
            return None
        if not prefixes:
            return "environment variables cannot be referenced from an upload (setting secrets.env_prefixes)"
        return (f"environment variable {name} is not allowed in an upload: names must start with "
                f"{' or '.join(prefixes)} (setting secrets.env_prefixes)")

    def _file_refusal(self, kind: str, value: str) -> str | None:
        what = "an SSH key file" if kind == "key_file" else "a secret file"
        directories = self.settings.secrets.file_dirs
        if not directories:
            return f"{what} cannot be referenced from an upload (setting secrets.file_dirs is empty)"
        path = _real(value)
        if any(_inside(path, _real(d)) for d in directories):
            return None
        return (f"{what} in an upload must be inside {' or '.join(directories)} "
                "(setting secrets.file_dirs)")
