"""Rules for running a meetup: creating it with its reminders, editing, closing and reopening sign-up, cancelling, and
what the announcement card says about places. Above meetups, sign-ups and reminders, which it brings together."""
