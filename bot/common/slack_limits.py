"""Slack's limits on messages and views, in one place, and fitting text into them.

Slack refuses a whole message or view when one field is too long
(`invalid_blocks`, `invalid_arguments`): the person sees nothing. Everything the
bot posts, opens or acknowledges passes through `fit_message`, `fit_view` or
`fit_ack` on its way out (bot/runtime/fitting.py), so one long name cannot stop
an organiser's list. Builders that show lists use `shorten` and `lines_within`
to say plainly how many more there are, rather than relying on this last check.

Lengths are counted after escaping: `&` sent as `&amp;` is 5 characters to Slack.

The numbers, from Slack's Block Kit reference (docs.slack.dev/reference/block-kit):
- blocks: 50 a message, 100 a modal or Home tab ("Blocks" reference);
- section: text 3,000 characters, each of at most 10 fields 2,000
  (blocks/section-block);
- header: text 150 (blocks/header-block);
- context: at most 10 elements; a text object holds 3,000
  (blocks/context-block, composition-objects/text-object);
- button text 75 (block-elements/button-element); option text 75
  (composition-objects/option-object);
- modal title, submit and close 24 (reference/views/view-object; Slack's
  error for a longer title is "must be less than 25 characters");
- message `text` 40,000 (reference/methods/chat.postMessage: longer is cut).
Slack also refuses a message whose blocks hold about 13,000 characters in all
(`msg_blocks_too_long`, slackapi/bolt-js#2509, not documented): long lists keep
within MESSAGE_TEXT_BUDGET.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

log = logging.getLogger(__name__)

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELD = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_TEXT = 3000
CONTEXT_ELEMENTS = 10
BUTTON_TEXT = 75
OPTION_TEXT = 75
VIEW_TITLE = 24
VIEW_BUTTON = 24  # a modal's submit and close
MESSAGE_TEXT = 40000
INPUT_LABEL = 2000
PLACEHOLDER = 150
# All the text of one message's blocks: below the undocumented ~13,000.
MESSAGE_TEXT_BUDGET = 12000

ELLIPSIS = "…"

# Slack's escapes and control sequences: cutting inside one shows
# `&am` or a broken mention, so a cut never lands there.
_ESCAPE_LONGEST = len("&amp;")


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, or its start and an ellipsis,
    cut where no escape (`&amp;`) or `<@U123>` sequence is split."""
    if len(text) <= limit:
        return text
    cut = max(limit - len(ELLIPSIS), 0)
    amp = text.rfind("&", max(cut - _ESCAPE_LONGEST + 1, 0), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    opening = text.rfind("<", 0, cut)
    if opening != -1 and ">" not in text[opening:cut]:
        cut = opening
    return text[:cut].rstrip() + ELLIPSIS


def lines_within(lines: list[str], limit: int, more: str) -> str:
    """As many of `lines` as fit in `limit` characters, then `more` with the
    number left out ("and {n} more"): never a silently shorter list."""
    if not lines:
        return ""
    if len("\n".join(lines)) <= limit:
        return "\n".join(lines)
    kept: list[str] = []
    used = 0
    for line in lines:
        # Room for this line, and for the closing line saying what is missing.
        tail = more.format(n=len(lines) - len(kept) - 1)
        if used + len(line) + 1 + len(tail) > limit:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept + [more.format(n=len(lines) - len(kept))])


def _text(obj: Any, limit: int, fix: bool) -> bool:
    """Whether the object's text is over `limit`; with `fix`, shortened to fit."""
    if not (isinstance(obj, dict) and isinstance(obj.get("text"), str) and len(obj["text"]) > limit):
        return False
    if fix:
        obj["text"] = shorten(obj["text"], limit)
    return True


def _element(element: Any, fix: bool) -> bool:
    if not isinstance(element, dict):
        return False
    over = element.get("type") == "button" and _text(element.get("text"), BUTTON_TEXT, fix)
    over = _text(element.get("placeholder"), PLACEHOLDER, fix) or over
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    for option in options:
        over = _text(option.get("text") if isinstance(option, dict) else None, OPTION_TEXT, fix) or over
    return over


def _block(block: Any, fix: bool) -> bool:
    """Whether any text in the block is over its limit; with `fix`, each is shortened."""
    if not isinstance(block, dict):
        return False
    kind = block.get("type")
    over = False
    if kind == "section":
        over = _text(block.get("text"), SECTION_TEXT, fix)
        for field in block.get("fields") or []:
            over = _text(field, SECTION_FIELD, fix) or over
        over = _element(block.get("accessory"), fix) or over
    elif kind == "header":
        over = _text(block.get("text"), HEADER_TEXT, fix)
    elif kind == "context":
        for element in block.get("elements") or []:
            over = _text(element, CONTEXT_TEXT, fix) or over
    elif kind == "actions":
        for element in block.get("elements") or []:
            over = _element(element, fix) or over
    elif kind == "input":
        over = _text(block.get("label"), INPUT_LABEL, fix)
        over = _text(block.get("hint"), INPUT_LABEL, fix) or over
        over = _element(block.get("element"), fix) or over
    return over


