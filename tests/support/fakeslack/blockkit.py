"""A small Block Kit checker: the limits Slack enforces that apps trip over most.

Slack answers a message or view that breaks these with `invalid_blocks` (messages) or
`invalid_arguments` (views), naming the field with a JSON pointer, e.g.
"[ERROR] must be less than 25 characters [json-pointer:/view/title/text]". The real API
checks much more; this catches the common mistakes (a modal title over 24 characters,
duplicate block_ids, an input block in a modal without a submit button, empty text) so
an end-to-end test fails the way production would. Limits are from the Block Kit
reference on docs.slack.dev.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

# element type -> (max options, max option text length, max option value length)
_OPTION_LIMITS = {
    "static_select": (100, 75, 150),
    "multi_static_select": (100, 75, 150),
    "radio_buttons": (10, None, 150),
    "checkboxes": (10, None, 150),
    "overflow": (5, 75, 150),
}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, pointer: str, message: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def text(self, obj: Any, pointer: str, *, max_len: int, plain_only: bool = False, required: bool = True) -> None:
        """A composition text object: {"type": "plain_text"|"mrkdwn", "text": "..."}."""
        if obj is None:
            if required:
                self.error(pointer, "must provide an object")
            return
        if not isinstance(obj, dict):
            self.error(pointer, "must provide an object")
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn") or (plain_only and kind != "plain_text"):
            allowed = "plain_text" if plain_only else "plain_text, mrkdwn"
            self.error(f"{pointer}/type", f"must be one of the provided values ({allowed})")
        text = obj.get("text")
        if not isinstance(text, str) or len(text) == 0:
            self.error(f"{pointer}/text", "must be more than 0 characters")
        elif len(text) > max_len:
            self.error(f"{pointer}/text", f"must be less than {max_len + 1} characters")

    def max_len(self, value: Any, pointer: str, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.error(pointer, f"must be less than {limit + 1} characters")

    def element(self, el: Any, pointer: str, action_ids: set[str]) -> None:
        if not isinstance(el, dict) or "type" not in el:
            self.error(pointer, "must provide an object with a type")
            return
        kind = el["type"]
        action_id = el.get("action_id")
        if isinstance(action_id, str):
            self.max_len(action_id, f"{pointer}/action_id", 255)
            # Slack: action_id must be unique among the elements of its block.
            if action_id in action_ids:
                self.error(f"{pointer}/action_id", "action_id already exists")
            action_ids.add(action_id)
        if kind == "button":
            self.text(el.get("text"), f"{pointer}/text", max_len=75, plain_only=True)
            self.max_len(el.get("value"), f"{pointer}/value", 2000)
            self.max_len(el.get("url"), f"{pointer}/url", 3000)
        elif kind == "plain_text_input":
            for key in ("min_length", "max_length"):
                if isinstance(el.get(key), int) and el[key] > 3000:
                    self.error(f"{pointer}/{key}", "must be less than 3001")
        if kind in _OPTION_LIMITS:
            max_options, text_len, value_len = _OPTION_LIMITS[kind]
            options = el.get("options")
            if options is None and kind.endswith("static_select") and "option_groups" in el:
                options = [o for group in el["option_groups"] for o in group.get("options", [])]
            if isinstance(options, list):
                if len(options) > max_options:
                    self.error(f"{pointer}/options", f"must provide no more than {max_options} items")
                for i, option in enumerate(options):
                    if not isinstance(option, dict):
                        self.error(f"{pointer}/options/{i}", "must provide an object")
                        continue
                    plain_only = kind in ("static_select", "multi_static_select", "overflow")
                    self.text(
                        option.get("text"),
                        f"{pointer}/options/{i}/text",
                        max_len=text_len or 3000,
                        plain_only=plain_only,
                    )
                    self.max_len(option.get("value"), f"{pointer}/options/{i}/value", value_len)

    def blocks(self, blocks: Any, pointer: str, max_blocks: int) -> None:
        if not isinstance(blocks, list):
            self.error(pointer, "must provide an array")
            return
        if len(blocks) > max_blocks:
            self.error(pointer, f"must provide no more than {max_blocks} items")
        block_ids: set[str] = set()
        for i, block in enumerate(blocks):
            bp = f"{pointer}/{i}"
            if not isinstance(block, dict) or "type" not in block:
                self.error(bp, "must provide an object with a type")
                continue
            block_id = block.get("block_id")
            if isinstance(block_id, str):
                self.max_len(block_id, f"{bp}/block_id", 255)
                # Duplicate block_ids are rejected outright, a classic when blocks are
                # built in a loop with a fixed id.
                if block_id in block_ids:
                    self.error(f"{bp}/block_id", "block_id already exists")
                block_ids.add(block_id)
            self.block(block, bp)

    def block(self, block: dict, bp: str) -> None:
        kind = block["type"]
        action_ids: set[str] = set()
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.error(bp, "must provide either text or fields")
            if "text" in block:
                self.text(block["text"], f"{bp}/text", max_len=3000)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    self.error(f"{bp}/fields", "must provide no more than 10 items")
                else:
                    for j, field in enumerate(fields):
                        self.text(field, f"{bp}/fields/{j}", max_len=2000)
            if "accessory" in block:
                self.element(block["accessory"], f"{bp}/accessory", action_ids)
        elif kind == "header":
            self.text(block.get("text"), f"{bp}/text", max_len=150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > 10:
                self.error(f"{bp}/elements", "must provide between 1 and 10 items")
            else:
                for j, el in enumerate(elements):
                    if isinstance(el, dict) and el.get("type") in ("plain_text", "mrkdwn"):
                        self.text(el, f"{bp}/elements/{j}", max_len=3000)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > 25:
                self.error(f"{bp}/elements", "must provide between 1 and 25 items")
            else:
                for j, el in enumerate(elements):
                    self.element(el, f"{bp}/elements/{j}", action_ids)
        elif kind == "input":
            self.text(block.get("label"), f"{bp}/label", max_len=2000, plain_only=True)
            if "hint" in block:
                self.text(block["hint"], f"{bp}/hint", max_len=2000, plain_only=True)
            if "element" not in block:
                self.error(f"{bp}/element", "must provide an object")
            else:
                self.element(block["element"], f"{bp}/element", action_ids)


def check_message_blocks(blocks: Any) -> list[str]:
    """Errors for a message's `blocks` (chat.postMessage, chat.update, ...)."""
    checker = _Checker()
    checker.blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    return checker.errors


def check_view(view: Any, *, expect_type: str | None = None) -> list[str]:
    """Errors for a modal or Home tab view (views.open/push/update/publish)."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.error("/view", "must provide an object")
        return checker.errors
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.error("/view/type", "must be one of the provided values (modal, home)")
    elif expect_type and kind != expect_type:
        checker.error("/view/type", f"must be {expect_type}")
    checker.blocks(view.get("blocks"), "/view/blocks", MAX_VIEW_BLOCKS)
    checker.max_len(view.get("private_metadata"), "/view/private_metadata", 3000)
    checker.max_len(view.get("callback_id"), "/view/callback_id", 255)
    checker.max_len(view.get("external_id"), "/view/external_id", 255)
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", max_len=24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(view[key], f"/view/{key}", max_len=24, plain_only=True)
        blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and "submit" not in view:
            checker.error("/view/submit", "must provide submit when an input block is present")
    return checker.errors
