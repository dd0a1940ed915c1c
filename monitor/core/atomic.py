"""Atomic file writes: a crash mid-write never leaves half a report behind.

:func:`write_text` replaces one file. :func:`write_files` publishes several files as
one unit, so readers never see files from two different runs side by side:

1. every file is written to a temporary ``.NAME.XXXXXXXX.tmp`` in the target folder and
   fsynced, and each file it replaces gets a hard link (a backup, no data copied);
   any failure (a full disk) removes them all and the old files stay;
2. a journal (``.publish.journal``) naming each temporary, target and backup is
   written atomically;
3. the temporaries are renamed over their targets and the folder is fsynced so the
   renames survive a power cut; removing the journal is the commit.

:func:`recover` runs before the next write and when a daemon starts: a journal left
by a kill before the commit is rolled back (every target gets its backup again, a new
target is removed), so the folder shows the previous run whole, never a mix; then
every orphan temporary is removed. A failed run is thus never published.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

JOURNAL = ".publish.journal"
ORPHAN = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # eight random characters (mkstemp's)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_temp(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would: mkstemp's 0600 survives the rename
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> Path:
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def write_files(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Publish ``files`` (name -> text) in ``folder`` as one unit, in the given order.

    Either every file is replaced or none is: until the journal is removed (the commit
    point), :func:`recover` puts the previous files back.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    recover(folder)
    entries: list[dict[str, str | None]] = []
    try:
        for name, text in files.items():
            target = folder / name
            entries.append({"tmp": _write_temp(target, text).name, "target": name, "backup": None})
        for entry in entries:
            target = folder / str(entry["target"])
            if target.exists():
                entry["backup"] = _backup(target).name
        write_text(folder / JOURNAL, json.dumps(entries) + "\n")
    except BaseException:
        for entry in entries:
            for key in ("tmp", "backup"):
                if entry[key]:
                    (folder / str(entry[key])).unlink(missing_ok=True)
        raise
    for entry in entries:
        os.replace(folder / str(entry["tmp"]), folder / str(entry["target"]))
    fsync_dir(folder)
    (folder / JOURNAL).unlink()  # the commit point
    fsync_dir(folder)
    for entry in entries:
        if entry["backup"]:
            (folder / str(entry["backup"])).unlink(missing_ok=True)
    return [folder / name for name in files]


def _backup(target: Path) -> Path:
    """A hard link to the current file under an orphan-style name (no data copied).

    Where the file system has no hard links (some network and FUSE mounts), a copy.
    """
    while True:
        backup = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.link(target, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            try:
                shutil.copy2(target, backup)
            except BaseException:
                backup.unlink(missing_ok=True)
                raise
            return backup


def _roll_back(folder: Path, entries: list[dict[str, str | None]]) -> None:
    """Put back every file of an uncommitted unit as it was before the unit began."""
    for entry in entries:
        target = folder / str(entry["target"])
        backup = entry.get("backup")
        if backup and (folder / backup).exists():
            os.replace(folder / backup, target)
        elif not backup and not (folder / str(entry["tmp"])).exists():
            target.unlink(missing_ok=True)  # it was renamed into place and did not exist before
    fsync_dir(folder)
    (folder / JOURNAL).unlink(missing_ok=True)
    fsync_dir(folder)


def _safe_name(name: object) -> bool:
    return isinstance(name, str) and "/" not in name and name not in ("", ".", "..")


def recover(folder: Path) -> list[str]:
    """Undo a unit a kill interrupted before its commit, then remove orphan temporaries.

    Returns the names of the orphans removed. Call it only while holding the folder's
    lock (publishing does): a temporary of a writer still running would be removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    journal_path = folder / JOURNAL
    if journal_path.is_file():
        try:
            loaded = json.loads(journal_path.read_text(encoding="utf-8"))
            entries = [
                e
                for e in loaded
                if _safe_name(e["tmp"])
                and _safe_name(e["target"])
                and (e["backup"] is None or _safe_name(e["backup"]))
            ]
        except (OSError, ValueError, TypeError, KeyError):
            entries = []  # unreadable: written atomically, so it was never complete
        _roll_back(folder, entries)
    removed = []
    for path in folder.iterdir():
        if ORPHAN.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return sorted(removed)
