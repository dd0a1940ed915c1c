"""The shared fingerprint: same inputs, same digest; any change to a part, a new digest."""

from __future__ import annotations

from pathlib import Path

from monitor.core.fingerprint import Fingerprint


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "a.csv").write_text("x,1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_text("k: v\n")
    return tmp_path


def test_same_folder_same_digest_and_one_byte_changes_it(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    first = Fingerprint().add_folder(folder).hexdigest()
    assert first == Fingerprint().add_folder(folder).hexdigest()
    (folder / "sub" / "b.yaml").write_text("k: w\n")
    assert Fingerprint().add_folder(folder).hexdigest() != first


def test_renaming_a_file_changes_the_digest(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    first = Fingerprint().add_folder(folder).hexdigest()
    (folder / "a.csv").rename(folder / "c.csv")
    assert Fingerprint().add_folder(folder).hexdigest() != first


def test_values_are_order_independent_but_names_matter() -> None:
    one = Fingerprint().add_value("p", {"a": 1, "b": 2}).hexdigest()
    assert one == Fingerprint().add_value("p", {"b": 2, "a": 1}).hexdigest()
    assert one != Fingerprint().add_value("q", {"a": 1, "b": 2}).hexdigest()


def test_a_missing_file_digests_without_failing(tmp_path: Path) -> None:
    missing = Fingerprint().add_file(tmp_path / "gone.csv").hexdigest()
    (tmp_path / "gone.csv").write_text("")
    assert Fingerprint().add_file(tmp_path / "gone.csv").hexdigest() != missing
