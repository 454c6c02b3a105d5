"""Who a meetup is for: the sectors a "government" meetup always admits, and those the organiser may add.

Eligibility (bot/signups/eligibility.py) applies them to a person."""

# Always admitted by a "government" meetup.
CORE_GOVERNMENT = frozenset({"central_government", "arms_length_body", "devolved"})
# Admitted by a "government" meetup only when the organiser ticks them.
OPTIONAL_SECTORS = {
    "nhs": "NHS",
    "police": "police",
    "local_authority": "local authorities",
    "armed_forces": "armed forces",
}
