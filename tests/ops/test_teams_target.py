"""Teams: an Adaptive Card posted to a (local) Workflows webhook, through the retries."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.ops.config import load_config
from monitor.ops.notify import build_message, send_all

SIG = "sig-Zq8w3yXk2"


def teams_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\ncases = ["telecom-2000"]\n[notify]\nretries = 3\nbackoff_seconds = 0.01\n'
        f'[notify.teams]\nurl_env = "TEST_TEAMS_URL"\ntimeout = 5\n{extra}',
        encoding="utf-8",
    )
    return path


def workflow_url(httpserver: HTTPServer) -> str:
    # the shape of a Workflows URL: the signature is a query parameter
    return httpserver.url_for("/workflows/abc/triggers/manual/paths/invoke") + f"?sig={SIG}"


def change_message() -> object:
    return build_message(
        case="ai-cycle",
        title="AI cycle",
        as_of="2026-08-07",
        stage=3,
        previous_stage=2,
        score=71.25,
        firing=["credit-spread-[widening](https://evil.example)"],
        reasons=["stage changed from 2 to 3"],
        report="/srv/out/ai-cycle-2026-08-07.html",
        status="ok",
    )


def test_card_arrives_well_formed(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_TEAMS_URL", workflow_url(httpserver))
    httpserver.expect_request("/workflows/abc/triggers/manual/paths/invoke").respond_with_data(
        "", status=202
    )
    template = "text_template = \"Stage {{ stage }} for {{ title }}: {{ reasons|join(', ') }}\"\n"
    config = load_config(teams_config(tmp_path, template))
    [delivery] = send_all(config, change_message())  # type: ignore[arg-type]
    assert delivery.ok and delivery.attempts == 1 and delivery.channel == "teams"
    [(request, _)] = httpserver.log
    assert request.args["sig"] == SIG
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.data)
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    title, text, facts = card["body"]
    assert title["type"] == "TextBlock" and title["weight"] == "Bolder"
    assert text == {
        "type": "TextBlock",
        "text": "Stage 3 for AI cycle: stage changed from 2 to 3",
        "wrap": True,
    }
    values = {f["title"]: f["value"] for f in facts["facts"]}
    assert values["Stage"] == "3 \\(was 2\\)"
    assert values["Score"] == "71.2 / 100"  # 71.25 to one decimal, round-half-even
    # a rule id cannot smuggle a link into the card
    assert values["Rules firing"] == "credit-spread-\\[widening\\]\\(https://evil.example\\)"


def test_retries_a_busy_workflow_and_never_shows_the_signature(
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("TEST_TEAMS_URL", workflow_url(httpserver))
    path = "/workflows/abc/triggers/manual/paths/invoke"
    httpserver.expect_ordered_request(path).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(path).respond_with_data("", status=202)
    config = load_config(teams_config(tmp_path))
    with caplog.at_level(logging.INFO):
        [delivery] = send_all(config, change_message(), sleep=lambda s: None)  # type: ignore[arg-type]
    assert delivery.ok and delivery.attempts == 2
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("monitor"))
    assert "Teams workflow answered HTTP 503" in ours
    assert SIG not in ours  # (httpx logs URLs at INFO; the daemon sets it to WARNING)


def test_unreachable_workflow_fails_without_leaking_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TEST_TEAMS_URL", f"http://127.0.0.1:9/workflows/x?sig={SIG}")
    config = load_config(teams_config(tmp_path))
    with caplog.at_level(logging.INFO):
        [delivery] = send_all(config, change_message(), sleep=lambda s: None)  # type: ignore[arg-type]
    assert not delivery.ok and delivery.attempts == 3
    assert delivery.error == "ConnectError sending to the Teams workflow"
    assert SIG not in "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("monitor")
    )


def test_missing_environment_variable_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_TEAMS_URL", raising=False)
    config = load_config(teams_config(tmp_path))
    [delivery] = send_all(config, change_message())  # type: ignore[arg-type]
    assert not delivery.ok and delivery.attempts == 1
    assert delivery.error == "environment variable TEST_TEAMS_URL is not set"
