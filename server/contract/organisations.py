"""Request shapes for organisations (administrators only; the domain checks that)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from server.contract.fields import DomainName, OrganisationName
from server.contract.requests import Changes, Request
from server.vocabulary import OrganisationKind

Domains = Annotated[list[DomainName], Meta(max_length=50, description="email domains whose confirmed addresses are verified members")]


class NewOrganisation(Request, kw_only=True):
    name: OrganisationName
    domains: Domains | None = None
    kind: OrganisationKind = "other"


class OrganisationChanges(Changes, kw_only=True):
    """Absent (or null) fields stay as they are; ``domains`` replaces the whole list."""

    name: OrganisationName | None = None
    domains: Domains | None = None
    kind: OrganisationKind | None = None
