"""Block Kit builders, one module per feature (signup, organising, announcement,
approvals, home, listing, stats, topics, schedule, reminders) and `common` for
the pieces they share. Pure functions: nothing here calls Slack or the database.
"""
