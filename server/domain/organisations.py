"""Organisations: councils, departments and suppliers, with the email domains that
make a confirmed person a verified member. Administrators manage them."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.domain import audit
from server.domain.accounts import require_admin, text_field
from server.domain.errors import Conflict, Invalid, NotFound
from server.store.models import Organisation, OrganisationDomain, User
from server.store.transaction import Tx
from server.vocabulary import OrganisationKind

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


async def list_organisations(session: AsyncSession) -> list[Organisation]:
    return list((await session.scalars(select(Organisation).options(selectinload(Organisation.domains)).order_by(Organisation.name))).all())


def _domains(raw: list[str]) -> list[str]:
    cleaned = sorted({d.strip().lower().lstrip("@") for d in raw if d.strip()})
    for domain in cleaned:
        if not DOMAIN_RE.match(domain):
            raise Invalid(f"{domain!r} is not an email domain like camden.gov.uk", "domains")
    return cleaned


async def _claim_domains(tx: Tx, org_id: int | None, domains: list[str]) -> None:
    """Refuse domains that another organisation (not ``org_id``) already holds."""
    query = select(OrganisationDomain.domain).where(OrganisationDomain.domain.in_(domains))
    if org_id is not None:
        query = query.where(OrganisationDomain.organisation_id != org_id)
    taken = (await tx.session.scalars(query)).all()
    if taken:
        raise Conflict(f"domain {taken[0]} already belongs to another organisation", "domains")


async def _reverify(tx: Tx, org_id: int, domains: list[str]) -> None:
    """Confirmed people are verified members exactly when their domain is listed."""
    await tx.session.execute(update(User).where(User.organisation_id == org_id).values(organisation_id=None))
    for domain in domains:
        await tx.session.execute(
            update(User).where(User.email.like(f"%@{domain}"), User.email_confirmed_at.is_not(None)).values(organisation_id=org_id)
        )


async def create_organisation(tx: Tx, actor: User, name: str, domains: list[str], kind: OrganisationKind = "other") -> Organisation:
    """Administrators only. Confirmed people whose address is in one of ``domains``
    become verified members of the organisation at once."""
    require_admin(actor)
    name = text_field(name, "name", 200)
    cleaned = _domains(domains)
    if await tx.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise Conflict("an organisation with this name already exists", "name")
    await _claim_domains(tx, None, cleaned)
    org = Organisation(name=name, kind=kind, domains=[OrganisationDomain(domain=d) for d in cleaned])
    tx.session.add(org)
    await tx.session.flush()
    await _reverify(tx, org.id, cleaned)
    audit.record(tx, "organisation-created", actor=actor, organisation_id=org.id, detail=f"{name} ({kind}): {', '.join(cleaned)}")
    return org


async def update_organisation(
    tx: Tx, actor: User, org_id: int, name: str | None, domains: list[str] | None, kind: OrganisationKind | None = None
) -> Organisation:
    """Administrators rename an organisation, set its kind or replace its domains; who
    counts as a verified member follows the new domains at once."""
    require_admin(actor)
    org = await tx.session.scalar(select(Organisation).where(Organisation.id == org_id).options(selectinload(Organisation.domains)))
    if org is None:
        raise NotFound("no such organisation", "organisation_id")
    changes: list[str] = []
    if name is not None:
        name = text_field(name, "name", 200)
        if await tx.session.scalar(select(Organisation.id).where(Organisation.name == name, Organisation.id != org.id)):
            raise Conflict("an organisation with this name already exists", "name")
        if org.name != name:
            changes.append(f"name: {org.name} -> {name}")
        org.name = name
    if kind is not None:
        if org.kind != kind:
            changes.append(f"kind: {org.kind} -> {kind}")
        org.kind = kind
    if domains is not None:
        cleaned = _domains(domains)
        await _claim_domains(tx, org.id, cleaned)
        before = [d.domain for d in org.domains]
        if before != cleaned:
            changes.append(f"domains: {', '.join(before) or '(none)'} -> {', '.join(cleaned) or '(none)'}")
        org.domains = [OrganisationDomain(domain=d) for d in cleaned]
        await tx.session.flush()
        await _reverify(tx, org.id, cleaned)
    if changes:
        audit.record(tx, "organisation-changed", actor=actor, organisation_id=org.id, detail="; ".join(changes))
    return org
