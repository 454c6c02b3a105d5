"""Reading Block Kit as a person would: its text and its buttons."""

from __future__ import annotations


def block_texts(blocks) -> str:
    """Every piece of text in some blocks (and a Home tab or modal), as a person would read it."""
    parts = []
    for block in blocks or []:
        for key in ("text", "label", "hint"):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        if isinstance(block.get("accessory"), dict) and isinstance(block["accessory"].get("text"), dict):
            parts.append(block["accessory"]["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def buttons(blocks) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of every button."""
    found = []
    for block in blocks or []:
        elements = list(block.get("elements", []))
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        found += [
            (e["text"]["text"], e["action_id"], e.get("value", "")) for e in elements if e.get("type") == "button"
        ]
    return found
