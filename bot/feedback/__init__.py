"""Feedback after a meetup: asking the people who came, their anonymous answers, and the organisers' summary."""
