"""Request shapes for organisations (administrators only; the domain checks that)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from server.contract.fields import DomainName, OrganisationName
from server.vocabulary import OrganisationKind

Domains = Annotated[list[DomainName], Meta(max_length=50, description="email domains whose confirmed addresses are verified members")]


class NewOrganisation(Struct, kw_only=True):
    name: OrganisationName
    domains: Domains | None = None
    kind: OrganisationKind = "other"


class OrganisationChanges(Struct, kw_only=True):
    """Absent (or null) fields stay as they are; ``domains`` replaces the whole list."""

    name: OrganisationName | None = None
    domains: Domains | None = None
    kind: OrganisationKind | None = None
