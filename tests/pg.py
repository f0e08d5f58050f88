"""A throwaway PostgreSQL cluster for tests (Debian's server binaries, no system service).

Use in a test module::

    from tests.pg import pg_url  # noqa: F401

``pg_url`` (session-scoped) yields a ``postgresql+psycopg://`` URL of a fresh cluster, started with
``initdb`` + ``pg_ctl`` as the ``postgres`` user when running as root, on a free port on
127.0.0.1, or skips with the reason when it cannot start one. ``TRIALMATCH_TEST_PG_URL`` uses an
existing server instead. ``new_database(pg_url)`` creates an empty database and returns its URL.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["find_pg_bin", "new_database", "pg_url"]


def find_pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user(cmd: list[str], user: str | None) -> list[str]:
    if user is None:
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user, "--", *cmd]
    return ["su", user, "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    env = os.environ.get("TRIALMATCH_TEST_PG_URL")
    if env:
        yield env
        return
    bindir = find_pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); run scripts/setup.sh --test"
        )
    user: str | None = None
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root but there is no 'postgres' user to run the server")
        user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="tm-pg-"))
    data, sock, log = base / "data", base / "sock", base / "log"
    sock.mkdir()
    if user:
        shutil.chown(base, user)
        shutil.chown(sock, user)
        os.chmod(base, 0o700)
    port = _free_port()
    try:
        subprocess.run(
            _as_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--no-instructions",
                ],
                user,
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        subprocess.run(
            _as_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                user,
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        logtext = log.read_text(errors="replace")[-500:] if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc} {detail[-300:]!r} {logtext}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def new_database(url: str) -> str:
    """Create an empty database on the server of ``url``; return the URL pointing at it."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"
