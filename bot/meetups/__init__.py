"""Rules for meetups: creating, editing and finding them, the agenda, the calendar file, subscribers, the Home
tab's view and the series statistics."""
