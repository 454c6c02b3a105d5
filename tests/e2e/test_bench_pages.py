"""The public pages' benchmark still works at a trivial scale: the burst
runs alone and with page views beside it, and every view is answered. It
asserts nothing about speed: timings belong in `make bench`."""

import pytest

from bench.pages import PageViews
from bench.run import Options, run_bench


@pytest.mark.slow
def test_the_burst_with_page_views_runs_at_a_tiny_scale():
    tiny = {"scale": 0.005, "slack_latency": 0, "quiet_period": 0.2, "in_process_load": True, "quiet": True}
    outcome = run_bench(Options(databases=["sqlite"], scenarios=["burst_with_pages"], **tiny))
    figures = outcome.results["burst_with_pages"]["sqlite"]
    assert figures["confirmed_both"] is True
    assert figures["pages_per_s"] > 0
    assert figures["pages_failed"] == 0
    assert outcome.results["burst_with_pages"]["floor"] == {}
    assert any(row.startswith("| burst with the public pages") for row in outcome.table.splitlines())


def test_page_views_go_to_loopback_only():
    with pytest.raises(ValueError):
        PageViews("http://example.com:3000", ["/"])
