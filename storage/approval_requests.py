"""Data access for approval requests (the messages organisers decide from)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import ApprovalRequest


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
