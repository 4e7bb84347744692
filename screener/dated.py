"""When a measured value counts for a comparison: a recency window ("within the last 3
months", ``--max-lab-age``) and a window anchored on an event ("within 10 days after
admission").  A value outside is unknown for the comparison, with what to collect.
"""

from __future__ import annotations

import datetime as dt

from .evaluate import NOT_MET, UNKNOWN, Leaf
from .facts import Facts, made
from .patient import Measurement
from .rules import Comparison, Window
from .wording import DAYS_PER, duration_text, event_label, is_lab


class EventWindow:
    """A comparison's window anchored on an event ("within 10 days after admission"): its
    length and words prepared once, so that a patient costs two date additions."""

    __slots__ = ("event", "start", "end", "no_event", "undated", "dated")

    def __init__(self, window: Window, label: str) -> None:
        self.event = window.event
        self.start = dt.timedelta(days=window.start.value * DAYS_PER[window.start.unit] if window.start else 0.0)
        self.end = dt.timedelta(days=window.end.value * DAYS_PER[window.end.unit])
        event = event_label(window.event)
        span = f"{duration_text(window.end.value, window.end.unit)} after {event}"
        wanted = f"{label} measured within {span}"
        self.no_event = (f"no date of {event} in the profile to place {label} in its window", f"date of {event}")
        self.undated = (f"{label} has no date and the profile's date is outside the window ({span}): it does not count",
                        wanted)
        self.dated = (f"{label} dated ", f" is outside the window ({span}): it does not count", wanted)

    def dates(self, f: Facts) -> tuple[dt.date, dt.date] | None:
        """First and last day of the window, when the event's date is known."""
        event = f.events.get(self.event)
        return None if event is None else (event + self.start, event + self.end)

    def outside(self, measurement: Measurement, f: Facts, dates: tuple[dt.date, dt.date] | None) -> tuple[str, str] | None:
        """(reason, what to collect) when the value cannot count for the window, whose first
        and last days are ``dates``."""
        if dates is None:
            return self.no_event
        if measurement.date is None:  # an undated value is taken as of the profile's date
            return None if dates[0] <= f.as_of <= dates[1] else self.undated
        if dates[0] <= measurement.date <= dates[1]:
            return None
        head, tail, wanted = self.dated
        return head + measurement.date.isoformat() + tail, wanted


def open_window(f: Facts, status: str, sink: list[Leaf] | None, dates: tuple[dt.date, dt.date] | None) -> str:
    """A threshold not yet reached while the window (``dates``) is still open may still be reached: unknown."""
    if status != NOT_MET or dates is None or f.as_of >= dates[1]:
        return status
    if sink is not None:
        leaf = sink[-1] = made(sink[-1])  # worded now: its words change (a result of its own, never shared)
        leaf.status = UNKNOWN
        leaf.explanation += f"; the window is open until {dates[1].isoformat()}, so it may still be reached (unknown)"
    return UNKNOWN


def stale(node: Comparison, measurement: Measurement, label: str, f: Facts) -> tuple[str, str] | None:
    """(reason, what to collect) when the value is older than the criterion's recency window
    or the configured maximum age of lab values, or undated where a window applies."""
    if node.within is None and f.max_lab_age_days is None:
        return None
    windows = []
    if node.within is not None:
        windows.append((node.within.value * DAYS_PER[node.within.unit], duration_text(node.within.value, node.within.unit)))
    if f.max_lab_age_days is not None and is_lab(node.variable):
        windows.append((f.max_lab_age_days, duration_text(f.max_lab_age_days, "day")))
    if not windows:
        return None
    days, words = min(windows)
    wanted = f"{label} measured within the last {words}"
    if measurement.date is None:
        return f"{label} has no date; the value must be from the last {words}", wanted
    age = (f.as_of - measurement.date).days
    if age > days:
        return f"{label} dated {measurement.date.isoformat()} is {age} days old; the value must be from the last {words}", wanted
    return None

__all__ = ["EventWindow", "open_window", "stale"]
