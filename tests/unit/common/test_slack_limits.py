"""Slack's limits: shortening at a safe point, counted after escaping, and
lists that say how many more there are."""

from __future__ import annotations

from bot.common.formatting import escape
from bot.common.slack_limits import (
    ELLIPSIS,
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    VIEW_BLOCKS,
    fit_message,
    fit_view,
    lines_within,
    problems_in_message,
    problems_in_view,
    shorten,
)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_text_of_exactly_the_limit_after_escaping_is_kept_whole():
    text = escape("&" * 600)  # 3,000 characters once escaped
    assert len(text) == SECTION_TEXT
    assert shorten(text, SECTION_TEXT) == text


def test_one_character_over_is_shortened_with_an_ellipsis():
    text = "a" * (SECTION_TEXT + 1)
    fitted = shorten(text, SECTION_TEXT)
    assert len(fitted) == SECTION_TEXT
    assert fitted.endswith(ELLIPSIS)


def test_a_cut_never_splits_an_escape():
    # The cut point falls inside each of the 5 characters of "&amp;".
    for offset in range(5):
        text = "x" * (100 - offset) + escape("&" * 10)
        fitted = shorten(text, 100)
        assert len(fitted) <= 100
        body = fitted.removesuffix(ELLIPSIS)
        assert body.endswith(("x", "&amp;")), body[-8:]
        assert body.count("&") == body.count("&amp;")


def test_a_cut_never_splits_a_mention():
    text = "x" * 95 + "<@U0123456789>"
    fitted = shorten(text, 100)
    assert "<@" not in fitted
    assert fitted == "x" * 95 + ELLIPSIS


def test_lines_within_says_how_many_more():
    lines = [f"• person {i}" for i in range(500)]
    text = lines_within(lines, 3000, "and {n} more: `/meetup export` has everyone")
    assert len(text) <= 3000
    shown = text.count("• person")
    assert text.endswith(f"and {500 - shown} more: `/meetup export` has everyone")


def test_lines_within_keeps_a_short_list_whole():
    assert lines_within(["a", "b"], 3000, "and {n} more") == "a\nb"


def test_a_message_is_fitted_to_slacks_limits():
    blocks = [section(escape("&" * 700))] + [section("x")] * 60
    fitted = fit_message({"text": "t" * 50000, "blocks": blocks})
    assert problems_in_message(fitted) == []
    assert len(fitted["blocks"]) == MESSAGE_BLOCKS
    assert "more parts are not shown" in fitted["blocks"][-1]["elements"][0]["text"]
    assert len(blocks[0]["text"]["text"]) == 3500  # the caller's blocks are left as they were


def test_a_view_is_fitted_to_slacks_limits():
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "A title far longer than twenty-four"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 200}},
            {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 80}}]},
        ]
        + [section("x")] * 120,
    }
    fitted = fit_view(view)
    assert problems_in_view(fitted) == []
    assert len(fitted["blocks"]) == VIEW_BLOCKS
    assert len(fitted["title"]["text"]) == 24
    assert len(fitted["blocks"][0]["text"]["text"]) == 150
    assert len(fitted["blocks"][1]["elements"][0]["text"]["text"]) == 75


def test_each_kind_of_text_over_its_limit_is_shortened_and_the_callers_blocks_are_kept():
    button = {"type": "button", "text": {"type": "plain_text", "text": "b" * 80}}
    select = {
        "type": "static_select",
        "placeholder": {"type": "plain_text", "text": "p" * 200},
        "options": [{"text": {"type": "plain_text", "text": "o" * 100}, "value": "1"}],
    }
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}, "accessory": button},
        {"type": "input", "label": {"type": "plain_text", "text": "l" * 3000}, "element": select},
    ]
    fitted = fit_message({"text": "t", "blocks": blocks})
    assert len(fitted["blocks"][0]["accessory"]["text"]["text"]) == 75
    assert len(fitted["blocks"][1]["label"]["text"]) == 2000
    assert len(fitted["blocks"][1]["element"]["placeholder"]["text"]) == 150
    assert len(fitted["blocks"][1]["element"]["options"][0]["text"]["text"]) == 75
    assert len(button["text"]["text"]) == 80  # the caller's blocks are left as they were
    assert len(select["options"][0]["text"]["text"]) == 100


def test_blocks_that_fit_are_sent_as_built_without_a_copy():
    blocks = [section("x")] * 10
    assert fit_message({"text": "t", "blocks": blocks})["blocks"] is blocks