def _fit_blocks(blocks: Any, most: int) -> Any:
    if not isinstance(blocks, list):
        return blocks
    # Most messages fit as built: checked without copying them, as copying a
    # modal's blocks cost more CPU than the rest of opening it (docs/performance.md).
    if len(blocks) <= most and not any(_block(block, fix=False) for block in blocks):
        return blocks
    blocks = copy.deepcopy(blocks)
    if len(blocks) > most:
        log.warning("slack_limits: %d blocks cut to %d", len(blocks), most)
        hidden = len(blocks) - most + 1
        blocks = blocks[: most - 1] + [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{hidden} more parts are not shown."}]}
        ]
    for block in blocks:
        _block(block, fix=True)
    return blocks


def fit_message(payload: dict) -> dict:
    """A message's arguments (chat.postMessage, chat.update, respond, ack)
    with every text within Slack's limits."""
    fitted = dict(payload)
    if isinstance(fitted.get("text"), str):
        fitted["text"] = shorten(fitted["text"], MESSAGE_TEXT)
    if "blocks" in fitted:
        fitted["blocks"] = _fit_blocks(fitted["blocks"], MESSAGE_BLOCKS)
    check(problems_in_message(fitted))
    return fitted


def fit_view(view: Any) -> Any:
    """A modal or Home tab with every text within Slack's limits."""
    if not isinstance(view, dict):
        return view
    fitted = dict(view)
    for key, limit in (("title", VIEW_TITLE), ("submit", VIEW_BUTTON), ("close", VIEW_BUTTON)):
        if isinstance(fitted.get(key), dict):
            fitted[key] = dict(fitted[key])
            _text(fitted[key], limit, fix=True)
    fitted["blocks"] = _fit_blocks(fitted.get("blocks"), VIEW_BLOCKS)
    check(problems_in_view(fitted))
    return fitted


def _too_long(obj: Any, limit: int, where: str) -> list[str]:
    text = obj.get("text") if isinstance(obj, dict) else None
    return [f"{where} is {len(text)} characters, over {limit}"] if isinstance(text, str) and len(text) > limit else []


def _problems_in_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    found: list[str] = []
    if kind == "section":
        fields = block.get("fields") or []
        found += _too_long(block.get("text"), SECTION_TEXT, f"{where}/text")
        if len(fields) > SECTION_FIELDS:
            found.append(f"{where}/fields has {len(fields)}, over {SECTION_FIELDS}")
        for i, field in enumerate(fields):
            found += _too_long(field, SECTION_FIELD, f"{where}/fields/{i}")
    elif kind == "header":
        found += _too_long(block.get("text"), HEADER_TEXT, f"{where}/text")
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            found.append(f"{where}/elements has {len(elements)}, over {CONTEXT_ELEMENTS}")
        for i, element in enumerate(elements):
            found += _too_long(element, CONTEXT_TEXT, f"{where}/elements/{i}")
    return found


def _problems_in_blocks(blocks: Any, most: int, where: str) -> list[str]:
    if not isinstance(blocks, list):
        return []
    found = [f"{where} has {len(blocks)} blocks, over {most}"] if len(blocks) > most else []
    for i, block in enumerate(blocks):
        found += _problems_in_block(block, f"{where}/{i}")
    return found


def problems_in_message(payload: dict) -> list[str]:
    """What in a message Slack would refuse; empty when it fits."""
    found = _problems_in_blocks(payload.get("blocks"), MESSAGE_BLOCKS, "/blocks")
    text = payload.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        found.append(f"/text is {len(text)} characters, over {MESSAGE_TEXT}")
    return found


def problems_in_view(view: Any) -> list[str]:
    """What in a modal or Home tab Slack would refuse; empty when it fits."""
    if not isinstance(view, dict):
        return []
    found = _problems_in_blocks(view.get("blocks"), VIEW_BLOCKS, "/view/blocks")
    found += _too_long(view.get("title"), VIEW_TITLE, "/view/title")
    for key in ("submit", "close"):
        found += _too_long(view.get(key), VIEW_BUTTON, f"/view/{key}")
    return found


def check(problems: list[str]) -> None:
    """Fitting should leave nothing for Slack to refuse: anything left is a bug
    in a builder. It is logged at ERROR (tests/conftest.py fails any test that
    logs it) and sent anyway, as Slack's answer says no more than this does."""
    if problems:
        log.error("slack_limits_broken: Slack will refuse this: %s", "; ".join(problems[:5]))
