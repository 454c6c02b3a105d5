"""Working days: Monday to Friday, less the bank holidays of the part of the
UK the meetups are in (BANK_HOLIDAYS). A building's security desk is closed
on a bank holiday, so a list due then would wait unread.

The bank holidays come from the `holidays` package, which follows the
proclamations (substitute days, and one-off days such as a state funeral).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# BANK_HOLIDAYS's values (bot/settings.py BANK_HOLIDAY_REGIONS, with "none"),
# as GOV.UK names the three sets of bank holidays, and the holidays package's
# code for each.
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


@dataclass(frozen=True)
class WorkingDays:
    region: str = "england-and-wales"  # or "none": only weekends are skipped

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _bank_holidays(self.region, day.year)

    def before(self, day: date, count: int) -> date:
        """The day `count` working days before `day`."""
        return self._move(day, count, -1)

    def after(self, day: date, count: int) -> date:
        """The day `count` working days after `day`."""
        return self._move(day, count, 1)

    def _move(self, day: date, count: int, step: int) -> date:
        while count:
            day += timedelta(days=step)
            if self.is_working_day(day):
                count -= 1
        return day


@lru_cache(maxsize=32)
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    if region not in SUBDIVISIONS:
        return frozenset()
    # Imported here: only the worker needs it, and its tables take a moment to load.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv=SUBDIVISIONS[region], years=year))
