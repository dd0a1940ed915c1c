"""The real daemon under faults: SIGKILL while publishing, and a full disk.

Issue 14, items 9 and 6. The daemon runs as a subprocess exactly as deployed. The kill
is injected at the k-th rename into the output folder by a ``sitecustomize`` module
on the daemon's PYTHONPATH (test-only; nothing in the package knows about it), so every
interesting moment of a publish is hit deterministically rather than by a racing timer.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

DEADLINE = 90.0
ORPHAN = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")

SITECUSTOMIZE = """
import os, signal
_folder = os.environ.get("FAULT_FOLDER")
_at = int(os.environ.get("FAULT_KILL_AT_RENAME", "0"))
if _folder and _at:
    _real, _count = os.replace, [0]
    def _replace(src, dst, *args, **kwargs):
        if os.path.dirname(os.path.abspath(os.fspath(dst))) == _folder:
            _count[0] += 1
            if _count[0] == _at:
                os.kill(os.getpid(), signal.SIGKILL)
        return _real(src, dst, *args, **kwargs)
    os.replace = _replace
"""


class Daemon:
    def __init__(
        self,
        config: Path,
        *args: str,
        env: dict[str, str] | None = None,
        preexec: Callable[[], None] | None = None,
    ) -> None:
        self.log = config.parent / f"daemon-{time.monotonic_ns()}.log"
        self._out = open(self.log, "w")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "schedule", "--config", str(config), *args],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            preexec_fn=preexec,
        )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if condition():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; log:\n{self.text()}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=DEADLINE)
        finally:
            self._out.close()


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait()


def config_file(tmp_path: Path, out: Path, notify: str = "") -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\nout = "{out}"\nstore = "sqlite:///{tmp_path / "state" / "monitor.db"}"\n'
        'cases = ["telecom-2000"]\n'
        '[[schedule]]\nid = "daily"\ncron = "0 3 * * sun"\n' + notify,
        encoding="utf-8",
    )
    return path


def rows(tmp_path: Path) -> list[sqlite3.Row]:
    db = tmp_path / "state" / "monitor.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute("select * from runs order by id").fetchall()
        except sqlite3.OperationalError:
            return []


def one_run(tmp_path: Path, config: Path, daemons: list[Daemon], count: int) -> None:
    daemon = Daemon(config, "--run-now")
    daemons.append(daemon)
    daemon.wait_for(
        f"run {count} finished",
        lambda: len(rows(tmp_path)) == count and rows(tmp_path)[-1]["status"] != "running",
    )
    assert daemon.stop() == 0


def generated(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8"))["meta"]["generated_at"])


def assert_consistent(out: Path) -> None:
    """No orphan, no journal; latest.* and the dated pair are the same, whole run."""
    names = {p.name for p in out.iterdir()}
    assert not [n for n in names if ORPHAN.match(n)], names
    assert ".publish.journal" not in names
    manifest = json.loads((out / "index.json").read_text(encoding="utf-8"))
    [entry] = manifest["reports"]  # one case, one as-of date
    html, data = out / entry["html"], out / entry["json"]
    assert (out / "latest.html").read_bytes() == html.read_bytes()
    assert (out / "latest.json").read_bytes() == data.read_bytes()
    assert generated(data) in html.read_text(encoding="utf-8")  # the html of the same run
    report = json.loads(data.read_text(encoding="utf-8"))
    assert (entry["stage"], entry["score"]) == (report["stage"], report["score"])


@pytest.mark.parametrize("kill_at", [1, 4, 7])  # the journal, a middle, the last rename
def test_sigkill_while_publishing_then_restart(
    tmp_path: Path, daemons: list[Daemon], kill_at: int
) -> None:
    out = tmp_path / "out"
    config = config_file(tmp_path, out)
    one_run(tmp_path, config, daemons, 1)
    before = generated(out / "latest.json")
    time.sleep(1.1)  # generated_at has whole seconds: the next run's files differ
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {
        "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]),
        "FAULT_FOLDER": str(out),
        "FAULT_KILL_AT_RENAME": str(kill_at),
    }
    killed = Daemon(config, "--run-now", env=env)
    daemons.append(killed)
    assert killed.wait() == -signal.SIGKILL, killed.text()
    assert rows(tmp_path)[-1]["status"] == "running"  # killed mid-run
    restarted = Daemon(config)
    daemons.append(restarted)
    restarted.wait_for("start", lambda: "Scheduler started" in restarted.text())
    assert restarted.stop() == 0
    assert_consistent(out)
    assert generated(out / "latest.json") == before  # the killed run was never published
    assert [r["status"] for r in rows(tmp_path)] == ["ok", "failed"]  # and is recorded
    assert "interrupted" in rows(tmp_path)[-1]["errors"]
    if kill_at == 4:
        one_run(tmp_path, config, daemons, 3)  # and the next run publishes normally
        assert_consistent(out)
        assert generated(out / "latest.json") != before


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    if os.environ.get("MONITOR_TEST_NO_MOUNT"):  # to exercise the fallback on purpose
        return False
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # Python ignores SIGXFSZ: a write past the limit raises EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_is_recorded_and_notified(
    tmp_path: Path,
    daemons: list[Daemon],
    httpserver: HTTPServer,
    record_property: Callable[[str, object], None],
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    out = tmp_path / "out"
    mounted = _mount_tmpfs(out, "64k")  # a report is ~400 KB: the first file fills it
    preexec = None
    if mounted:
        method = "tmpfs of 64 KB mounted on the output folder"
    else:
        # no mount here (not root, or no CAP_SYS_ADMIN): bound every file the daemon writes
        # instead; the history database stays far below the limit, a report does not
        method = "RLIMIT_FSIZE of 200 KB on the daemon (tmpfs mount not permitted)"
        preexec = _file_size_limit(200 * 1024)
    print(f"full-disk test uses: {method}")
    record_property("full_disk_method", method)
    notify = (
        "[notify]\nretries = 1\nbackoff_seconds = 0\nafter_failures = 1\n"
        f'[notify.webhook]\nurl = "{httpserver.url_for("/hook")}"\ntimeout = 5\n'
    )
    config = config_file(tmp_path, out, notify)
    try:
        daemon = Daemon(config, "--run-now", preexec=preexec)
        daemons.append(daemon)
        daemon.wait_for(
            "a failed run with its notice",
            lambda: (
                bool(rows(tmp_path))
                and rows(tmp_path)[-1]["status"] == "failed"
                and len(httpserver.log) >= 1
            ),
        )
        assert daemon.stop() == 0
        [row] = rows(tmp_path)
        errors = json.loads(row["errors"])
        assert any("No space left" in e or "File too large" in e for e in errors), errors
        [(request, _)] = httpserver.log
        notice = json.loads(request.get_data())
        assert notice["status"] == "failed" and notice["failures_in_a_row"] == 1
        names = {p.name for p in out.iterdir()}
        assert not [n for n in names if ORPHAN.match(n)], names  # temporaries cleaned up
        assert "index.json" not in names  # a failed run is never listed
        assert "Traceback" not in daemon.text().split("failed:")[0]
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(out)], capture_output=True, timeout=30)
