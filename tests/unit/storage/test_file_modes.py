"""The SQLite database file is readable by its owner only (issue 16, item 7)."""

import os
import stat

from bot.runtime.replay import ReplayGuard
from storage.db import Database
from storage.migrate import upgrade


def test_the_sqlite_database_file_is_created_0600_whatever_the_umask(tmp_path):
    path = tmp_path / "meetup.db"
    old = os.umask(0o022)  # the usual umask, under which SQLite would create it 0644
    try:
        database = Database(f"sqlite:///{path}")
        upgrade(database.engine)
        database.ping()
        ReplayGuard(database).is_first_delivery("v0=aaa", "1800000000")  # its file beside the database
    finally:
        os.umask(old)
    try:
        for name in ("meetup.db", "meetup.db.replay-guard"):
            for file in (name, f"{name}-wal", f"{name}-shm", f"{name}.writer-lock"):
                if (tmp_path / file).exists():
                    assert stat.S_IMODE((tmp_path / file).stat().st_mode) == 0o600, file
            assert (tmp_path / f"{name}-wal").exists()
    finally:
        database.dispose()


def test_an_existing_database_file_keeps_its_mode(tmp_path):
    """An operator who chose a mode (a group that backs it up, say) keeps it."""
    path = tmp_path / "meetup.db"
    path.touch()
    path.chmod(0o640)
    database = Database(f"sqlite:///{path}")
    database.ping()
    database.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
