"""Message templates: the *text* of a notification, shaped per target, in Jinja2's sandbox.

A desk may reword the e-mail subject and body, the webhook's ``text`` and the Teams
card's title and text (``*_template`` keys of ``[notify.*]``). Why this shape:

- **Text only.** Structured payloads (the JSON webhook body, the Adaptive Card) are
  built as data in code; a template only fills one string field of them, so no
  template can break their syntax.
- **Sandboxed** (:class:`~jinja2.sandbox.SandboxedEnvironment`): a template cannot
  reach Python internals (``''.__class__``) and ``range`` is bounded.
- **StrictUndefined**: a misspelt variable is an error, never a silently empty string.
  Every template is parsed, its names checked against :data:`VARIABLES` and trial
  rendered against sample messages *when the config loads*, so a bad template is a
  config error naming the file, line and key, not a lost notification at 3 a.m.
- **Data never becomes markup.** Each target's escape runs as Jinja's ``finalize`` on
  every ``{{ ... }}`` value (a rule name, a case title, an error), while the
  template's own literal text is kept: Slack's ``&``/``<``/``>`` escaping for the
  webhook (no ``<!channel>`` or ``<url|link>`` from data), backslash escapes of the
  Markdown Adaptive Cards understand for Teams (no links, emphasis or lists from
  data). E-mail is ``text/plain``; its subject is folded onto one line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

log = logging.getLogger("monitor.ops.templates")

MAX_TEXT_CHARS = 20_000  # far above any useful message; a runaway loop is cut here
MAX_SUBJECT_CHARS = 250

# The names a template sees, and what they hold (docs/deployment.md lists them).
VARIABLES: dict[str, str] = {
    "kind": '"change" (stage or critical rules changed, or recovered), "failure", or "test"',
    "case": "the case name, e.g. ai-cycle",
    "title": "the case's title",
    "as_of": "the assessment date (YYYY-MM-DD)",
    "stage": "the overall stage now, 0 to 3",
    "previous_stage": "the stage of the previous recorded run (none on a first run)",
    "score": "the composite score, 0 to 100",
    "firing": "list of the ids of the rules firing",
    "reasons": "list of why this message was sent (stage changed, new critical rule, ...)",
    "report": "path of the HTML report",
    "status": "the run's status: ok, degraded or failed",
    "failures_in_a_row": "on a failure message: how many runs of the case failed in a row",
    "errors": "list of the run's errors (failure messages)",
    "summary": "the built-in plain-text message (the default body)",
    "subject": "the built-in subject line",
}

_SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "kind": "change",
        "case": "ai-cycle",
        "title": "AI cycle",
        "as_of": "2026-08-07",
        "stage": 2,
        "previous_stage": 1,
        "score": 42.5,
        "firing": ["policy-rate-hiking-cycle", "vendor-financing-rising"],
        "reasons": ["stage changed from 1 to 2"],
        "report": "out/ai-cycle-2026-08-07.html",
        "status": "ok",
        "errors": [],
    },
    {"kind": "change", "case": "ai-cycle", "stage": 0, "score": 0.0, "firing": [], "reasons": []},
    {
        "kind": "failure",
        "case": "ai-cycle",
        "status": "failed",
        "failures_in_a_row": 3,
        "errors": ["ValueError: sample"],
    },
    {"kind": "test"},
)


def context_for(message_kind: str, payload: dict[str, Any], summary: str, subject: str) -> dict:
    """Every variable, ``None`` (or an empty list) where this message has no value."""
    lists = {"firing", "reasons", "errors"}
    context: dict[str, Any] = {name: [] if name in lists else None for name in VARIABLES}
    context.update({k: v for k, v in payload.items() if k in VARIABLES})
    context.update(kind=message_kind, summary=summary, subject=subject)
    return context


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def slack_escape(text: str) -> str:
    """Slack's own escaping for message text: only ``&``, ``<`` and ``>`` are control."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN_ANYWHERE = re.compile(r"([\\`*_\[\](){}<>#~|!])")
