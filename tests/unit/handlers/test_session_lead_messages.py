"""The words for someone whose topic has a session but who has no place at
the meetup (handlers/blocks/schedule.py), for the cases the end-to-end
tests do not reach."""

from bot.topics.leads import LeadPlace, Standing
from handlers.blocks.schedule import no_place_words

CONTACT = "the meetup organisers"


def test_a_lead_turned_down_or_too_late_to_sign_up_is_told_to_hand_the_session_on():
    declined = no_place_words(LeadPlace(Standing.DECLINED), lead=True, contact=CONTACT)
    assert declined == (
        "You do not have a place at the meetup: an organiser could not offer you one. "
        "Tell the meetup organisers, so they can find someone else to lead it."
    )
    closed = no_place_words(LeadPlace(Standing.NOT_SIGNED_UP), lead=True, contact=CONTACT)
    assert closed == (
        "You do not have a place at the meetup because you are not signed up, and sign-up has closed. "
        "Tell the meetup organisers, so they can find someone else to lead it."
    )
    assert "/meetup signup" not in declined + closed


def test_a_proposer_who_is_not_leading_is_asked_to_find_someone_with_a_place():
    words = no_place_words(LeadPlace(Standing.WAITLISTED), lead=False, contact="<#C1> & co")
    assert words == (
        "You do not have a place at the meetup yet: you are on the waitlist. "
        "We will send you a message if a place becomes free. "
        "Nobody has said they will lead it yet: find someone with a place who will, or ask &lt;#C1&gt; &amp; co to."
    )
