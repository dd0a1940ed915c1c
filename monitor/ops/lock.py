"""File locks: one daemon per store, one run at a time per output folder.

``fcntl.flock`` locks belong to an open file and vanish when the process dies,
however it dies, so a crashed daemon never leaves a stale lock behind (a pid file
would). The lock files themselves are left in place on purpose: deleting them
would let a newcomer lock a fresh inode while an old holder still holds the old one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from monitor.core.errors import AlreadyRunning

RUN_LOCK_NAME = ".monitor-run.lock"


def daemon_lock_path(base: Path) -> Path:
    return Path(f"{base}.lock")


@contextmanager
def daemon_lock(base: Path) -> Iterator[Path]:
    """Hold ``<base>.lock`` for the daemon's lifetime; refuse at once if it is taken."""
    path = daemon_lock_path(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise AlreadyRunning(
                f"another monitor daemon (pid {holder}) is using this store; lock: {path}"
            ) from None
        _write_pid(handle)
        yield path
    finally:
        handle.close()  # closing releases the flock


@contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Serialize runs writing into ``out_dir`` (blocks until the other run is done).

    Each file is already written atomically; this lock keeps two runs from
    interleaving their *sets* of files (report, JSON, archive index) and their
    run-history rows, so ``monitor run`` during a scheduled run simply waits.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / RUN_LOCK_NAME, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_pid(handle: IO[str]) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
