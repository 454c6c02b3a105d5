"""The announcement card's refresh throttle (handlers/throttle.py): a rush
of sign-ups costs a few chat.update calls, and the last one always comes
after the last change."""

import threading
import time

from handlers.throttle import Throttle


def test_a_rush_is_folded_into_a_few_refreshes_and_the_last_follows_the_last_change():
    throttle = Throttle(0.2)
    runs: list[float] = []
    changes = 0
    seen: list[int] = []

    def work():
        runs.append(time.monotonic())
        seen.append(changes)

    started = time.monotonic()
    for _ in range(50):
        changes += 1
        throttle.run("card", work)
        time.sleep(0.01)
    last_change = time.monotonic()
    time.sleep(0.6)
    # One at once, then at most one each 0.2 s: a handful, not 50.
    assert 2 <= len(runs) <= (last_change - started) / 0.2 + 2 < 50
    assert seen[-1] == 50  # the card shows the count after the last sign-up
    assert runs[-1] >= last_change - 0.01
    gaps = [b - a for a, b in zip(runs, runs[1:], strict=False)]
    assert all(gap >= 0.19 for gap in gaps)


def test_refreshes_of_one_card_never_overlap():
    throttle = Throttle(0.05)
    running = {"a": 0, "b": 0}
    most = {"a": 0, "b": 0}
    lock = threading.Lock()

    def work_for(key):
        def work():
            with lock:
                running[key] += 1
                most[key] = max(most[key], running[key])
            time.sleep(0.1)
            with lock:
                running[key] -= 1

        return work

    threads = [threading.Thread(target=throttle.run, args=(key, work_for(key))) for key in "abab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.5)
    assert most == {"a": 1, "b": 1}
