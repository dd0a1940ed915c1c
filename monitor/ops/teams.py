"""Microsoft Teams: an Adaptive Card posted to a Power Automate Workflows webhook.

Office 365 connectors (and their MessageCard format) are retired; a Teams channel or
chat now receives messages through a Workflows flow ("When a Teams webhook request is
received", then "Post card in a chat or channel"), whose trigger expects::

    {"type": "message",
     "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                      "contentUrl": null,
                      "content": {"type": "AdaptiveCard", "version": "1.4", ...}}]}

The card is built here as data (json-serialised by httpx), so no template and no data
value can break its syntax. Text in a card is Markdown, so every data value is escaped
(:func:`monitor.ops.templates.markdown_escape`); the templates shape the title and the
text block only. Version 1.4 is the newest schema Workflows cards render everywhere.
The URL carries a signature (a secret), so it comes only from the environment.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from monitor.core.errors import SendError
from monitor.ops.delivery_http import request
from monitor.ops.templates import (
    TEAMS,
    TEAMS_TITLE,
    context_for,
    markdown_escape,
    render_or_default,
)

if TYPE_CHECKING:
    from monitor.ops.notify import Message
    from monitor.ops.targets import TeamsTarget

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
DEFAULT_TITLE = "{{ subject }}"
DEFAULT_TEXT = "{{ summary }}"


def _facts(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The message's key figures as a FactSet, every value escaped."""
    facts: list[tuple[str, Any]] = []
    if payload.get("stage") is not None:
        was = payload.get("previous_stage")
        facts.append(("Stage", f"{payload['stage']} (was {'-' if was is None else was})"))
    if payload.get("score") is not None:
        facts.append(("Score", f"{float(payload['score']):.1f} / 100"))
    for key, label in (("as_of", "As of"), ("status", "Run"), ("case", "Case")):
        if payload.get(key) is not None:
            facts.append((label, payload[key]))
    if payload.get("failures_in_a_row") is not None:
        facts.append(("Failed runs in a row", payload["failures_in_a_row"]))
    if "firing" in payload:
        facts.append(("Rules firing", ", ".join(payload["firing"]) or "none"))
    if payload.get("report"):
        facts.append(("Report", payload["report"]))
    return [{"title": label, "value": markdown_escape(str(value))} for label, value in facts]


def build_card(target: TeamsTarget, message: Message) -> dict[str, Any]:
    """The whole Workflows request body for ``message``."""
    context = context_for(message.kind, message.payload, message.text, message.subject)
    title = render_or_default(
        target.templates, "title_template", DEFAULT_TITLE, TEAMS_TITLE, context
    )
    text = render_or_default(target.templates, "text_template", DEFAULT_TEXT, TEAMS, context)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
        # Adaptive Card Markdown needs a blank line for a line break
        {"type": "TextBlock", "text": text.replace("\n", "\n\n"), "wrap": True},
    ]
    facts = _facts(message.payload)
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    card = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION, "body": body}
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
    }


def send_teams(target: TeamsTarget, message: Message) -> None:
    """One POST of the card to the Workflows URL (Workflows answers 202 Accepted)."""
    url = os.environ.get(target.url_env)
    if not url:
        raise SendError(f"environment variable {target.url_env} is not set", retry=False)
    request("POST", url, "Teams workflow", target.timeout, json=build_card(target, message))
