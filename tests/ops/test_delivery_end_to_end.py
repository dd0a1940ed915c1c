"""The real commands as subprocesses against local servers: SMTP (aiosmtpd) and HTTP
(webhook, Teams Workflows, heartbeat).

A one-shot ``monitor run --schedule`` sends templated e-mail and webhook text and a
well-formed Teams card, and pings the heartbeat (``/fail`` when a case fails); a
one-shot run and a daemon run of the same schedule leave the same history row.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

TEAMS_SIG = "sig-4Jd9XkQ2pL"
HEARTBEAT_KEY = "hc-7a1f9e0b"
DEADLINE = 60.0


SUBJECT = (
    "{{ case }}: stage {{ stage }} "
    "(was {{ previous_stage if previous_stage is not none else '-' }})"
)


def write_config(folder: Path, port: int, hook: str, cases: str = '["telecom-2000"]') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "monitor.toml"
    path.write_text(
        f"""\
[monitor]
cases = {cases}
out = "out"
store = "sqlite:///monitor.db"

[[schedule]]
id = "nightly"
cron = "0 3 * * sun"

[notify]
retries = 2
backoff_seconds = 0.01

[notify.email]
host = "127.0.0.1"
port = {port}
security = "none"
from = "monitor@example.org"
to = ["desk@example.org"]
subject_template = "{SUBJECT}"
body_template = '''
{{% if kind == "failure" %}}{{{{ case }}}} failed {{{{ failures_in_a_row }}}} time(s): \
{{{{ errors|first }}}}{{% elif kind == "change" %}}Score {{{{ "%.1f"|format(score) }}}}; \
firing: {{{{ firing|length }}}} rule(s).{{% else %}}{{{{ summary }}}}{{% endif %}}
'''

[notify.webhook]
url = "{hook}"
text_template = "*{{{{ case }}}}* stage {{{{ stage }}}}: {{{{ reasons|join('; ') }}}}"

[notify.teams]
url_env = "TEST_TEAMS_URL"

