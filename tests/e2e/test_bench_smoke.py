"""The benchmark still works: its own functions at a trivial scale (a few
dozen requests). It asserts that the harness runs and that the burst's
capacity is exact, never how fast anything was: timings belong in
`make bench`, not in tests."""

import pytest

from bench.run import Options, run_bench


@pytest.mark.slow
def test_the_benchmark_runs_at_a_tiny_scale():
    outcome = run_bench(
        Options(
            scale=0.005,
            databases=["sqlite"],
            slack_latency=0,
            in_process_load=True,
            quiet=True,
            quiet_period=0.2,
            scenarios=["commands_open", "submissions_closed", "burst", "votes", "reminders"],
        )
    )
    results = outcome.results

    opened = results["commands_open"]
    assert opened["sqlite"]["count"] == opened["floor"]["count"] == 10
    assert opened["sqlite"]["failed"] == opened["floor"]["failed"] == 0
    assert results["submissions_closed"]["sqlite"]["count"] > 0
    burst = results["burst"]["sqlite"]
    assert (burst["confirmed"], burst["waitlisted"], burst["waitlist_in_order"]) == (2, 18, True)
    # A scenario that could not run has no figures here, and fails the test.
    assert results["votes"]["sqlite"]["tallies_exact"]
    assert results["reminders"]["sqlite"]["lost"] == 0
    assert results["memory"]["sqlite"]["peak_rss"] > 0
    assert outcome.violations == []

    header, rule, *rows = outcome.table.splitlines()
    assert header == "| scenario | figure | SQLite | fair floor (SQLite) | ack-only floor | target |"
    assert any(row.startswith("| burst: 20 submissions for 2 places") for row in rows)


def test_the_door_benchmark_runs_at_a_tiny_scale():
    from bench.door import run, table

    results = run(people=12, searches=3, databases=["sqlite"])
    assert results["sqlite"]["count"] == 3
    header, rule, *rows = table(results, people=12).splitlines()
    assert header == "| scenario | figure | SQLite | target |"
    assert [row.split(" | ")[1] for row in rows] == ["p50 of 3", "p99 of 3"]


@pytest.mark.postgres
def test_the_lock_hold_benchmark_runs_at_a_tiny_scale(pg_cluster):
    # It times the sign-up's locked section from where sign_up takes the
    # lock: a change there must not leave it timing nothing. (pg_cluster:
    # skipped, or failed in CI, as every test needing PostgreSQL is.)
    from bench.lockhold import measure

    figures = measure(3, warm_up=2)
    assert figures["hold_ms_median"] > 0
    assert figures["cpu_ms_median"] > 0
