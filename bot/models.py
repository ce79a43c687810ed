"""Plain records shared by the core, the store and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Who someone is in the community, from the household up to the street office."""

    RESIDENT = "resident"
    UNIT_HEAD = "unit_head"
    BUILDING_HEAD = "building_head"
    GRID_HEAD = "grid_head"
    GRID_WORKER = "grid_worker"
    PROPERTY_MANAGER = "property_manager"
    PARTNER = "partner"
    COMMUNITY_STAFF = "community_staff"
    ADMIN = "admin"

    @property
    def title(self) -> str:
        return ROLE_TITLES[self]

    @property
    def scope_kind(self) -> str:
        """The kind of place a role is responsible for."""
        return ROLE_SCOPES[self]

    @classmethod
    def parse(cls, text: str) -> "Role":
        """Accept the English name or any Chinese title staff write in their spreadsheets."""
        key = text.strip().lower()
        for role in cls:
            if key == role.value or key in ROLE_ALIASES[role]:
                return role
        raise ValueError(f"未知角色“{text}”")


ROLE_TITLES = {
    Role.RESIDENT: "居民",
    Role.UNIT_HEAD: "单元长",
    Role.BUILDING_HEAD: "楼栋长",
    Role.GRID_HEAD: "网格长",
    Role.GRID_WORKER: "网格员",
    Role.PROPERTY_MANAGER: "物业管家",
    Role.PARTNER: "共建单位",
    Role.COMMUNITY_STAFF: "社区工作人员",
    Role.ADMIN: "管理员",
}
ROLE_ALIASES = {
    Role.RESIDENT: {"居民", "住户", "业主"},
    Role.UNIT_HEAD: {"单元长"},
    Role.BUILDING_HEAD: {"楼栋长", "楼长", "栋长"},
    Role.GRID_HEAD: {"网格长"},
    Role.GRID_WORKER: {"网格员"},
    Role.PROPERTY_MANAGER: {"物业管家", "物业", "物业经理"},
    Role.PARTNER: {"共建单位", "合作单位", "服务商"},
    Role.COMMUNITY_STAFF: {"社区工作人员", "社区干部", "工作人员", "社工"},
    Role.ADMIN: {"管理员"},
}
ROLE_SCOPES = {
    Role.RESIDENT: "unit",
    Role.UNIT_HEAD: "unit",
    Role.BUILDING_HEAD: "building",
    Role.GRID_HEAD: "grid",
    Role.GRID_WORKER: "grid",
    Role.PROPERTY_MANAGER: "compound",
    Role.PARTNER: "community",
    Role.COMMUNITY_STAFF: "community",
    Role.ADMIN: "all",
}
STAFF_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.ADMIN})
HEAD_ROLES = frozenset({Role.UNIT_HEAD, Role.BUILDING_HEAD, Role.GRID_HEAD, Role.GRID_WORKER,
                        Role.PROPERTY_MANAGER, Role.PARTNER})


@dataclass(frozen=True, slots=True)
class RoleGrant:
    role: Role
    scope_kind: str
    scope_id: int | None
    scope_name: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    telegram_id: int | None
    name: str
    phone: str | None = None
    hide_name: bool = False
    building_id: int | None = None
    unit_id: int | None = None
    address: str = ""
    grants: tuple[RoleGrant, ...] = field(default=())

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.grants)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_registered(self) -> bool:
        """A resident without an address is not yet registered; anyone with a duty role is."""
        return self.building_id is not None or bool(self.roles - {Role.RESIDENT})

    @property
    def display(self) -> str:
        return f"{self.name}（{self.address}）" if self.address else self.name


@dataclass(frozen=True, slots=True)
class Place:
    """A grid, compound, building or unit as a chooser shows it."""

    id: int
    kind: str
    name: str
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    role: Role
    scope_kind: str
    scope_id: int | None
    scope_name: str
    created_by: int
    expires_at: datetime
    redeemed_by: int | None


class Status(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return STATUS_TITLES[self]


STATUS_TITLES = {
    Status.OPEN: "待接单",
    Status.ACCEPTED: "处理中",
    Status.RESOLVED: "已解决，待评价",
    Status.REOPENED: "重新处理",
    Status.CLOSED: "已办结",
    Status.CANCELLED: "已撤销",
}
ACTIVE_STATUSES = (Status.OPEN, Status.ACCEPTED, Status.REOPENED)
LEVEL_TITLES = ("楼栋长", "网格长", "社区工作人员", "街道办")
RATING_TITLES = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    reporter_id: int
    building_id: int | None
    unit_id: int | None
    text: str
    label: str
    subcategory: str | None
    urgent: bool
    anonymous: bool
    status: Status
    level: int
    assignee_id: int | None
    accept_due: datetime | None
    resolve_due: datetime | None
    rate_due: datetime | None
    rating: str | None
    resolution: str | None
    supporters: int
    created_at: datetime
    latitude: float | None = None
    longitude: float | None = None
    accept_reminded: bool = False
    resolve_reminded: bool = False
    service_id: str | None = None  # set on service orders (居民点单): which service was ordered
    preferred_time: str | None = None
    appointment_at: datetime | None = None
    appointment_place: str | None = None
    appointment_reminded: bool = False
    resolved_by: int | None = None

    @property
    def is_order(self) -> bool:
        return self.service_id is not None

    @property
    def number(self) -> str:
        return f"#{self.id}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class TicketEvent:
    at: datetime
    type: str
    actor_id: int | None
    detail: dict
