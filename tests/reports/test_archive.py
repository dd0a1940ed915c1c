"""The report archive: dated reports, index, latest.*, changes, atomic writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from monitor.indicator.registry import load_registry
from monitor.pipeline import load_ruleset, run
from monitor.reports.archive import load_manifest, previous_report
from monitor.reports.render import TemplateProblem


@pytest.fixture(scope="module")
def shared():
    registry = load_registry()
    return {"registry": registry, "ruleset": load_ruleset(registry)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory, shared):
    """Two weekly-style runs of the AI case into one archive folder."""
    out = tmp_path_factory.mktemp("archive")
    first = run("ai-cycle", "2025-06-30", out_dir=out, **shared)
    second = run("ai-cycle", "2025-12-31", out_dir=out, **shared)
    return out, first, second


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_report_is_kept_by_date_and_latest_is_the_newest(archive):
    out, first, second = archive
    assert first.html_path.name == "ai-cycle-2025-06-30.html"
    assert second.html_path.name == "ai-cycle-2025-12-31.html"
    assert (out / "latest.html").read_bytes() == second.html_path.read_bytes()
    latest = read_json(out / "latest.json")
    assert latest["as_of"] == "2025-12-31"
    assert latest["report"] == str(second.html_path)  # the dated file, not latest.html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "ai-cycle-2025-06-30.html" in index and "ai-cycle-2025-12-31.html" in index
    assert "Score of" in index  # the score-over-time chart's text alternative


def test_changes_compare_with_the_previous_report_of_the_case(archive):
    _, first, second = archive
    assert first.assessment.changes["previous"] is None
    changes = second.assessment.changes
    assert changes["previous"]["as_of"] == "2025-06-30"
    assert changes["previous"]["report"] == "ai-cycle-2025-06-30.html"
    delta = round(second.assessment.score - first.assessment.score, 1)
    assert changes["score_delta"] == delta
    before = {(a["rule"], a["entity"]) for a in first.assessment.alerts if a["state"] == "firing"}
    now = {(a["rule"], a["entity"]) for a in second.assessment.alerts if a["state"] == "firing"}
    assert {(i["rule"], i["entity"]) for i in changes["started"]} == now - before
    assert {(i["rule"], i["entity"]) for i in changes["stopped"]} == before - now
    assert now - before  # the autumn 2025 deals start rules firing
    html = second.html_path.read_text(encoding="utf-8")
    assert "Started firing" in html and "2025-06-30" in html
    assert read_json(second.json_path)["changes"]["previous"]["as_of"] == "2025-06-30"


def test_a_backdated_run_does_not_move_latest(archive, shared):
    out, _, second = archive
    older = run("ai-cycle", "2025-03-31", out_dir=out, **shared)
    assert read_json(out / "latest.json")["as_of"] == "2025-12-31"
    assert (out / "latest.html").read_bytes() == second.html_path.read_bytes()
    assert older.assessment.changes["previous"] is None  # nothing before 2025-03-31
    assert [e["as_of"] for e in load_manifest(out)].count("2025-03-31") == 1


def test_a_rerun_compares_with_the_report_before_it_not_itself(archive):
    out, _, _ = archive
    found = previous_report(out, "ai-cycle", "2025-12-31")
    assert found is not None and found[0]["as_of"] == "2025-06-30"
    assert previous_report(out, "other-case", "2025-12-31") is None


def test_a_failed_render_leaves_every_previous_file_untouched(tmp_path, archive, shared):
    out, _, _ = archive
    before = snapshot(out)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.html.j2").write_text("{{ no_such_name }}", encoding="utf-8")
    with pytest.raises(TemplateProblem, match="no_such_name"):
        run("ai-cycle", "2026-01-31", out_dir=out, template_dir=broken, **shared)
    assert snapshot(out) == before  # same files, same bytes, no temp files left


def test_the_manifest_is_rebuilt_from_the_dated_reports(tmp_path, archive, shared):
    out, _, _ = archive
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "index.json").unlink()
    (copy / "latest.html").unlink()
    run("ai-cycle", "2025-09-30", out_dir=copy, **shared)
    dates = sorted(e["as_of"] for e in load_manifest(copy))
    assert dates == sorted({e["as_of"] for e in load_manifest(out)} | {"2025-09-30"})
    # latest.html was missing: restored from the newest report, not from this older run
    assert read_json(copy / "latest.json")["as_of"] == "2025-12-31"
    assert (copy / "latest.html").read_bytes() == (copy / "ai-cycle-2025-12-31.html").read_bytes()