[heartbeat]
url_env = "TEST_HEARTBEAT_URL"
""",
        encoding="utf-8",
    )
    return path


def environment(httpserver: HTTPServer) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TEST_TEAMS_URL": httpserver.url_for("/workflow") + f"?sig={TEAMS_SIG}",
        "TEST_HEARTBEAT_URL": httpserver.url_for(f"/ping/{HEARTBEAT_KEY}"),
    }


def expect_receivers(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    httpserver.expect_request("/workflow", method="POST").respond_with_data("", status=202)
    httpserver.expect_request(f"/ping/{HEARTBEAT_KEY}").respond_with_data("OK")
    httpserver.expect_request(f"/ping/{HEARTBEAT_KEY}/fail").respond_with_data("OK")


def one_shot(config: Path, httpserver: HTTPServer, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "run", "--schedule", "nightly", "--config", str(config)]
        + list(args),
        capture_output=True,
        text=True,
        cwd=config.parent,
        env=environment(httpserver),
        timeout=DEADLINE,
    )


def requests_to(httpserver: HTTPServer, path: str) -> list[Any]:
    return [request for request, _ in httpserver.log if request.path == path]


def rows(folder: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(folder / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from runs order by id")]


def test_one_shot_run_templates_teams_and_heartbeat(
    tmp_path: Path, smtp: tuple[Any, int], httpserver: HTTPServer
) -> None:
    inbox, port = smtp
    expect_receivers(httpserver)
    config = write_config(tmp_path, port, httpserver.url_for("/hook"))
    done = one_shot(config, httpserver)
    assert done.returncode == 0, done.stderr
    assert "telecom-2000 ok, stage 3" in done.stdout
    for secret in (TEAMS_SIG, HEARTBEAT_KEY):
        assert secret not in done.stdout + done.stderr

    [row] = rows(tmp_path)
    assert (row["status"], row["trigger"], row["stage"]) == ("ok", "scheduled", 3)
    firing = json.loads(row["firing"])

    # e-mail: both templates rendered from the run's own facts (first run: was none)
    [mail] = inbox.messages
    assert mail["Subject"] == "telecom-2000: stage 3 (was -)"
    body = mail.get_payload()[0].get_payload() if mail.is_multipart() else mail.get_payload()
    assert body.strip() == f"Score {row['score']:.1f}; firing: {len(firing)} rule(s)."

    # webhook: the payload is data, only "text" is templated
    [hook] = requests_to(httpserver, "/hook")
    sent = hook.get_json()
    assert sent["text"] == "*telecom-2000* stage 3: " + "; ".join(sent["reasons"])
    assert sent["reasons"][0] == "stage changed from 0 to 3"
    assert (sent["stage"], sent["previous_stage"], sent["firing"]) == (3, None, firing)

    # Teams: a well-formed Adaptive Card message
    [card_request] = requests_to(httpserver, "/workflow")
    assert card_request.args["sig"] == TEAMS_SIG
    body_json = card_request.get_json()
    assert body_json["type"] == "message"
    [attachment] = body_json["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    kinds = [block["type"] for block in card["body"]]
    assert kinds == ["TextBlock", "TextBlock", "FactSet"]
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Stage"] == "3 \\(was -\\)"  # a '-' mid-line is no list: not escaped

    # heartbeat: success URL, the summary as the body
    [beat] = requests_to(httpserver, f"/ping/{HEARTBEAT_KEY}")
    assert beat.method == "POST"
    assert beat.get_data(as_text=True).splitlines()[1].startswith("telecom-2000: ok, stage 3")


def test_failing_one_shot_run_pings_fail_and_exits_1(
    tmp_path: Path, smtp: tuple[Any, int], httpserver: HTTPServer
) -> None:
    inbox, port = smtp
    expect_receivers(httpserver)
    config = write_config(tmp_path, port, httpserver.url_for("/hook"), '["no-such-case"]')
    done = one_shot(config, httpserver)
    assert done.returncode == 1
    [row] = rows(tmp_path)
    assert row["status"] == "failed"
    [beat] = requests_to(httpserver, f"/ping/{HEARTBEAT_KEY}/fail")
    assert "no-such-case: failed" in beat.get_data(as_text=True)
    assert requests_to(httpserver, f"/ping/{HEARTBEAT_KEY}") == []
    # the failure notice, through the failure branch of the same body template
    [mail] = inbox.messages
    body = mail.get_payload()
    assert body.strip().startswith("no-such-case failed 1 time(s): ")


def run_daemon_once(config: Path, httpserver: HTTPServer) -> str:
    """Start ``monitor schedule``, wait for its first timed run to finish, SIGTERM it."""
    log = config.parent / "daemon.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "schedule", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
            env=environment(httpserver),
        )
        try:
            end = time.monotonic() + DEADLINE
            while time.monotonic() < end and proc.poll() is None:
                db = config.parent / "monitor.db"
                if db.exists() and "heartbeat notification sent" in log.read_text():
                    break
                time.sleep(0.1)
            else:
                raise AssertionError("no finished run; log:\n" + log.read_text())
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=DEADLINE) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return log.read_text()


def comparable(row: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A history row without what must differ: ids, times, the folder it ran in."""
    kept = {k: v for k, v in row.items() if k not in ("id", "started", "finished")}
    return {
        k: v.replace(str(folder), "<folder>") if isinstance(v, str) else v for k, v in kept.items()
    }


def test_one_shot_and_daemon_leave_the_same_history_row(
    tmp_path: Path, smtp: tuple[Any, int], httpserver: HTTPServer
) -> None:
    inbox, port = smtp
    expect_receivers(httpserver)
    hook = httpserver.url_for("/hook")
    daemon_config = write_config(tmp_path / "daemon", port, hook)
    text = daemon_config.read_text().replace('cron = "0 3 * * sun"', "interval_seconds = 1")
    daemon_config.write_text(text)
    one_shot_config = write_config(tmp_path / "one-shot", port, hook)
    one_shot_config.write_text(text)

    log = run_daemon_once(daemon_config, httpserver)
    done = one_shot(one_shot_config, httpserver)
    assert done.returncode == 0, done.stderr

    [daemon_row] = rows(tmp_path / "daemon")[:1]
    [one_shot_row] = rows(tmp_path / "one-shot")
    assert daemon_row["trigger"] == "scheduled" and daemon_row["status"] == "ok"
    assert comparable(daemon_row, tmp_path / "daemon") == comparable(
        one_shot_row, tmp_path / "one-shot"
    )
    notes = json.loads(one_shot_row["notifications"])
    assert [(n["channel"], n["ok"]) for n in notes] == [
        ("email", True),
        ("webhook", True),
        ("teams", True),
    ]
    assert len(inbox.messages) == 2  # one change notice from each
    assert len(requests_to(httpserver, f"/ping/{HEARTBEAT_KEY}")) >= 2  # both pinged
    assert TEAMS_SIG not in log and HEARTBEAT_KEY not in log
