"""The talks on a meetup's agenda, typed one a line: "Title | Speaker | Organisation".

Pure functions: no Slack, no database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

MAX_TALKS = 20
MAX_PART = 200
EXAMPLE = "Open source in government | Ada Lovelace | GDS"


@dataclass(frozen=True)
class Talk:
    title: str
    speaker: str
    organisation: str


class AgendaError(ValueError):
    """Says which line is wrong and how to write it."""


def parse_agenda(text: str | None) -> list[Talk]:
    """Read the agenda field. Blank lines are skipped; any other line must have
    a title, a speaker and their organisation, separated by "|"."""
    talks: list[Talk] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise AgendaError(
                f"Line {number} needs a title, a speaker and their organisation separated by |, like: {EXAMPLE}"
            )
        if any(len(part) > MAX_PART for part in parts):
            raise AgendaError(f"Line {number} is too long: each part must be {MAX_PART} characters or fewer")
        talks.append(Talk(*parts))
    if len(talks) > MAX_TALKS:
        raise AgendaError(f"Enter {MAX_TALKS} talks or fewer")
    return talks


def agenda_to_json(talks: list[Talk] | tuple[Talk, ...]) -> str:
    return json.dumps([asdict(talk) for talk in talks]) if talks else ""


def talks_from_json(stored: list[dict]) -> list[Talk]:
    return [Talk(t.get("title", ""), t.get("speaker", ""), t.get("organisation", "")) for t in stored]


def agenda_text(talks: list[Talk]) -> str:
    """The agenda as the organiser typed it, to prefill the edit form."""
    return "\n".join(f"{t.title} | {t.speaker} | {t.organisation}" for t in talks)
