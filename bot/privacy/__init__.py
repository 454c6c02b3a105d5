"""Rules for personal data: the notice, what is held, erasure and the purge."""
