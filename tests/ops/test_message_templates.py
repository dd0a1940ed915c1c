"""Message templates: checked when the config loads, rendered in the sandbox, values escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.ops.config import ConfigError, load_config
from monitor.ops.notify import Message
from monitor.ops.templates import (
    PLAIN,
    SLACK,
    SUBJECT,
    TEAMS,
    VARIABLES,
    markdown_escape,
    render,
    slack_escape,
)


def config_with(tmp_path: Path, table: str, body: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\ncases = ["telecom-2000"]\n\n[notify]\nretries = 1\n\n[notify.{table}]\n{body}',
        encoding="utf-8",
    )
    return path


WEBHOOK = 'url = "http://127.0.0.1:9/hook"\n'


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def test_good_templates_load(tmp_path: Path) -> None:
    config = load_config(
        config_with(
            tmp_path,
            "webhook",
            WEBHOOK + "text_template = \"{{ case }}: {{ stage }} ({{ reasons|join('; ') }})\"\n",
        )
    )
    assert config.webhook is not None
    assert "text_template" in config.webhook.templates


def test_syntax_error_names_file_line_and_key(tmp_path: Path) -> None:
    path = config_with(tmp_path, "webhook", WEBHOOK + 'text_template = "stage {{ stage "\n')
    [problem] = problems_of(path)
    # the table starts on line 7, url is line 8, the template line 9
    assert problem.startswith(f"{path}:9: [notify.webhook] text_template: template line 1:")


def test_unknown_variable_is_refused_at_load(tmp_path: Path) -> None:
    path = config_with(tmp_path, "webhook", WEBHOOK + 'text_template = "stage {{ stagee }}"\n')
    [problem] = problems_of(path)
    assert "text_template: unknown variable(s) stagee" in problem
    assert "stage" in problem.split("known:")[1]


def test_unknown_variable_in_an_untaken_branch_is_refused_too(tmp_path: Path) -> None:
    body = 'subject_template = "{% if false %}{{ nope }}{% endif %}x"\n'
    email = 'host = "127.0.0.1"\nport = 25\nsecurity = "none"\nfrom = "a@b.c"\nto = "d@e.f"\n'
    [problem] = problems_of(config_with(tmp_path, "email", email + body))
    assert "[notify.email] subject_template: unknown variable(s) nope" in problem


def test_sandbox_refuses_python_internals_at_load(tmp_path: Path) -> None:
    body = 'text_template = "{{ case.__class__.__mro__[1].__subclasses__() }}"\n'
    [problem] = problems_of(config_with(tmp_path, "webhook", WEBHOOK + body))
    assert "text_template: fails on a sample change message: SecurityError" in problem


def test_a_template_that_breaks_on_failure_messages_is_refused(tmp_path: Path) -> None:
    # a failure message has no score: rounding None fails, so say so now, not at 3 a.m.
    body = 'text_template = "{{ score|round }}"\n'
    [problem] = problems_of(config_with(tmp_path, "teams", 'url_env = "X_TEAMS"\n' + body))
    assert "[notify.teams] text_template: fails on a sample failure message" in problem


def test_teams_url_in_the_file_is_refused(tmp_path: Path) -> None:
    body = 'url = "https://prod.westeurope.logic.azure.com/workflows/x?sig=abc"\n'
    problems = problems_of(config_with(tmp_path, "teams", body))
    assert any("teams] url: a Workflows URL carries its signature" in p for p in problems)
    assert any("url_env: required" in p for p in problems)


def message(**payload: object) -> Message:
    facts = {"case": "ai-cycle", "stage": 2, "previous_stage": 1, "score": 42.5, **payload}
    return Message("[monitor] subject", "summary text", facts)


def test_every_documented_variable_is_in_the_context() -> None:
    context = message().context()
    assert set(context) == set(VARIABLES)
    assert context["kind"] == "change" and context["firing"] == []  # absent list: empty


def test_slack_text_escapes_values_but_keeps_the_template_markup() -> None:
    context = message(firing=["<!channel>", "a&b"]).context()
    text = render("<!here> {{ firing|join(', ') }}", SLACK, context)
    # the template's own mention stays; a rule id cannot mention the channel
    assert text == "<!here> &lt;!channel&gt;, a&amp;b"
    assert slack_escape("<http://evil|click>") == "&lt;http://evil|click&gt;"


def test_teams_text_escapes_markdown_from_values() -> None:
    evil = "[click](https://evil.example) **loud** {{DATE(2017-02-14T06:08:39Z)}}"
    text = render("**Stage {{ stage }}**: {{ case }}", TEAMS, message(case=evil).context())
    assert text.startswith("**Stage 2**: ")  # the template's bold stays
    value = text.removeprefix("**Stage 2**: ")
    assert value == markdown_escape(evil)
    for raw in ("[click]", "](", "**", "{{"):
        assert raw not in value
    assert markdown_escape("- item\n1. first") == "\\- item\n1\\. first"


def test_subject_is_one_line_and_bounded() -> None:
    context = message(case="a\r\nBcc: victim@example.org").context()
    subject = render("{{ case }} " + "x" * 400, SUBJECT, context)
    assert "\n" not in subject and "\r" not in subject
    assert len(subject) == 250


def test_plain_text_is_unescaped() -> None:
    assert render("{{ case }}", PLAIN, message(case="<b>&</b>").context()) == "<b>&</b>"
