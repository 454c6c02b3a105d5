"""WEB_CONCURRENCY's default: one server process per core, at most a few."""

import os

import pytest

from bot import settings as settings_module
from bot.settings import MOST_DEFAULT_PROCESSES, load_settings


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 2), (4, 4), (64, MOST_DEFAULT_PROCESSES)])
def test_unset_it_follows_the_cores(monkeypatch, cores, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    assert settings_module.default_web_concurrency() == expected
    assert load_settings({}, need_slack=False).web_concurrency == expected


def test_set_it_is_kept():
    assert load_settings({"WEB_CONCURRENCY": "1"}, need_slack=False).web_concurrency == 1
    assert load_settings({"WEB_CONCURRENCY": "6"}, need_slack=False).web_concurrency == 6
