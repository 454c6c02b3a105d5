"""Rules for the discussion sessions: topics, votes and the session grid."""
