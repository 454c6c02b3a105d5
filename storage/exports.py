"""Data access for exports (the record of each visitor list taken)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import Export


def add_export(session: Session, export: Export) -> Export:
    return added(session, export)


def list_exports(session: Session, meetup_id: int | None = None) -> list[Export]:
    query = select(Export)
    if meetup_id is not None:
        query = query.where(Export.meetup_id == meetup_id)
    return list(session.scalars(query.order_by(Export.exported_at, Export.id)))
