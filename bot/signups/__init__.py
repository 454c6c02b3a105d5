"""Rules for sign-ups: eligibility, places and the waitlist, approvals and the visitor list."""
