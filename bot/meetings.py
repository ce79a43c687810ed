"""Recurring meetings: occurrences in the database, reminders sent once, RSVP, agenda outcomes.

Rules (``knowledge/meetings.toml``) are turned into dated occurrences a few weeks ahead and stored,
so a restart rebuilds nothing from memory: each occurrence carries how many of its reminders went
out and when the next is due. A reminder missed while the bot was down is sent once on start-up if
the meeting is still ahead, and an older one it overtook is skipped rather than sent late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.meeting_rules import MeetingRule, occurrences
from bot.models import Person, Role
from bot.store import Store
from bot.workdays import WorkCalendar

HORIZON = timedelta(days=40)
INVITATION = ("invitation", timedelta(days=3))
REMINDERS = (("day_before", timedelta(days=1)), ("hour_before", timedelta(hours=1)))
ONE_OFF_AUDIENCE = ("grid_head", "building_head", "community_staff")


class MeetingError(Exception):
    """Not allowed or no longer possible; the message is for the user."""


def stages(meeting: dict) -> list[tuple[str, datetime]]:
    """The reminders a meeting gets, in order: an invitation for open sessions, the day before, an hour before."""
    wanted = ((INVITATION,) if meeting["open_to_residents"] else ()) + REMINDERS
    return [(name, meeting["starts_at"] - lead) for name, lead in wanted]


def next_reminder(meeting: dict, sent: int) -> datetime | None:
    due = stages(meeting)
    return due[sent][1] if sent < len(due) and due[sent][1] < meeting["starts_at"] else None


class MeetingDesk:
    """Everything about meetings, for the agenda (due work) and for the chat."""

    def __init__(self, store: Store, clock: Clock, rules: list[MeetingRule], calendar: WorkCalendar) -> None:
        self.store = store
        self.clock = clock
        self.rules = {rule.id: rule for rule in rules}
        self.calendar = calendar
        self._materialized_on = None  # the day occurrences were last stored for; once a day is enough

    # -- schedule ------------------------------------------------------------------------------

    async def materialize(self) -> None:
        """Store the occurrences of every active rule for the next weeks (idempotent)."""
        now = self.clock.now()
        self._materialized_on = now.date()
        paused = await self.store.paused_rules()
        async with self.store.transaction(records_update=False) as db:
            for rule in self.rules.values():
                if rule.paused:
                    continue
                for scope_id in await self.store.scope_ids(rule.per):
                    if (rule.id, await self.store.community_of(rule.per, scope_id)) in paused:
                        continue
                    for day, start in occurrences(rule, now.date(), (now + HORIZON).date(), self.calendar,
                                                  self.clock.tz):
                        if start <= now:
                            continue
                        meeting = {"starts_at": start, "open_to_residents": rule.open_to_residents}
                        await self.store.insert_meeting(
                            db, rule_id=rule.id, title=rule.title, scope_kind=rule.per, scope_id=scope_id,
                            rule_day=day.isoformat(), starts_at=start, minutes=rule.duration_minutes,
                            place=rule.place, audience=tuple(rule.audience), organiser_role=rule.organiser,
                            open_to_residents=int(rule.open_to_residents), agenda=rule.agenda,
                            next_reminder_at=self._first_reminder(meeting, now), created_at=now)

    @staticmethod
    def _passed(meeting: dict, now: datetime) -> int:
        """Reminders whose moment is already gone (a meeting added for tomorrow gets no 'three days before')."""
        return sum(1 for _, at in stages(meeting)[:-1] if at <= now)

    def _first_reminder(self, meeting: dict, now: datetime) -> datetime | None:
        return next_reminder(meeting, self._passed(meeting, now))

    async def next_due(self) -> datetime | None:
        tomorrow = (self.clock.now() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        reminder = await self.store.next_meeting_reminder()
        return min(filter(None, (reminder, tomorrow)))

    async def run_due(self, now: datetime) -> None:
        if self._materialized_on != now.date():
            await self.materialize()
        for meeting_id in await self.store.due_meeting_ids(now):
            await self._remind(meeting_id, now)

    async def _remind(self, meeting_id: int, now: datetime) -> None:
        """Send the latest reminder that is due (never an earlier one late), once, in one transaction."""
        async with self.store.transaction() as db:
            meeting = await self.store.meeting(meeting_id)
            due = stages(meeting)
            sent = meeting["reminders_sent"]
            latest = max((i for i in range(sent, len(due)) if due[i][1] <= now), default=None)
            if latest is not None and now < meeting["starts_at"]:
                stage = due[latest][0]
                people = (await self.store.residents_in(meeting["scope_kind"], meeting["scope_id"])
                          if stage == "invitation" else await self.participants(meeting))
                for person in people:
                    await self.store.queue_meeting_notification(db, person.id, "meeting", meeting_id, now, stage=stage)
                sent = latest + 1
            elif latest is not None:
                sent = len(due)
            await self.store.update_meeting(db, meeting_id, reminders_sent=sent,
                                            next_reminder_at=next_reminder(meeting, sent))

    async def participants(self, meeting: dict) -> list[Person]:
        return await self.store.people_for_meeting(meeting["scope_kind"], meeting["scope_id"], meeting["audience"])

    async def upcoming_for(self, person: Person, days: int = 35) -> list[dict]:
        """Meetings this person takes part in, or is invited to as a resident, soonest first."""
        now = self.clock.now()
        mine = []
        for meeting in await self.store.meetings_between(now - timedelta(hours=3), now + timedelta(days=days)):
            if await self.concerns(person, meeting):
                mine.append(meeting)
        return mine

    async def concerns(self, person: Person, meeting: dict) -> bool:
        if person.id in {p.id for p in await self.participants(meeting)}:
            return True
        if meeting["open_to_residents"] and person.building_id is not None:
            return person.id in {p.id for p in await self.store.residents_in(meeting["scope_kind"], meeting["scope_id"])}
        return False

    # -- what people do --------------------------------------------------------------------------

    async def rsvp(self, person: Person, meeting_id: int, answer: str) -> dict:
        meeting = await self.store.meeting(meeting_id)
        if meeting is None or answer not in ("yes", "no") or not await self.concerns(person, meeting):
            raise MeetingError("这个按钮已失效。")
        if meeting["state"] != "scheduled" or meeting["starts_at"] <= self.clock.now():
            raise MeetingError("这次会议已取消或已经开始。")
        await self.store.set_rsvp(meeting_id, person.id, answer, self.clock.now())
        return meeting

    async def rsvp_summary(self, meeting: dict) -> tuple[int, int, list[Person]]:
        """(coming, not coming, participants who have not answered)."""
        answers = await self.store.rsvps(meeting["id"])
        participants = await self.participants(meeting)
        silent = [p for p in participants if p.id not in answers]
        return sum(a == "yes" for a in answers.values()), sum(a == "no" for a in answers.values()), silent

    async def may_organise(self, person: Person, meeting: dict) -> bool:
        """Staff of the meeting's community, or its organiser role (the grid head of that grid)."""
        community = await self.store.community_of(meeting["scope_kind"], meeting["scope_id"])
        for grant in person.grants:
            if grant.role is Role.ADMIN or (grant.role is Role.COMMUNITY_STAFF and grant.scope_id == community):
                return True
            if (grant.role.value == meeting["organiser_role"] and grant.scope_kind == meeting["scope_kind"]
                    and grant.scope_id == meeting["scope_id"]):
                return True
        return False

    async def organised(self, person: Person, meeting_id: int, staff_only: bool = False) -> dict:
        meeting = await self.store.meeting(meeting_id)
        if meeting is None or not await self.may_organise(person, meeting) or (staff_only and not person.is_staff):
            raise MeetingError("只有会议组织者或社区工作人员可以这样做。")
        return meeting

    async def _audience(self, meeting: dict, now: datetime) -> list[int]:
        """Who must hear of a change: participants, and residents once their invitation has gone out."""
        people = [p.id for p in await self.participants(meeting)]
        invited = meeting["open_to_residents"] and now >= meeting["starts_at"] - INVITATION[1]
        if invited:
            people += [p.id for p in await self.store.residents_in(meeting["scope_kind"], meeting["scope_id"])
                       if p.id not in people]
        return people

    async def _tell_all(self, db, meeting: dict, now: datetime, **payload) -> None:
        for person_id in await self._audience(meeting, now):
            await self.store.queue_meeting_notification(db, person_id, "meeting_changed", meeting["id"], now, **payload)

    async def cancel(self, staff: Person, meeting_id: int) -> dict:
        meeting = await self.organised(staff, meeting_id, staff_only=True)
        if meeting["state"] != "scheduled" or meeting["starts_at"] <= self.clock.now():
            raise MeetingError("这次会议已经取消或已经开始。")
        now = self.clock.now()
        async with self.store.transaction() as db:
            await self.store.update_meeting(db, meeting_id, state="cancelled", next_reminder_at=None)
            await self._tell_all(db, meeting, now, change="cancelled")
        return meeting

    async def move(self, staff: Person, meeting_id: int, starts_at: datetime) -> dict:
        """Move one occurrence; participants are told, and reminders follow the new time."""
        meeting = await self.organised(staff, meeting_id, staff_only=True)
        now = self.clock.now()
        if meeting["state"] != "scheduled" or starts_at <= now or meeting["starts_at"] <= now:
            raise MeetingError("只能把未开始的会议改到将来的时间。")
        moved = {**meeting, "starts_at": starts_at}
        passed = self._passed(moved, now)
        async with self.store.transaction() as db:
            await self.store.update_meeting(db, meeting_id, starts_at=starts_at, reminders_sent=passed,
                                            next_reminder_at=next_reminder(moved, passed))
            await self._tell_all(db, meeting, now, change="moved", was=meeting["starts_at"].isoformat())
        return await self.store.meeting(meeting_id)

    async def pause_rule(self, staff: Person, meeting_id: int) -> int:
        """Stop a recurring meeting in the staff member's community: no new occurrences there, the
        upcoming ones cancelled, and each person told once."""
        meeting = await self.organised(staff, meeting_id, staff_only=True)
        if meeting["rule_id"] is None:
            raise MeetingError("这是单次会议，请用“取消本次”。")
        community = await self.store.community_of(meeting["scope_kind"], meeting["scope_id"])
        now = self.clock.now()
        async with self.store.transaction() as db:
            upcoming = [m for m in await self.store.meetings_between(now, now + HORIZON * 2)
                        if m["rule_id"] == meeting["rule_id"]
                        and await self.store.community_of(m["scope_kind"], m["scope_id"]) == community]
            await self.store.pause_rule(db, meeting["rule_id"], community, staff.id, now)
            told: set[int] = set()
            for occurrence in upcoming:
                await self.store.update_meeting(db, occurrence["id"], state="cancelled", next_reminder_at=None)
                for person in await self._audience(occurrence, now):
                    if person not in told:
                        told.add(person)
                        await self.store.queue_meeting_notification(db, person, "meeting_changed", occurrence["id"],
                                                                    now, change="paused", count=len(upcoming))
        return len(upcoming)

    async def paused_for(self, staff: Person) -> list[MeetingRule]:
        """The rules paused in the staff member's community (to offer 恢复)."""
        communities = {g.scope_id for g in staff.grants if g.role is Role.COMMUNITY_STAFF}
        return [self.rules[rule_id] for rule_id, community in sorted(await self.store.paused_rules())
                if community in communities and rule_id in self.rules]

    async def resume_rule(self, staff: Person, rule_id: str) -> MeetingRule:
        """Undo a pause: occurrences are stored again from today on (cancelled ones stay cancelled)."""
        communities = [g.scope_id for g in staff.grants if g.role is Role.COMMUNITY_STAFF]
        if rule_id not in self.rules or not any([await self.store.resume_rule(rule_id, c) for c in communities]):
            raise MeetingError("这个例会没有暂停，或不属于本社区。")
        await self.materialize()
        return self.rules[rule_id]

    async def add_one_off(self, staff: Person, title: str, starts_at: datetime, place: str) -> dict:
        """A single meeting for the staff member's community (heads and staff take part)."""
        community = next((g.scope_id for g in staff.grants if g.role is Role.COMMUNITY_STAFF), None)
        if community is None:
            raise MeetingError("只有社区工作人员可以新增会议。")
        now = self.clock.now()
        meeting = {"starts_at": starts_at, "open_to_residents": False}
        async with self.store.transaction() as db:
            meeting_id = await self.store.insert_meeting(
                db, rule_id=None, title=title[:60], scope_kind="community", scope_id=community, rule_day=None,
                starts_at=starts_at, minutes=60, place=place[:80], audience=ONE_OFF_AUDIENCE,
                organiser_role="community_staff", open_to_residents=0, agenda="none",
                next_reminder_at=self._first_reminder(meeting, now), created_at=now)
        return await self.store.meeting(meeting_id)

    async def record_outcome(self, person: Person, meeting_id: int, ticket_id: int, text: str) -> None:
        """What a grid meeting decided about one ticket of its agenda, onto that ticket's timeline."""
        meeting = await self.organised(person, meeting_id)
        agenda = {t.id: t for t in await self.store.grid_agenda(meeting["scope_id"])} if meeting["agenda"] == "grid_tickets" else {}
        ticket = agenda.get(ticket_id)
        if ticket is None:
            raise MeetingError("这张工单不在这次会议的议题里。")
        now = self.clock.now()
        async with self.store.transaction() as db:
            await self.store.add_event(db, ticket_id, now, "meeting_outcome", person.id, text=text[:500],
                                       meeting=meeting["title"])
            if ticket.assignee_id and ticket.assignee_id != person.id:
                await self.store.queue_notification(db, ticket.assignee_id, "meeting_outcome", ticket_id, now,
                                                    text=f"（{meeting['title']}）{text[:500]}")
