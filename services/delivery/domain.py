"""When a shipped parcel counts as delivered. No I/O."""

from __future__ import annotations

import datetime


def remaining_delay(shipped_at: datetime.datetime, now: datetime.datetime, delay_s: float) -> float:
    """Seconds still to wait so delivery comes `delay_s` after shipping.

    Time the event already spent queued counts as travel, so a backlog is not slowed down further.
    """
    waited = (now - shipped_at).total_seconds()
    return max(0.0, min(delay_s, delay_s - waited))
