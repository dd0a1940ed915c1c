"""Text bound for a terminal: control characters shown escaped, never interpreted.

A title in a rule or data file can hold ``ESC [ 2 J`` (clear the screen) or an OSC 8
hyperlink that disguises a link; printed raw, the terminal obeys it. Every dynamic
text the CLI prints goes through :func:`safe`.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: object) -> str:
    """``text`` with every control character but tab and newline as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
