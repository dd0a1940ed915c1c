"""Inhibition: while a higher stage is active, lower-stage news is held back.

In a crisis (stage 3 active) a desk does not want a page because a stage-1 macro rule
started firing or stage 1 became active: the higher stage already says more. So,
when ``[notify] inhibit`` is on (the default), a notice about a rule of a lower stage
than the overall stage starting to fire, or about a lower stage becoming active, is
held back, shown in the report with the reason, and remembered. When the higher
stage drops back, every held notice that is still true is sent once with the
stage-change message (Alertmanager does the same when an inhibiting alert resolves);
one that stopped being true meanwhile is dropped, since it would announce something
that is already over. The overall stage change itself is never inhibited: it is the
highest active stage by definition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEY = "inhibit"
DEFAULT = True


def read_setting(notify: dict[str, Any], error: Callable[[str], None]) -> bool:
    """``[notify] inhibit = true|false``; ``error`` reports a wrong type at its line."""
    value = notify.get(KEY, DEFAULT)
    if not isinstance(value, bool):
        error(f"expected true or false (got {value!r})")
        return DEFAULT
    return value


def inhibited_by(item_stage: int, top_stage: int, enabled: bool) -> int | None:
    """The active stage that holds back a notice about ``item_stage`` (None: send it)."""
    if enabled and item_stage < top_stage:
        return top_stage
    return None
