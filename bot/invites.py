"""One-time invite codes that bind a Telegram account to a duty role.

Staff hand a building head a link instead of typing Telegram ids into a roster; the first account
to open it gets the role, and a code never works twice or after a week.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.models import Invite, Person, Role
from bot.store import Store

INVITE_LIFETIME = timedelta(days=7)
INVITABLE_ROLES = (
    Role.BUILDING_HEAD, Role.UNIT_HEAD, Role.GRID_HEAD, Role.GRID_WORKER,
    Role.PROPERTY_MANAGER, Role.COMMUNITY_STAFF,
)
# The places a staff member clicks through to say what an invited role is responsible for.
SCOPE_PATHS = {
    "unit": ("compound", "building", "unit"),
    "building": ("compound", "building"),
    "compound": ("compound",),
    "grid": ("grid",),
    "community": ("community",),
}


class InviteError(Exception):
    """Why an invite cannot be created or redeemed, in words for the user."""


async def create_invite(store: Store, clock: Clock, staff: Person, role: Role, scope_id: int) -> Invite:
    """A new code for ``role`` over the place ``scope_id`` (of the role's scope kind)."""
    if not staff.is_staff:
        raise InviteError("只有社区工作人员可以生成邀请码。")
    if role not in INVITABLE_ROLES:
        raise InviteError("这个角色不能通过邀请码授予。")
    if await store.place(role.scope_kind, scope_id) is None:
        raise InviteError("找不到这个地点，请重新选择。")
    own = {g.scope_id for g in staff.grants if g.role is Role.COMMUNITY_STAFF}
    if Role.ADMIN not in staff.roles and await store.community_of(role.scope_kind, scope_id) not in own:
        raise InviteError("只能为本社区邀请人员。")
    code = secrets.token_urlsafe(12)
    now = clock.now()
    await store.create_invite(
        code=code, role=role, scope_kind=role.scope_kind, scope_id=scope_id,
        created_by=staff.id, created_at=now, expires_at=now + INVITE_LIFETIME,
    )
    return await store.invite(code)


@dataclass(frozen=True)
class Redeemed:
    person: Person
    invite: Invite


async def redeem_invite(store: Store, clock: Clock, code: str, telegram_id: int, name: str) -> Redeemed:
    """Give the invite's role to this account, exactly once per code."""
    invite = await store.invite(code)
    now = clock.now()
    if invite is None:
        raise InviteError("邀请码无效，请向社区工作人员确认。")
    if invite.redeemed_by is not None:
        raise InviteError("这个邀请码已经被使用过了。如需帮助请联系社区工作人员。")
    if invite.expires_at <= now:
        raise InviteError("这个邀请码已过期（有效期 7 天），请向社区工作人员重新索取。")
    person = await store.person_by_telegram(telegram_id)
    building_id = None
    if invite.scope_kind == "unit":
        building_id = (await store.place("unit", invite.scope_id)).parent_id
    async with store.transaction() as db:
        person_id = person.id if person else await store.create_person(
            db, telegram_id=telegram_id, name=name, at=now
        )
        if not await store.claim_invite(db, code, person_id, now):
            raise InviteError("这个邀请码刚刚被使用或已过期。")
        await store.grant_role(db, person_id, invite.role, invite.scope_kind, invite.scope_id)
        if building_id is not None and (person is None or person.building_id is None):
            await store.set_address(db, person_id, building_id, invite.scope_id)
    return Redeemed(await store.person(person_id), invite)
