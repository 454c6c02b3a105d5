"""Data access for imported domain lists (storage.models.DomainList)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.models import DomainList


def get_domain_list_version(session: Session) -> str | None:
    """The version of the list in use, without reading the list itself."""
    return session.scalars(select(DomainList.version).order_by(DomainList.id.desc()).limit(1)).first()


def get_domain_list(session: Session) -> DomainList | None:
    return session.scalars(select(DomainList).order_by(DomainList.id.desc()).limit(1)).first()


def replace_domain_list(session: Session, domain_list: DomainList) -> None:
    session.execute(delete(DomainList))
    session.add(domain_list)


def delete_domain_lists(session: Session) -> int:
    return rowcount(session.execute(delete(DomainList)))
