"""Rules for reminders: when each is due and what is queued for it."""
