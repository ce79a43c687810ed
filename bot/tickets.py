"""Tickets: 提、议、定、办、评 — raised by a resident, handled up the chain, rated by the resident.

Every change is one transaction that also records an event (the audit trail: nothing is deleted)
and queues the notifications it causes, so a crash can lose neither the change nor the news of it.
Deadlines live on the ticket row; :meth:`TicketDesk.run_due` escalates and reminds from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot.clock import Clock
from bot.models import LEVEL_TITLES, Person, Role, Status, Ticket, TicketEvent
from bot.normalize import normalize
from bot.sla import APPOINTMENT_REMINDER, Deadlines
from bot.stations import Catalogue, ServiceType
from bot.store import Store

TICKET_LABELS = ("property", "grid", "service")
STREET_LEVEL = 3
SIMILAR_DAYS = 7
SIMILAR_SCORE = 70
RATINGS = ("satisfied", "basic", "dissatisfied")
FORWARD_TARGETS = {"grid": Role.GRID_HEAD, "property": Role.PROPERTY_MANAGER, "staff": Role.COMMUNITY_STAFF,
                   "partner": Role.PARTNER}
STAFF_LEVEL = 2
# A booked service may be weeks away: the handler has until the day after it to mark it done.
AFTER_APPOINTMENT = timedelta(days=1)


def _comparable(text: str) -> str:
    """Chinese has no spaces to split words on: compare normalised characters, punctuation dropped."""
    return normalize(text).compact.replace("|", "")


def forward_targets(ticket: Ticket) -> tuple[str, ...]:
    """Where a ticket may be handed on: an order to its partner or the staff, a problem up the chain."""
    return ("partner", "staff") if ticket.is_order else ("grid", "property", "staff")


class TicketError(Exception):
    """An action that is not allowed or no longer applies; the message is for the user."""


@dataclass(frozen=True)
class Route:
    """Who a ticket goes to at a level (None at the street office, which is recorded, not messaged)."""

    level: int
    assignee_id: int | None


class TicketDesk:
    """All ticket actions, for residents and for the people who handle them."""

    def __init__(self, store: Store, clock: Clock, deadlines: Deadlines, catalogue: Catalogue) -> None:
        self.store = store
        self.clock = clock
        self.deadlines = deadlines
        self.catalogue = catalogue

    # -- who handles what --------------------------------------------------------------------

    async def _people(self, role: Role, kind: str, scope_id: int | None) -> list[Person]:
        return await self.store.people_with_role(role, kind, scope_id) if scope_id is not None else []

    async def route(self, building_id: int | None, level: int, scopes: dict[str, int] | None = None) -> Route:
        """The first level at or above ``level`` that has somebody; a missing head is skipped."""
        if scopes is None:
            scopes = await self.store.building_scopes(building_id) if building_id else {}
        chain = [
            [(Role.BUILDING_HEAD, "building", building_id)],
            [(Role.GRID_HEAD, "grid", scopes.get("grid")), (Role.GRID_WORKER, "grid", scopes.get("grid"))],
            [(Role.COMMUNITY_STAFF, "community", scopes.get("community"))],
        ]
        for current in range(level, len(chain)):
            for role, kind, scope_id in chain[current]:
                people = await self._people(role, kind, scope_id)
                if people:
                    return Route(current, people[0].id)
        return Route(STREET_LEVEL, None)

    async def informed(self, ticket_label: str, building_id: int | None, urgent: bool,
                       scopes: dict[str, int]) -> list[int]:
        """Who hears about a new ticket besides its assignee."""
        wanted: list[tuple[Role, str, int | None]] = []
        if ticket_label == "property":
            wanted.append((Role.PROPERTY_MANAGER, "compound", scopes.get("compound")))
        if ticket_label == "grid" or urgent:
            wanted.append((Role.GRID_HEAD, "grid", scopes.get("grid")))
        if ticket_label == "service" or urgent:
            wanted.append((Role.COMMUNITY_STAFF, "community", scopes.get("community")))
        if urgent:
            wanted.append((Role.BUILDING_HEAD, "building", building_id))
        ids: list[int] = []
        for role, kind, scope_id in wanted:
            ids.extend(person.id for person in await self._people(role, kind, scope_id) if person.id not in ids)
        return ids

    async def partner_for(self, service: ServiceType | None, community_id: int | None) -> Person | None:
        """The partner unit's contact for this service in this community (共建单位接单), if registered."""
        if service is None or service.partner is None:
            return None
        people = await self._people(Role.PARTNER, "community", community_id)
        return next((person for person in people if person.name == service.partner), None)

    async def order_partner(self, ticket: Ticket) -> Person | None:
        """The partner who may take this service order (None for other tickets)."""
        if not ticket.is_order:
            return None
        scopes = await self.store.building_scopes(ticket.building_id) if ticket.building_id else {}
        return await self.partner_for(self.catalogue.service(ticket.service_id), scopes.get("community"))

    async def missing_partners(self) -> list[str]:
        """Services whose partner (named in stations.toml) is no 共建单位 in any community's roster:
        their orders go to the staff alone, which start-up logs so a typo in a name is noticed."""
        names = set()
        for community in await self.store.list_communities():
            names |= {person.name for person in await self._people(Role.PARTNER, "community", community.id)}
        return [f"{service.id}（{service.partner}）" for service in self.catalogue.services
                if service.partner and service.partner not in names]

    async def tasks(self, person: Person) -> list[Ticket]:
        """What waits for this person: tickets assigned to them, and for a partner the open orders of
        its service that it may take (派给共建单位 or not yet taken by anyone)."""
        mine = await self.store.tickets_assigned_to(person.id)
        if Role.PARTNER in person.roles:
            services = [s.id for s in self.catalogue.services if s.partner == person.name]
            seen = {ticket.id for ticket in mine}
            mine += [t for t in await self.store.active_orders(services)
                     if t.id not in seen and await self.may_handle(person, t)]
        return mine

    async def actor_level(self, actor: Person, ticket: Ticket) -> int | None:
        """How high in this ticket's chain ``actor`` stands (None: not in it at all)."""
        scopes = await self.store.building_scopes(ticket.building_id) if ticket.building_id else {}
        levels = []
        for grant in actor.grants:
            if grant.role is Role.ADMIN:
                levels.append(STREET_LEVEL)
            elif grant.role is Role.COMMUNITY_STAFF and grant.scope_id == scopes.get("community"):
                levels.append(2)
            elif grant.role in (Role.GRID_HEAD, Role.GRID_WORKER) and grant.scope_id == scopes.get("grid"):
                levels.append(1)
            elif grant.role is Role.BUILDING_HEAD and grant.scope_id == ticket.building_id:
                levels.append(0)
            elif (grant.role is Role.PROPERTY_MANAGER and grant.scope_id == scopes.get("compound")
                  and ticket.label == "property"):
                levels.append(0)
            elif (grant.role is Role.PARTNER and ticket.is_order and grant.scope_id == scopes.get("community")
                  and self.catalogue.service(ticket.service_id).partner == actor.name):
                levels.append(STAFF_LEVEL)  # the partner of the ordered service handles it like staff
        return max(levels, default=None)

    async def may_handle(self, actor: Person, ticket: Ticket) -> bool:
        """The current assignee, and anyone at or above the ticket's level in its chain."""
        if actor.id == ticket.assignee_id:
            return True
        level = await self.actor_level(actor, ticket)
        return level is not None and level >= min(ticket.level, 2)

    async def _handled(self, actor: Person, ticket_id: int) -> Ticket:
        ticket = await self.store.ticket(ticket_id)
        if ticket is None or not await self.may_handle(actor, ticket):
            raise TicketError("您不是这张工单的负责人，不能操作。")
        return ticket

    async def _reported(self, reporter: Person, ticket_id: int) -> Ticket:
        ticket = await self.store.ticket(ticket_id)
        if ticket is None or ticket.reporter_id != reporter.id:
            raise TicketError("这不是您反映的工单。")
        return ticket

    # -- opening -----------------------------------------------------------------------------

    async def open_ticket(self, reporter: Person, text: str, label: str, subcategory: str | None, urgent: bool,
                          inbox_id: int | None = None, photo: str | None = None,
                          anonymous: bool | None = None, service_id: str | None = None) -> Ticket:
        """Create a ticket for the reporter's building and send it to its building head.

        A request for a service that is not an emergency is a service order (居民点单): it goes to the
        community staff, who dispatch it (社区派单), and the service's partner unit, who may take it
        (共建单位接单). An urgent one (an old man fallen at home) stays a ticket, so it reaches
        the building head and everyone else at once.
        """
        if label not in TICKET_LABELS:
            raise TicketError("这类消息不需要建工单。")
        now = self.clock.now()
        scopes = await self.store.building_scopes(reporter.building_id) if reporter.building_id else {}
        service = None
        if label == "service" and not urgent:
            service = self.catalogue.service(service_id) or self.catalogue.service_for(subcategory)
        route = await self.route(reporter.building_id, STAFF_LEVEL if service else 0, scopes)
        informed = [pid for pid in await self.informed(label, reporter.building_id, urgent, scopes)
                    if pid != route.assignee_id]
        partner = await self.partner_for(service, scopes.get("community"))
        anonymous = await self.store.anonymous_reports(reporter.id) if anonymous is None else anonymous
        accept_due = self.deadlines.accept_by(now, urgent) if route.assignee_id else None
        resolve_due = self.deadlines.resolve_by(now, label, urgent) if route.assignee_id else None
        async with self.store.transaction() as db:
            if inbox_id is not None and not await self.store.claim_inbox(db, inbox_id, "ticket"):
                raise TicketError("这条消息已经处理过了，发送 /my 查看您的工单。")
            ticket_id = await self.store.insert_ticket(
                db, reporter_id=reporter.id, building_id=reporter.building_id, unit_id=reporter.unit_id,
                inbox_id=inbox_id, text=text, label=label, subcategory=subcategory, urgent=int(urgent),
                anonymous=int(anonymous), status=Status.OPEN.value, level=route.level,
                assignee_id=route.assignee_id, accept_due=accept_due, resolve_due=resolve_due,
                created_at=now, updated_at=now, service_id=service.id if service else None,
            )
            await self.store.add_event(db, ticket_id, now, "opened", reporter.id, label=label,
                                       subcategory=subcategory, urgent=urgent, anonymous=anonymous,
                                       **({"service": service.id} if service else {}))
            await self.store.add_event(db, ticket_id, now, "assigned", None, level=route.level,
                                       assignee=route.assignee_id)
            if photo:
                await self.store.add_photo(db, ticket_id, photo, now)
            if route.assignee_id:
                await self.store.queue_notification(db, route.assignee_id, "card", ticket_id, now)
            for person_id in informed:
                await self.store.queue_notification(db, person_id, "info", ticket_id, now)
            if partner and partner.id != route.assignee_id:
                await self.store.queue_notification(db, partner.id, "card", ticket_id, now, event="ordered")
            await self._reschedule(db, ticket_id)
        return await self.store.ticket(ticket_id)

    async def find_similar(self, reporter: Person, text: str, subcategory: str | None) -> Ticket | None:
        """An open ticket in the same building that looks like the same problem (offered, never merged)."""
        if reporter.building_id is None or subcategory is None:
            return None
        since = self.clock.now() - timedelta(days=SIMILAR_DAYS)
        candidates = await self.store.similar_open_tickets(reporter.building_id, subcategory, since, reporter.id)
        mine = _comparable(text)
        scored = [(fuzz.partial_ratio(mine, _comparable(ticket.text)), ticket) for ticket in candidates]
        best = max(scored, key=lambda pair: pair[0], default=(0, None))
        return best[1] if best[0] >= SIMILAR_SCORE else None

    async def join(self, person: Person, ticket_id: int, inbox_id: int | None = None) -> Ticket:
        """联名: the person supports an open ticket, hears all its news, and raises its priority."""
        ticket = await self.store.ticket(ticket_id)
        if ticket is None or not ticket.active or ticket.building_id != person.building_id:
            raise TicketError("这张工单已经办结或不在您的楼栋。")
        now = self.clock.now()
        async with self.store.transaction() as db:
            if inbox_id is not None and not await self.store.claim_inbox(db, inbox_id, f"joined {ticket_id}"):
                raise TicketError("这条消息已经处理过了。")
            if ticket.reporter_id != person.id and await self.store.add_supporter(db, ticket_id, person.id, now):
                await self.store.add_event(db, ticket_id, now, "supported", person.id)
                if ticket.assignee_id:
                    await self.store.queue_notification(db, ticket.assignee_id, "supported", ticket_id, now)
        return await self.store.ticket(ticket_id)

    # -- handling ----------------------------------------------------------------------------

    async def accept(self, actor: Person, ticket_id: int) -> Ticket:
        ticket = await self._handled(actor, ticket_id)
        if ticket.status not in (Status.OPEN, Status.REOPENED):
            raise TicketError(f"工单 {ticket.number} 当前状态是“{ticket.status.title}”，不能接单。")
        return await self._change(ticket, actor, "accepted", status=Status.ACCEPTED, assignee_id=actor.id,
                                  accept_due=None, accept_reminded=0, previous_assignee=ticket.assignee_id)

    async def resolve(self, actor: Person, ticket_id: int, note: str) -> Ticket:
        ticket = await self._handled(actor, ticket_id)
        if not ticket.active:
            raise TicketError(f"工单 {ticket.number} 当前状态是“{ticket.status.title}”，不能标记解决。")
        now = self.clock.now()
        return await self._change(ticket, actor, "resolved", note=note[:500], status=Status.RESOLVED,
                                  resolution=note[:500], resolved_by=actor.id, accept_due=None,
                                  resolve_due=None, rate_due=self.deadlines.rate_by(now), rating=None,
                                  notify_reporter="rate")

    async def forward(self, actor: Person, ticket_id: int, target: str) -> Ticket:
        """Hand the ticket to the grid head, the property manager or the community staff."""
        ticket = await self._handled(actor, ticket_id)
        if not ticket.active or target not in forward_targets(ticket):
            raise TicketError("这张工单现在不能转交。")
        role = FORWARD_TARGETS[target]
        scopes = await self.store.building_scopes(ticket.building_id) if ticket.building_id else {}
        kind = role.scope_kind
        if role is Role.PARTNER:
            partner = await self.order_partner(ticket)
            people = [partner] if partner else []
        else:
            people = await self._people(role, kind, ticket.building_id if kind == "building" else scopes.get(kind))
        if not people:
            raise TicketError(f"还没有登记负责这件事的{role.title}，无法转交。")
        target_person = people[0]
        level = {Role.GRID_HEAD: 1, Role.COMMUNITY_STAFF: STAFF_LEVEL, Role.PARTNER: STAFF_LEVEL}.get(role, ticket.level)
        now = self.clock.now()
        return await self._change(
            ticket, actor, "forwarded", to=target_person.id, role=role.value,
            status=Status.OPEN if ticket.status is Status.ACCEPTED else ticket.status,
            assignee_id=target_person.id, level=max(level, ticket.level),
            accept_due=self.deadlines.accept_by(now, ticket.urgent), accept_reminded=0,
            notify_assignee="card",
        )

    async def schedule(self, actor: Person, ticket_id: int, at: datetime, place: str) -> Ticket:
        """安排: a service order gets its time and place, which the resident is told; it counts as accepted.

        The other side hears of it too (the partner when staff book, the staff when the partner does), so
        nobody turns up to an appointment they were not told of. The same booking twice changes nothing.
        """
        ticket = await self._handled(actor, ticket_id)
        if not ticket.is_order or not ticket.active:
            raise TicketError(f"工单 {ticket.number} 现在不能安排时间。")
        if at <= self.clock.now():
            raise TicketError("安排的时间已经过去了，请选一个以后的时间。")
        if ticket.appointment_at == at and ticket.appointment_place == place[:100]:
            return ticket
        partner = await self.order_partner(ticket)
        others = tuple(p for p in (partner.id if partner else None, ticket.assignee_id) if p and p != actor.id)
        return await self._change(
            ticket, actor, "scheduled", status=Status.ACCEPTED, notify_also=others,
            assignee_id=actor.id, accept_due=None, appointment_at=at, appointment_place=place[:100],
            appointment_reminded=0, resolve_due=at + AFTER_APPOINTMENT, resolve_reminded=0,
        )

    async def ask(self, actor: Person, ticket_id: int, question: str) -> Ticket:
        """需要补充: a question to the reporter, whose next message is attached as the answer."""
        ticket = await self._handled(actor, ticket_id)
        if not ticket.active:
            raise TicketError(f"工单 {ticket.number} 已经是“{ticket.status.title}”，不需要再补充。")
        now = self.clock.now()
        async with self.store.transaction() as db:
            await self.store.add_event(db, ticket.id, now, "asked", actor.id, question=question[:500])
            await self.store.queue_notification(db, ticket.reporter_id, "question", ticket.id, now,
                                                question=question[:500], asker=actor.id)
            await self.store.set_pending_input(db, ticket.reporter_id, "answer", ticket.id, now)
        return ticket

    async def add_from_reporter(self, reporter: Person, ticket_id: int, text: str, kind: str,
                                inbox_id: int | None = None) -> Ticket:
        """An answer to a head's question, a follow-up, a dissatisfaction reason or the time a service
        order is wanted ("preferred"): attached and passed on."""
        ticket = await self.store.ticket(ticket_id)
        if ticket is None or (ticket.reporter_id != reporter.id and reporter.id not in
                              await self.store.supporter_ids(ticket_id)):
            raise TicketError("这不是您反映的工单。")
        if not ticket.active and kind in ("followed_up", "preferred"):
            raise TicketError(f"工单 {ticket.number} 已经是“{ticket.status.title}”，请作为新问题反映。")
        now = self.clock.now()
        async with self.store.transaction() as db:
            if inbox_id is not None and not await self.store.claim_inbox(db, inbox_id, f"{kind} {ticket_id}"):
                raise TicketError("这条消息已经处理过了。")
            await self.store.add_event(db, ticket.id, now, kind, reporter.id, text=text[:1000])
            if kind == "preferred":
                await self.store.update_ticket(db, ticket.id, preferred_time=text[:100], updated_at=now)
            if ticket.assignee_id:
                await self.store.queue_notification(db, ticket.assignee_id, kind, ticket.id, now, text=text[:1000])
            await self.store.clear_pending_input(db, reporter.id)
        return ticket

    async def attach(self, reporter: Person, ticket_id: int, photo: str | None = None,
                     location: tuple[float, float] | None = None) -> Ticket:
        """A photo or location for the reporter's ticket; the assignee hears of it."""
        ticket = await self._reported(reporter, ticket_id)
        now = self.clock.now()
        async with self.store.transaction() as db:
            if photo:
                await self.store.add_photo(db, ticket.id, photo, now)
                await self.store.add_event(db, ticket.id, now, "photo_added", reporter.id)
            if location:
                await self.store.update_ticket(db, ticket.id, latitude=location[0], longitude=location[1])
                await self.store.add_event(db, ticket.id, now, "location_added", reporter.id,
                                           latitude=location[0], longitude=location[1])
            if ticket.assignee_id:
                await self.store.queue_notification(db, ticket.assignee_id, "followed_up", ticket.id, now,
                                                    text="（补充了照片）" if photo else "（补充了位置）")
        return await self.store.ticket(ticket.id)

    async def cancel(self, reporter: Person, ticket_id: int) -> Ticket:
        ticket = await self._reported(reporter, ticket_id)
        if not ticket.active:
            raise TicketError(f"工单 {ticket.number} 已经是“{ticket.status.title}”，不能撤销。")
        return await self._change(ticket, reporter, "cancelled", status=Status.CANCELLED, accept_due=None,
                                  resolve_due=None, notify_assignee="status")

    async def rate(self, reporter: Person, ticket_id: int, rating: str) -> Ticket:
        """满意 / 基本满意 close the ticket; 不满意 reopens it one level up and asks why."""
        ticket = await self._reported(reporter, ticket_id)
        if ticket.status is not Status.RESOLVED or rating not in RATINGS:
            raise TicketError(f"工单 {ticket.number} 现在不需要评价。")
        if rating != "dissatisfied":
            return await self._change(ticket, reporter, "rated", rating=rating, status=Status.CLOSED, rate_due=None,
                                      notify_assignee="status")
        now = self.clock.now()
        resolver = await self.store.person(ticket.resolved_by) if ticket.resolved_by else None
        by_partner = ticket.is_order and resolver is not None and Role.PARTNER in resolver.roles
        # A partner's work goes back to the community staff who dispatched it; others go one level up,
        # and at the top the last handler keeps it, with fresh deadlines, while the street office is told.
        route = await self.route(ticket.building_id, STAFF_LEVEL if by_partner else min(ticket.level + 1, STREET_LEVEL))
        assignee = route.assignee_id or ticket.assignee_id
        return await self._change(
            ticket, reporter, "reopened", rating="dissatisfied", status=Status.REOPENED, rate_due=None,
            level=route.level, assignee_id=assignee,
            accept_due=self.deadlines.accept_by(now, ticket.urgent) if assignee else None,
            resolve_due=self.deadlines.resolve_by(now, ticket.label, ticket.urgent) if assignee else None,
            accept_reminded=0, resolve_reminded=0, notify_assignee="card", ask_reason=True,
            previous_assignee=ticket.assignee_id,
        )

    async def view(self, viewer: Person, ticket_id: int) -> tuple[Ticket, list[TicketEvent]]:
        """The timeline, for the reporter, supporters and the chain; staff seeing a hidden name is recorded."""
        ticket = await self.store.ticket(ticket_id)
        if ticket is None:
            raise TicketError("没有这张工单。")
        mine = viewer.id == ticket.reporter_id or viewer.id in await self.store.supporter_ids(ticket_id)
        level = await self.actor_level(viewer, ticket)
        if not mine and level is None and viewer.id != ticket.assignee_id:
            raise TicketError("您无权查看这张工单。")
        if ticket.anonymous and not mine and viewer.is_staff:
            await self.record_identity_view(viewer, ticket)
        return ticket, await self.store.ticket_events(ticket_id)

    async def record_identity_view(self, viewer: Person, ticket: Ticket) -> None:
        """Staff may see an anonymous reporter's name; that they did goes on the timeline."""
        async with self.store.transaction() as db:
            await self.store.add_event(db, ticket.id, self.clock.now(), "identity_viewed", viewer.id)

    # -- the common path of every change ------------------------------------------------------

    async def _change(self, ticket: Ticket, actor: Person | None, event: str, *, notify_reporter: str = "status",
                      notify_assignee: str | None = None, ask_reason: bool = False,
                      previous_assignee: int | None = None, note: str | None = None, to: int | None = None,
                      role: str | None = None, notify_also: tuple[int, ...] = (), **fields: object) -> Ticket:
        """Apply ``fields``, record ``event`` and queue the news, all in one transaction.

        The ticket is re-read inside the transaction: if its status changed since the caller looked
        (a double tap, two heads at once), nothing is applied.
        """
        now = self.clock.now()
        fields = {key: (value.value if isinstance(value, Status) else value) for key, value in fields.items()}
        detail = {key: value for key, value in (("note", note), ("to", to), ("role", role)) if value is not None}
        for key in ("level", "status", "rating", "appointment_at", "appointment_place"):
            if key in fields:
                detail[key] = fields[key].isoformat() if isinstance(fields[key], datetime) else fields[key]
        async with self.store.transaction() as db:
            current = await self.store.ticket(ticket.id)
            if current.status is not ticket.status or current.assignee_id != ticket.assignee_id:
                raise TicketError(f"工单 {ticket.number} 刚刚有了变化，请刷新后再操作。")
            await self.store.update_ticket(db, ticket.id, updated_at=now, **fields)
            await self.store.add_event(db, ticket.id, now, event, actor.id if actor else None, **detail)
            await self._tell_reporters(db, ticket, notify_reporter, event, now, note=note)
            assignee = fields.get("assignee_id", ticket.assignee_id)
            if notify_assignee and assignee and assignee != (actor.id if actor else None):
                await self.store.queue_notification(db, assignee, notify_assignee, ticket.id, now, event=event)
            if previous_assignee and previous_assignee != assignee:
                await self.store.queue_notification(db, previous_assignee, "status", ticket.id, now, event=event)
            for person_id in notify_also:
                await self.store.queue_notification(db, person_id, "status", ticket.id, now, event=event)
            if ask_reason:
                await self.store.set_pending_input(db, ticket.reporter_id, "reason", ticket.id, now)
            await self._reschedule(db, ticket.id)
        return await self.store.ticket(ticket.id)

    async def _tell_reporters(self, db, ticket: Ticket, kind: str, event: str, now: datetime, **payload) -> None:
        await self.store.queue_notification(db, ticket.reporter_id, kind, ticket.id, now, event=event, **payload)
        for supporter in await self.store.supporter_ids(ticket.id):
            await self.store.queue_notification(db, supporter, "status", ticket.id, now, event=event, **payload)

    async def _reschedule(self, db, ticket_id: int) -> None:
        ticket = await self.store.ticket(ticket_id)
        await self.store.update_ticket(db, ticket_id, next_due=self.deadlines.next_due(ticket))

    # -- deadlines (DueWork for the agenda) ----------------------------------------------------

    async def next_due(self) -> datetime | None:
        return await self.store.next_ticket_due()

    async def run_due(self, now: datetime) -> None:
        for ticket_id in await self.store.due_ticket_ids(now):
            await self._handle_due(ticket_id, now)

    async def _handle_due(self, ticket_id: int, now: datetime) -> None:
        """One ticket's due work, in one transaction: remind, escalate on a breach, or close unrated."""
        async with self.store.transaction() as db:
            ticket = await self.store.ticket(ticket_id)
            accept_lead, resolve_lead = self.deadlines.reminder_leads(ticket.urgent)
            if ticket.status is Status.RESOLVED and ticket.rate_due and now >= ticket.rate_due:
                await self.store.update_ticket(db, ticket.id, status=Status.CLOSED.value, rate_due=None, updated_at=now)
                await self.store.add_event(db, ticket.id, now, "closed", None, status="closed", rating=None,
                                           reason="unrated")
                await self._tell_reporters(db, ticket, "status", "closed_unrated", now)
            elif ticket.active and ticket.accept_due and now >= ticket.accept_due:
                await self._escalate(db, ticket, now, "accept")
            elif ticket.active and ticket.resolve_due and now >= ticket.resolve_due:
                await self._escalate(db, ticket, now, "resolve")
            elif ticket.active and ticket.accept_due and not ticket.accept_reminded and now >= ticket.accept_due - accept_lead:
                await self._remind(db, ticket, now, "accept")
            elif ticket.active and ticket.resolve_due and not ticket.resolve_reminded and now >= ticket.resolve_due - resolve_lead:
                await self._remind(db, ticket, now, "resolve")
            elif (ticket.active and ticket.appointment_at and not ticket.appointment_reminded
                  and now >= ticket.appointment_at - APPOINTMENT_REMINDER):
                await self.store.update_ticket(db, ticket.id, appointment_reminded=1)
                await self.store.queue_notification(db, ticket.reporter_id, "appointment", ticket.id, now)
            await self._reschedule(db, ticket.id)

    async def _remind(self, db, ticket: Ticket, now: datetime, deadline: str) -> None:
        await self.store.update_ticket(db, ticket.id, **{f"{deadline}_reminded": 1})
        await self.store.add_event(db, ticket.id, now, "reminded", None, deadline=deadline)
        if ticket.assignee_id:
            await self.store.queue_notification(db, ticket.assignee_id, "reminder", ticket.id, now, deadline=deadline)

    async def _escalate(self, db, ticket: Ticket, now: datetime, breach: str) -> None:
        """Move the ticket one level up the chain; at the street office it is recorded and stops."""
        route = await self.route(ticket.building_id, min(ticket.level + 1, STREET_LEVEL))
        status = Status.OPEN if ticket.status is Status.ACCEPTED else ticket.status
        at_top = route.assignee_id is None
        await self.store.update_ticket(
            db, ticket.id, level=route.level, assignee_id=route.assignee_id if not at_top else ticket.assignee_id,
            status=status.value, updated_at=now, accept_reminded=0, resolve_reminded=0,
            accept_due=None if at_top else self.deadlines.accept_by(now, ticket.urgent),
            resolve_due=None if at_top else self.deadlines.resolve_by(now, ticket.label, ticket.urgent),
        )
        await self.store.add_event(db, ticket.id, now, "escalated", None, breach=breach, level=route.level,
                                   to=route.assignee_id, status=status.value)
        if ticket.assignee_id:
            await self.store.queue_notification(db, ticket.assignee_id, "escalated_away", ticket.id, now, breach=breach)
        if route.assignee_id:
            await self.store.queue_notification(db, route.assignee_id, "card", ticket.id, now, event="escalated",
                                                breach=breach)
        await self._tell_reporters(db, ticket, "status", "escalated", now, level=LEVEL_TITLES[route.level])
