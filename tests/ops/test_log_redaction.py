"""Secrets never reach the daemon's log, even when a library logs them.

httpx logs every request URL at INFO, and a Slack-style webhook URL is itself a
secret; the handler-level filter must scrub it whoever writes the line.
"""

from __future__ import annotations

import io
import logging

import httpx

from monitor.ops.scheduler import RedactSecrets, setup_logging

TOKEN = "T000/B000/SECRETHOOKTOKEN123"


def test_library_log_lines_are_redacted(httpserver):
    httpserver.expect_request(f"/services/{TOKEN}").respond_with_data("ok")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN]))
    logger = logging.getLogger("httpx")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        httpx.post(httpserver.url_for(f"/services/{TOKEN}"), json={"text": "hi"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    text = stream.getvalue()
    assert "HTTP Request: POST" in text
    assert "SECRETHOOKTOKEN123" not in text and "***" in text


def test_setup_logging_quietens_request_loggers():
    setup_logging()
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
