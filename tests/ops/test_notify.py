"""Notifications against a real local SMTP server (aiosmtpd) and HTTP server."""

from __future__ import annotations

import email
import json
import socket
from collections.abc import Iterator
from email.message import Message as MailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from monitor.cli import main
from monitor.ops import jobs
from monitor.ops.config import Schedule, load_config
from monitor.ops.notify import build_message, redact, send_all, what_changed
from monitor.ops.runhistory import Previous, RunStore

SECRET = "s3cr3t-pass"
TOKEN = "tok-9f8e7d"


def free_port() -> int:
    """aiosmtpd's port=0 is broken: bind a free port ourselves and hand it over."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[MailMessage] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("monitor", SECRET), handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def config_file(tmp_path: Path, notify: str, extra: str = "") -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\nout = "out"\ncases = ["telecom-2000"]\n{extra}\n'
        f"[notify]\nretries = 3\nbackoff_seconds = 0.01\n{notify}",
        encoding="utf-8",
    )
    return path


def email_block(port: int, security: str = "none") -> str:
    return (
        f'[notify.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
        'from = "monitor@example.org"\nto = ["risk@example.org"]\nusername = "monitor"\n'
        'password_env = "TEST_SMTP_PASSWORD"\ntimeout = 5\n'
    )


def test_what_changed() -> None:
    assert what_changed(None, 0, set()) == []
    assert what_changed(None, 2, set()) == ["stage changed from 0 to 2"]
    before = Previous(1, 2, frozenset({"a", "c"}), frozenset({"c"}))
    assert what_changed(before, 2, {"c"}) == []  # same stage, no *new* critical rule
    assert what_changed(before, 1, {"c"}) == ["stage changed from 2 to 1"]
    assert what_changed(before, 2, {"c", "d"}) == ["critical rule(s) started firing: d"]


def test_redact_hides_secret_values() -> None:
    assert redact(f"https://hooks.example/{TOKEN}/x failed", [TOKEN]) == (
        "https://hooks.example/***/x failed"
    )


def test_email_with_login_summary_and_attachment(
    tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
    config = load_config(config_file(tmp_path, email_block(port)))
    report = tmp_path / "report.html"
    report.write_text("<html><body>the report</body></html>")
    message = build_message(
        case="ai-cycle",
        title="AI cycle",
        as_of="2026-08-07",
        stage=2,
        previous_stage=1,
        score=42.5,
        firing=["a", "b"],
        reasons=["stage changed from 1 to 2"],
        report=str(report),
        status="ok",
    )
    [delivery] = send_all(config, message)
    assert delivery.ok and delivery.attempts == 1
    assert inbox.logins == [("monitor", SECRET)]
    [mail] = inbox.messages
    assert "stage 2" in mail["Subject"] and mail["To"] == "risk@example.org"
    parts = list(mail.walk())
    text = next(p for p in parts if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert b"stage changed from 1 to 2" in text and b"Rules firing (2): a, b" in text
    html = next(p for p in parts if p.get_content_type() == "text/html")
    assert html.get_filename() == "report.html"
    assert b"the report" in html.get_payload(decode=True)


def test_email_failures_are_retried_and_never_leak(
    tmp_path: Path,
    smtp: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong-" + SECRET)
    config = load_config(config_file(tmp_path, email_block(port)))
    slept: list[float] = []
    [delivery] = send_all(
        config,
        build_message(
            case="c",
            title="t",
            as_of="d",
            stage=1,
            previous_stage=0,
            score=1.0,
            firing=[],
            reasons=["r"],
            report=None,
            status="ok",
        ),
        sleep=slept.append,
    )
    assert not delivery.ok and delivery.attempts == 3
    # exponential backoff with full jitter: up to 0.01 s, then up to 0.02 s
    assert len(slept) == 2 and 0 <= slept[0] <= 0.01 and 0 <= slept[1] <= 0.02
    assert "Authentication" in (delivery.error or "")
    assert SECRET not in caplog.text and SECRET not in (delivery.error or "")
    # STARTTLS against a server that offers none: recorded as a failure, not raised
    config = load_config(config_file(tmp_path, email_block(port, "starttls")))
    [delivery] = send_all(
        config,
        build_message(
            case="c",
            title="t",
            as_of="d",
            stage=1,
            previous_stage=0,
            score=1.0,
            firing=[],
            reasons=["r"],
            report=None,
            status="ok",
        ),
        sleep=slept.append,
    )
    assert not delivery.ok and "STARTTLS" in (delivery.error or "")
    assert inbox.messages == []


def webhook_block(httpserver: HTTPServer, path: str = "/hook") -> str:
    return (
        f'[notify.webhook]\nurl = "{httpserver.url_for(path)}"\n'
        'token_env = "TEST_WEBHOOK_TOKEN"\ntimeout = 5\n'
    )


def test_webhook_retried_until_it_answers(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_WEBHOOK_TOKEN", TOKEN)
    for _ in range(2):
        httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data(
            "busy", status=503
        )
    httpserver.expect_request(
        "/hook", method="POST", headers={"Authorization": f"Bearer {TOKEN}"}
    ).respond_with_data("ok")
    config = load_config(config_file(tmp_path, webhook_block(httpserver)))
    [delivery] = send_all(
        config,
        build_message(
            case="ai-cycle",
            title="AI",
            as_of="2026-08-07",
            stage=1,
            previous_stage=0,
            score=9.0,
            firing=["x"],
            reasons=["stage changed from 0 to 1"],
            report=None,
            status="ok",
        ),
        sleep=lambda s: None,
    )
    assert delivery.ok and delivery.attempts == 3
    body = json.loads(httpserver.log[-1][0].get_data())
    assert body["stage"] == 1 and body["case"] == "ai-cycle"
    assert "stage changed from 0 to 1" in body["text"]  # Slack-compatible text field


def test_secret_webhook_url_never_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{free_port()}/services/{TOKEN}"  # nothing listens there
    monkeypatch.setenv("TEST_WEBHOOK_URL", url)
    path = config_file(tmp_path, '[notify.webhook]\nurl_env = "TEST_WEBHOOK_URL"\ntimeout = 2\n')
    result = CliRunner().invoke(main, ["notify", "--test", "--config", str(path)])
    assert result.exit_code == 1
    assert "webhook: FAILED" in result.output and "3 attempt(s)" in result.output
    assert TOKEN not in result.output and TOKEN not in caplog.text


def test_notify_test_command(
    tmp_path: Path, httpserver: HTTPServer, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
    monkeypatch.setenv("TEST_WEBHOOK_TOKEN", TOKEN)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    path = config_file(tmp_path, email_block(port) + webhook_block(httpserver))
    result = CliRunner().invoke(main, ["notify", "--test", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "email: ok" in result.output and "webhook: ok" in result.output
    assert inbox.messages[0]["Subject"] == "[monitor] test notification"
    assert json.loads(httpserver.log[0][0].get_data())["test"] is True
    assert SECRET not in result.output and TOKEN not in result.output


def test_runs_notify_on_change_only_and_record_failed_deliveries(
    tmp_path: Path,
    httpserver: HTTPServer,
    smtp: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SECRET)
    monkeypatch.setenv("TEST_WEBHOOK_TOKEN", TOKEN)
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=500)
    config = load_config(config_file(tmp_path, email_block(port) + webhook_block(httpserver)))
    store = RunStore(config.store)
    jobs._RELOADERS.clear()
    schedule = Schedule("daily", ["telecom-2000"])
    first = jobs.run_schedule(config, schedule, "test", store)[0]
    assert first.status == "ok" and first.stage == 3  # the bust, first seen: 0 -> 3
    channels = {n["channel"]: n for n in first.notifications}
    assert channels["email"]["ok"] and not channels["webhook"]["ok"]
    assert channels["webhook"]["attempts"] == 3 and "HTTP 500" in channels["webhook"]["error"]
    assert len(httpserver.log) == 3  # retried
    [mail] = inbox.messages
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert b"stage changed from 0 to 3" in body.get_payload(decode=True)
    row = store.recent(1)[0]
    assert row["status"] == "ok"  # a failed notification never fails the run
    assert row["notifications"] == first.notifications
    second = jobs.run_schedule(config, schedule, "test", store)[0]
    assert second.notifications == [] and len(inbox.messages) == 1  # nothing changed


def test_webhook_honours_retry_after_and_a_redirect_is_no_delivery(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_WEBHOOK_TOKEN", TOKEN)
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    config = load_config(config_file(tmp_path, webhook_block(httpserver)))
    message = build_message(
        case="c", title="t", as_of="d", stage=1, previous_stage=0, score=1.0,
        firing=[], reasons=["r"], report=None, status="ok",
    )  # fmt: skip
    slept: list[float] = []
    [delivery] = send_all(config, message, sleep=slept.append)
    assert delivery.ok and delivery.attempts == 2
    assert slept == [7.0]  # the server's pause, not our backoff
    httpserver.expect_request("/moved", method="POST").respond_with_data(
        "", status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"}
    )
    config = load_config(config_file(tmp_path, webhook_block(httpserver, "/moved")))
    [delivery] = send_all(config, message, sleep=slept.append)
    assert not delivery.ok and "HTTP 302" in (delivery.error or "")
    assert delivery.attempts == 1  # a redirect is not retried either
