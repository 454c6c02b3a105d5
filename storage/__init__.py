"""Storage: SQLAlchemy models, data access functions and migrations.

Nothing here imports bot/ or handlers/: data flows one way.
"""
