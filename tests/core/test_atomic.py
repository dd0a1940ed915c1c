"""Publishing several files as one unit: all of them or none, never a mix, no orphans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.core import atomic
from monitor.core.atomic import JOURNAL, recover, write_files


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_all_files_are_published(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.html": "A1", "a.json": "J1"})
    assert (tmp_path / "a.html").read_text() == "A1" and _names(tmp_path) == {"a.html", "a.json"}


def test_a_failure_while_writing_leaves_the_old_files_and_no_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, {"a.html": "A1", "a.json": "J1"})
    real = atomic._write_temp
    calls = []

    def full_disk(path: Path, text: str) -> Path:
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(atomic, "_write_temp", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_files(tmp_path, {"a.html": "A2", "a.json": "J2"})
    assert (tmp_path / "a.html").read_text() == "A1" and (tmp_path / "a.json").read_text() == "J1"
    assert _names(tmp_path) == {"a.html", "a.json"}


@pytest.mark.parametrize("renames_done", [0, 1, 2])
def test_a_kill_between_renames_is_rolled_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renames_done: int
) -> None:
    write_files(tmp_path, {"a.html": "A1", "a.json": "J1"})
    real = os.replace
    count = [0]

    class Killed(BaseException):
        pass

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)).name != JOURNAL:  # the journal's own write goes through
            if count[0] == renames_done:
                raise Killed
            count[0] += 1
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(Killed):  # the process "dies" here: nothing below runs
        write_files(tmp_path, {"a.html": "A2", "a.json": "J2", "new.csv": "N2"})
    monkeypatch.setattr(atomic.os, "replace", real)
    assert (tmp_path / JOURNAL).exists()
    recover(tmp_path)
    assert _names(tmp_path) == {"a.html", "a.json"}  # the new file is gone again
    assert (tmp_path / "a.html").read_text() == "A1" and (tmp_path / "a.json").read_text() == "J1"


def test_orphans_are_removed_and_other_files_kept(tmp_path: Path) -> None:
    (tmp_path / ".latest.html.ab12cd_9.tmp").write_text("half")
    (tmp_path / "notes.tmp").write_text("mine")
    (tmp_path / ".hidden").write_text("mine")
    assert recover(tmp_path) == [".latest.html.ab12cd_9.tmp"]
    assert _names(tmp_path) == {"notes.tmp", ".hidden"}


def test_a_hostile_journal_cannot_touch_files_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / JOURNAL).write_text(
        '[{"tmp": ".x.abcdefgh.tmp", "target": "../outside.txt", "backup": null}]'
    )
    recover(folder)
    assert outside.read_text() == "keep" and not (folder / JOURNAL).exists()


def test_without_hard_links_the_backup_is_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, {"a.html": "A1"})

    def no_links(src: object, dst: object) -> None:
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr(atomic.os, "link", no_links)
    write_files(tmp_path, {"a.html": "A2"})
    assert (tmp_path / "a.html").read_text() == "A2" and _names(tmp_path) == {"a.html"}
