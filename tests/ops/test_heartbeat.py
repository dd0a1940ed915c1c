"""The heartbeat: healthchecks-style pings after a run, never failing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.ops.config import ConfigError, load_config
from monitor.ops.heartbeat import fail_url, ping
from monitor.ops.jobs import CaseOutcome

CHECK_KEY = "0f6d3c2a-hc-key"


def config(tmp_path: Path, heartbeat: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\ncases = ["telecom-2000"]\n[notify]\nretries = 2\nbackoff_seconds = 0.01\n'
        f"[heartbeat]\n{heartbeat}",
        encoding="utf-8",
    )
    return path


OK = CaseOutcome(1, "telecom-2000", "ok", stage=3, report="/srv/out/telecom-2000.html")
FAILED = CaseOutcome(2, "ai-cycle", "failed", errors=["CaseError: no such case\nmore"])


def test_fail_url_appends_to_the_path_and_keeps_the_query() -> None:
    assert fail_url("https://hc-ping.com/uuid") == "https://hc-ping.com/uuid/fail"
    assert fail_url("https://hc-ping.com/uuid/") == "https://hc-ping.com/uuid/fail"
    assert fail_url("https://hc.example/ping/key/slug?create=1") == (
        "https://hc.example/ping/key/slug/fail?create=1"
    )


def test_success_posts_the_summary(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ping/abc", method="POST").respond_with_data("OK")
    cfg = load_config(config(tmp_path, f'url = "{httpserver.url_for("/ping/abc")}"\n'))
    delivery = ping(cfg, "nightly", [OK])
    assert delivery is not None and delivery.ok
    [(request, _)] = httpserver.log
    assert request.get_data(as_text=True) == (
        "schedule nightly: 1 case(s)\ntelecom-2000: ok, stage 3, report /srv/out/telecom-2000.html"
    )


def test_a_failed_case_pings_fail_with_get(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ping/abc/fail", method="GET").respond_with_data("OK")
    url = httpserver.url_for("/ping/abc")
    cfg = load_config(config(tmp_path, f'url = "{url}"\nmethod = "get"\n'))
    delivery = ping(cfg, "nightly", [OK, FAILED])
    assert delivery is not None and delivery.ok
    [(request, _)] = httpserver.log
    assert request.path == "/ping/abc/fail" and request.get_data() == b""


def test_unreachable_heartbeat_never_raises_nor_shows_its_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TEST_HEARTBEAT_URL", f"http://127.0.0.1:9/{CHECK_KEY}")
    cfg = load_config(config(tmp_path, 'url_env = "TEST_HEARTBEAT_URL"\n'))
    delivery = ping(cfg, "nightly", [OK], sleep=lambda s: None)
    assert delivery is not None and not delivery.ok and delivery.attempts == 2
    assert CHECK_KEY not in (delivery.error or "")
    assert CHECK_KEY not in caplog.text


def test_no_heartbeat_configured_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("[monitor]\n", encoding="utf-8")
    assert ping(load_config(path), "nightly", [OK]) is None


def test_bad_heartbeat_tables_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(config(tmp_path, 'url = "ftp://x"\nmethod = "PUT"\nbody = true\n'))
    text = "\n".join(info.value.problems)
    assert "[heartbeat] url: expected an http:// or https:// URL" in text
    assert "[heartbeat] method: expected POST or GET" in text
    assert "[heartbeat] body: unknown key" in text
