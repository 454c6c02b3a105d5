"""Helpers, factories and fakes the tests share: nothing in here is collected as a test."""
