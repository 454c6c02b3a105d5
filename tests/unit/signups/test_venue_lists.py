"""The venue list's columns, the catering counts and when the final list is due."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.common.working_days import SUBDIVISIONS, WorkingDays
from bot.settings import BANK_HOLIDAY_REGIONS, SettingsError, load_settings
from bot.signups.export import build_venue_csv, catering
from bot.signups.venue_lists import final_list_due
from storage.models import Registration

LONDON = ZoneInfo("Europe/London")


def person(name, organisation="Cabinet Office", dietary="", access="", consented=True, **fields):
    return Registration(
        id=len(name),
        full_name=name,
        email=f"{name.split()[0].lower()}@cabinetoffice.gov.uk",
        organisation=organisation,
        government_team="",
        dietary_needs=dietary,
        access_needs=access,
        needs_consent_at=datetime(2027, 1, 1, tzinfo=UTC) if consented else None,
        **fields,
    )


@pytest.mark.parametrize(
    "value",
    ["full_name,dietary_needs", "full_name, access_needs", "name", "full_name,health", ","],
)
def test_a_health_or_unknown_venue_column_stops_start_naming_the_setting(value):
    with pytest.raises(SettingsError) as error:
        load_settings({"VENUE_LIST_COLUMNS": value}, need_slack=False)
    [problem] = error.value.problems
    assert problem.startswith("VENUE_LIST_COLUMNS must be some of full_name, organisation, email, government_team")
    assert "\n" not in problem


def test_venue_list_settings_default_and_custom():
    default = load_settings({}, need_slack=False)
    assert default.venue_list_columns == ("full_name", "organisation")
    assert default.final_list_working_days == 2
    custom = load_settings(
        {"VENUE_LIST_COLUMNS": " Email , full_name ", "FINAL_LIST_WORKING_DAYS": "0"}, need_slack=False
    )
    assert custom.venue_list_columns == ("email", "full_name") and custom.final_list_working_days == 0


def test_the_venue_list_is_formula_safe_and_holds_only_its_columns():
    people = [person("=cmd|' /C calc'!A0", organisation="+Cabinet Office", dietary="Vegan"), person("Ann Lee")]
    rows = list(csv.reader(io.StringIO(build_venue_csv(people, ("full_name", "organisation")))))
    assert rows == [
        ["Full name", "Organisation"],
        ["'=cmd|' /C calc'!A0", "'+Cabinet Office"],
        ["Ann Lee", "Cabinet Office"],
    ]


def test_catering_counts_needs_alike_and_leaves_out_answers_without_consent():
    needs = catering(
        [
            person("Ann Lee", dietary="Vegetarian", access="Hearing loop"),
            person("Bob Brown", dietary="  vegetarian"),
            person("Cat Jones", dietary="Halal"),
            person("Dan Smith", dietary="Vegan", consented=False),
            person("Eve Green"),
        ]
    )
    assert needs.people == 5
    assert needs.dietary == [("Vegetarian", 2), ("Halal", 1)]
    assert needs.access == [("Hearing loop", 1)]


@pytest.mark.parametrize(
    ("meetup_day", "days", "due"),
    [
        (date(2027, 2, 24), 2, date(2027, 2, 22)),  # Wednesday: Monday
        (date(2027, 2, 22), 2, date(2027, 2, 18)),  # Monday: the Thursday before, over the weekend
        (date(2027, 2, 23), 1, date(2027, 2, 22)),
        (date(2027, 2, 27), 1, date(2027, 2, 26)),  # a Saturday meetup: Friday
        (date(2027, 2, 22), 5, date(2027, 2, 15)),
    ],
)
def test_working_days_skip_weekends(meetup_day, days, due):
    assert WorkingDays("none").before(meetup_day, days) == due
    assert WorkingDays().before(meetup_day, days) == due  # no bank holidays in those weeks


@pytest.mark.parametrize(
    ("region", "meetup_day", "due"),
    [
        # Christmas Day on a Friday, Boxing Day's substitute on Monday 28 December
        ("england-and-wales", date(2026, 12, 29), date(2026, 12, 23)),
        ("none", date(2026, 12, 29), date(2026, 12, 25)),
        # 2 January is a bank holiday in Scotland only; in 2027 its substitute is Monday 4 January
        ("england-and-wales", date(2027, 1, 6), date(2027, 1, 4)),
        ("scotland", date(2027, 1, 6), date(2026, 12, 31)),
        # Easter Monday is not a bank holiday in Scotland
        ("england-and-wales", date(2027, 3, 31), date(2027, 3, 25)),
        ("scotland", date(2027, 3, 31), date(2027, 3, 29)),
        # St Patrick's Day, Wednesday 17 March, in Northern Ireland only
        ("northern-ireland", date(2027, 3, 18), date(2027, 3, 15)),
        ("england-and-wales", date(2027, 3, 18), date(2027, 3, 16)),
    ],
)
def test_working_days_skip_the_regions_bank_holidays(region, meetup_day, due):
    assert WorkingDays(region).before(meetup_day, 2) == due


def test_working_days_after_skip_bank_holidays_too():
    assert WorkingDays().after(date(2026, 12, 23), 2) == date(2026, 12, 29)
    assert WorkingDays("none").after(date(2026, 12, 23), 2) == date(2026, 12, 25)


def test_every_bank_holidays_setting_has_its_holidays():
    assert set(SUBDIVISIONS) | {"none"} == set(BANK_HOLIDAY_REGIONS)
    assert load_settings({}, need_slack=False).bank_holidays == "england-and-wales"
    assert load_settings({"BANK_HOLIDAYS": " Scotland "}, need_slack=False).bank_holidays == "scotland"
    with pytest.raises(SettingsError) as error:
        load_settings({"BANK_HOLIDAYS": "wales"}, need_slack=False)
    assert error.value.problems == [
        "BANK_HOLIDAYS must be england-and-wales, scotland or northern-ireland (where the meetups are), "
        "or none. It is 'wales'."
    ]


def test_the_final_list_is_due_at_9am_local_time():
    starts = datetime(2027, 6, 16, 12, 0, tzinfo=UTC)  # Wednesday, 1pm in London (summer time)
    assert final_list_due(starts, 2, LONDON, WorkingDays()) == datetime(2027, 6, 14, 8, 0, tzinfo=UTC)
