"""`make bench`: how fast the bot acknowledges Slack under load, beside a bare
Bolt app served the same way. See docs/performance.md and bench/run.py.

Not a test: tests assert correctness, the benchmark measures time.
"""
