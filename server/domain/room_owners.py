"""The owners of a room: the people told when someone asks to join it or shows
interest in it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.models import RoomMember, User


async def room_owners(session: AsyncSession, room_id: int) -> list[User]:
    owners = select(RoomMember.user_id).where(RoomMember.room_id == room_id, RoomMember.role == "owner")
    return list((await session.scalars(select(User).where(User.id.in_(owners)).order_by(User.id))).all())
