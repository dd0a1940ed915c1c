"""Config guards against secrets sent in the clear and unbounded notification settings.

Issue 14, items 7 and 8 (and the notification bounds of 13). The SMTP host is judged
by the address it resolves to, so the resolver is replaced here by one that answers
as an attacker's DNS would: no lookup leaves the machine.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from monitor.ops.config import ConfigError, load_config

EVIL = "127.0.0.1.evil.example"


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def _smtp(tmp_path: Path, host: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[notify.email]\nhost = "{host}"\nsecurity = "none"\nfrom = "m@example.com"\n'
        'to = ["desk@example.com"]\nusername = "m"\npassword_env = "SMTP_PASSWORD"\n',
        encoding="utf-8",
    )
    return path


def _fake_dns(answers: dict[str, str]) -> Any:
    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list[Any]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 0))]

    return getaddrinfo


def test_a_name_that_begins_like_loopback_is_judged_by_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({EVIL: "203.0.113.7"}))
    problems = _problems(_smtp(tmp_path, EVIL))
    assert any(":3:" in p and "unencrypted" in p for p in problems)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "relay.lan"])
def test_loopback_relays_may_take_a_plaintext_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"relay.lan": "127.0.0.53"}))
    assert load_config(_smtp(tmp_path, host)).email is not None


def test_an_unresolvable_name_is_not_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({}))
    assert any("unencrypted" in p for p in _problems(_smtp(tmp_path, "127.0.0.1x")))


def _webhook(tmp_path: Path, url_line: str, token: bool = True) -> Path:
    path = tmp_path / "monitor.toml"
    token_line = 'token_env = "HOOK_TOKEN"\n' if token else ""
    path.write_text(f"[notify.webhook]\n{url_line}\n{token_line}", encoding="utf-8")
    return path


def test_bearer_token_over_plain_http_to_another_host_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"hooks.example.com": "203.0.113.9"}))
    problems = _problems(_webhook(tmp_path, 'url = "http://hooks.example.com/x"'))
    assert any(":2:" in p and "[notify.webhook] url" in p and "http://" in p for p in problems)
    monkeypatch.setenv("HOOK_URL", "http://hooks.example.com/secret-path")
    problems = _problems(_webhook(tmp_path, 'url_env = "HOOK_URL"'))
    assert any("url_env" in p for p in problems)
    assert not any("secret-path" in p for p in problems)  # the URL itself is never shown


@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("https://hooks.example.com/x", True),
        ("http://127.0.0.1:8080/x", True),
        ("http://hooks.example.com/x", False),
    ],
)
def test_https_loopback_or_no_token_are_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, token: bool
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"hooks.example.com": "203.0.113.9"}))
    assert load_config(_webhook(tmp_path, f'url = "{url}"', token)).webhook is not None


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("retries = 1000000", "retries"),
        ("retries = 0", "retries"),
        ("backoff_seconds = 1e12", "backoff_seconds"),
        ("backoff_seconds = -1", "backoff_seconds"),
        ("after_failures = 0", "after_failures"),
    ],
)
def test_notification_bounds(tmp_path: Path, line: str, key: str) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(f"[notify]\n{line}\n", encoding="utf-8")
    [problem] = _problems(path)
    assert f"monitor.toml:2: [notify] {key}: expected" in problem


def test_after_failures_is_read(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("[notify]\nafter_failures = 3\n", encoding="utf-8")
    assert load_config(path).after_failures == 3


def _monitor(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ('[monitor]\nout = "/dev/null"\n', ":2: [monitor] out:", "is not a folder"),
        (
            '[[schedule]]\nid = "x"\ninterval_seconds = 9999999999999\n',
            ":3: [[schedule]] #1 interval_seconds:",
            "must be from 1 to",
        ),
        (
            '[monitor]\nstore = "postgresql://monitor@db.example/monitor"\n',
            ":2: [monitor] store:",
            "driver 'psycopg2' is not installed",
        ),
        (
            '[monitor]\nstore = "sqlite+x://u:hunter2@host/db"\n',
            ":2: [monitor] store:",
            "a password in the store URL",
        ),
        ('[monitor]\nstore = "nosuchdb://host/db"\n', ":2: [monitor] store:", "unknown database"),
        ('[case]\nname = "x"\n', ":1:", "declare store-backed cases as [[case]] tables"),
    ],
)
def test_config_mistakes_are_one_line_errors(
    tmp_path: Path, body: str, where: str, message: str
) -> None:
    problems = _problems(_monitor(tmp_path, body))
    assert any(where in p and message in p for p in problems), problems
    assert not any("hunter2" in p for p in problems)


def test_non_utf8_config_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_bytes(b'[monitor]\ntimezone = "UTC"\nout = "\xff"\n')
    [problem] = _problems(path)
    assert problem.endswith("monitor.toml:3: not UTF-8 text (invalid start byte)")