_MARKDOWN_BULLET = re.compile(r"(?m)^(\s*)([-+])(?=\s)")
_MARKDOWN_NUMBERED = re.compile(r"(?m)^(\s*\d+)\.(?=\s)")


def markdown_escape(text: str) -> str:
    """Backslash-escape what Adaptive Card Markdown would read as emphasis, links or lists.

    Braces are escaped too, so a value cannot form the card's ``{{DATE(...)}}`` functions.
    """
    text = _MARKDOWN_ANYWHERE.sub(r"\\\1", text)
    text = _MARKDOWN_BULLET.sub(r"\1\\\2", text)
    return _MARKDOWN_NUMBERED.sub(r"\1\\.", text)


@dataclass(frozen=True)
class Flavour:
    """How one kind of target treats values: its escape, and whether it is one line."""

    name: str
    escape: Callable[[str], str]
    one_line: bool = False
    limit: int = MAX_TEXT_CHARS


PLAIN = Flavour("plain", lambda s: s)
SUBJECT = Flavour("subject", lambda s: s, one_line=True, limit=MAX_SUBJECT_CHARS)
SLACK = Flavour("slack", slack_escape)
TEAMS = Flavour("teams", markdown_escape)
TEAMS_TITLE = Flavour("teams", markdown_escape, one_line=True, limit=MAX_SUBJECT_CHARS)

_ENVIRONMENTS: dict[str, SandboxedEnvironment] = {}


def environment(flavour: Flavour) -> SandboxedEnvironment:
    """One sandbox per escape: ``finalize`` escapes every value a template prints."""
    env = _ENVIRONMENTS.get(flavour.name)
    if env is None:
        env = SandboxedEnvironment(
            undefined=StrictUndefined,
            autoescape=False,  # text, not HTML; each target's escape runs in finalize
            finalize=lambda value: flavour.escape(_plain(value)),
            keep_trailing_newline=False,
        )
        _ENVIRONMENTS[flavour.name] = env
    return env


def render(source: str, flavour: Flavour, context: dict[str, Any]) -> str:
    """Render ``source``; raises what Jinja raises (the config check ran it already)."""
    text = environment(flavour).from_string(source).render(context)
    if flavour.one_line:
        text = " ".join(text.split())
    if len(text) > flavour.limit:
        text = text[: flavour.limit - 1] + "…"
    return text


def problems(source: str, flavour: Flavour) -> list[str]:
    """What is wrong with a template: syntax, unknown names, errors on sample messages."""
    env = environment(flavour)
    try:
        parsed = env.parse(source)
    except TemplateSyntaxError as exc:
        return [f"template line {exc.lineno}: {exc.message}"]
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(VARIABLES) - set(env.globals))
    if unknown:
        known = ", ".join(sorted(VARIABLES))
        return [f"unknown variable(s) {', '.join(unknown)} (known: {known})"]
    for sample in _SAMPLES:
        context = context_for(
            sample.get("kind", "change"), sample, "sample summary", "sample subject"
        )
        try:
            render(source, flavour, context)
        except Exception as exc:  # noqa: BLE001 - any render failure is a config error
            return [f"fails on a sample {context['kind']} message: {type(exc).__name__}: {exc}"]
    return []


def render_or_default(
    templates: dict[str, str], key: str, default: str, flavour: Flavour, context: dict[str, Any]
) -> str:
    """The target's template ``key`` rendered, else ``default`` (a built-in template).

    The config check renders every template against sample messages, so a failure
    here is a case the samples missed: the built-in text goes out instead (a
    notification is never lost to its wording) and the reason is logged.
    """
    source = templates.get(key)
    if source is not None:
        try:
            return render(source, flavour, context)
        except Exception as exc:  # noqa: BLE001 - fall back to the built-in text
            log.warning("%s failed (%s); sending the built-in text", key, type(exc).__name__)
    return render(default, flavour, context)
