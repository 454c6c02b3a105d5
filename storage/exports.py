"""Data access for exports (the record of each visitor list taken)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import Delivery, Export, Meetup


def add_export(session: Session, export: Export) -> Export:
    return added(session, export)


def list_exports(session: Session, meetup_id: int | None = None) -> list[Export]:
    query = select(Export)
    if meetup_id is not None:
        query = query.where(Export.meetup_id == meetup_id)
    return list(session.scalars(query.order_by(Export.exported_at, Export.id)))


def record_file(session: Session, export_id: int, *, channel: str, file_id: str) -> None:
    session.execute(update(Export).where(Export.id == export_id).values(channel=channel, file_id=file_id))


def list_files_of_purged_meetups(session: Session) -> list[Export]:
    """Exported files still in Slack although their meetup's personal data is gone."""
    purged = select(Meetup.id).where(Meetup.purged_at.is_not(None))
    return list(session.scalars(select(Export).where(Export.file_id.is_not(None), Export.meetup_id.in_(purged))))


def forget_file(session: Session, export_id: int) -> None:
    session.execute(update(Export).where(Export.id == export_id).values(file_id=None))


def keep_delivery_files(session: Session, meetup_id: int, kinds: tuple[str, ...], *, via: str, now) -> int:
    """Record the files the outbox uploaded for this meetup (the final and
    change lists) as exports, before its deliveries are deleted, so the purge
    deletes them from Slack as it does exported lists."""
    query = select(Delivery).where(
        Delivery.meetup_id == meetup_id, Delivery.kind.in_(kinds), Delivery.file_id.is_not(None)
    )
    files = [
        Export(meetup_id=meetup_id, via=via, row_count=0, exported_at=now, channel=d.channel, file_id=d.file_id)
        for d in session.scalars(query)
    ]
    session.add_all(files)
    return len(files)
