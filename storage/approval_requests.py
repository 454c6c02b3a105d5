"""Data access for approval requests (the messages organisers decide from)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import ApprovalRequest, Registration


def add_approval_request(
    session: Session, *, registration_id: int, pending_at: datetime, channel: str, ts: str, created_at: datetime
) -> ApprovalRequest:
    request = ApprovalRequest(
        registration_id=registration_id, pending_at=pending_at, channel=channel, ts=ts, created_at=created_at
    )
    return added(session, request)


def list_approval_requests(session: Session, registration_id: int) -> list[ApprovalRequest]:
    return list(
        session.scalars(
            select(ApprovalRequest)
            .where(ApprovalRequest.registration_id == registration_id)
            .order_by(ApprovalRequest.id)
        )
    )


def list_approval_requests_for_meetup(
    session: Session, meetup_id: int, registration_id: int | None = None
) -> list[ApprovalRequest]:
    """Every approval_requests row about this meetup (about one registration,
    if given), whichever wait it was for."""
    query = (
        select(ApprovalRequest)
        .join(Registration, Registration.id == ApprovalRequest.registration_id)
        .where(Registration.meetup_id == meetup_id)
    )
    if registration_id is not None:
        query = query.where(ApprovalRequest.registration_id == registration_id)
    return list(session.scalars(query.order_by(ApprovalRequest.id)))
