"""One way to say "nothing this result depends on has changed": a sha256 over named parts.

Caches (the 2000 peak, the analogies panel, indicator paths) and reproducible runs all need
the same promise, so there is one builder: feed it files, folders and plain values under
names, read a hex digest. Names go into the digest with each part, so moving a value from
one part to another changes it; file contents are read in full (cases are megabytes, not
gigabytes) and a missing or unreadable file digests as such instead of failing the caller.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class Fingerprint:
    """An incremental digest of named parts; ``hexdigest()`` at any point."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def _part(self, kind: str, name: str, payload: bytes) -> None:
        header = f"{kind}\0{name}\0{len(payload)}\0".encode()
        self._digest.update(header)
        self._digest.update(payload)

    def add_value(self, name: str, value: Any) -> Fingerprint:
        """A plain value (str, number, list, dict), digested as canonical JSON."""
        payload = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
        self._part("value", name, payload.encode())
        return self

    def add_file(self, path: str | Path, name: str | None = None) -> Fingerprint:
        """A file's bytes under ``name`` (its file name by default)."""
        target = Path(path)
        label = name if name is not None else target.name
        try:
            self._part("file", label, target.read_bytes())
        except OSError:
            self._part("missing", label, b"")
        return self

    def add_files(self, paths: Iterable[str | Path]) -> Fingerprint:
        """Several files in a stable order (sorted by path)."""
        for path in sorted(Path(p) for p in paths):
            self.add_file(path)
        return self

    def add_folder(self, folder: str | Path) -> Fingerprint:
        """Every file below ``folder``, named by its path relative to it."""
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            self.add_file(path, name=path.relative_to(root).as_posix())
        return self

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
