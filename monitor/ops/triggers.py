"""When a schedule fires: APScheduler triggers built from the config, and their maths.

Apart from the scheduler so the config can validate a cron line without starting one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

if TYPE_CHECKING:
    from monitor.ops.config import Schedule


def build_trigger(schedule: Schedule, timezone: str) -> BaseTrigger:
    """A cron trigger (day names, explicit zone, optional seconds) or an interval one."""
    tz = ZoneInfo(timezone)
    if schedule.interval_seconds is not None:
        return IntervalTrigger(seconds=schedule.interval_seconds, timezone=tz)
    assert schedule.cron is not None
    minute, hour, day, month, day_of_week = schedule.cron.split()
    return CronTrigger(
        second=schedule.second or "0",
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=day_of_week,
        timezone=tz,
    )


def next_fire_times(trigger: BaseTrigger, now: datetime, count: int = 3) -> list[datetime]:
    """The next ``count`` fire times after ``now`` (pure trigger maths, no scheduler)."""
    times: list[datetime] = []
    previous: datetime | None = None
    moment = now
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        times.append(fire)
        previous, moment = fire, fire + timedelta(microseconds=1)
    return times
