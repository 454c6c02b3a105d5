"""What a server process keeps in memory: the app must not import the large
libraries that only other commands use (docs/performance.md, peak RSS)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# networkx (about 20 MB) matches introductions, in the worker only and once per
# meetup; Alembic (about 10 MB, with Mako) migrates, in a child process of `serve`.
ONLY_WHEN_USED = ("networkx", "alembic", "mako")


def test_the_app_does_not_import_what_only_other_commands_use():
    script = (
        "import sys\n"
        "import bot.runtime.app, bot.runtime.cli, bot.runtime.server, bot.runtime.web\n"
        f"print(sorted(name for name in {ONLY_WHEN_USED!r} if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
