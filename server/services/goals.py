"""Goals and milestones of a mentorship: only its pair reads them, and only while it is open
do they change."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import AgendaItem
from models.base import utcnow
from models.goals import Goal, GoalStatus, Milestone
from models.mentorships import Mentorship, MentorshipStatus
from models.sessions import MentoringSession, get_session_for
from models.users import User
from server.errors import ApiError, not_found
from server.goal_schemas import GoalIn, GoalPatch, MilestoneIn, MilestonePatch

# Goals per mentorship and milestones per goal: enough for real use, a wall against spam.
MAX_GOALS = 50
MAX_MILESTONES = 30


async def mentorship_of_pair(db: AsyncSession, user: User, mentorship_id: int) -> Mentorship:
    """The mentorship if `user` is its mentor or mentee; a 404 for everyone else."""
    mentorship = await db.get(Mentorship, mentorship_id)
    if mentorship is None or not mentorship.involves(user.id):
        raise not_found("mentorship")
    return mentorship


def require_open(mentorship: Mentorship) -> None:
    """Only an active mentorship's goals change; an ended one is read-only."""
    if mentorship.status == MentorshipStatus.ENDED:
        raise ApiError(409, "mentorship_ended", "This mentorship has ended; it is read-only now.")
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise ApiError(409, "mentorship_not_active", "This mentorship has not started.")


async def goal_of_pair(db: AsyncSession, user: User, goal_id: int) -> tuple[Goal, Mentorship]:
    """The goal and its mentorship, if `user` is one of the pair."""
    goal = await db.get(Goal, goal_id)
    if goal is None:
        raise not_found("goal")
    mentorship = await db.get(Mentorship, goal.mentorship_id)
    if mentorship is None or not mentorship.involves(user.id):
        raise not_found("goal")
    return goal, mentorship


async def _count(db: AsyncSession, where: ColumnElement[bool]) -> int:
    return int((await db.execute(select(func.count()).where(where))).scalar_one())


async def _agenda_item_of(db: AsyncSession, mentorship: Mentorship, item_id: int) -> AgendaItem:
    item = await db.get(AgendaItem, item_id)
    session = await db.get(MentoringSession, item.session_id) if item else None
    if item is None or session is None or session.mentorship_id != mentorship.id:
        raise ApiError(
            422,
            "validation_error",
            "That agenda item is not from this mentorship's sessions.",
            fields={"agenda_item_id": "Not an item of this mentorship."},
        )
    return item


def _add_milestones(db: AsyncSession, goal: Goal, milestones: list[MilestoneIn]) -> None:
    for each in milestones:
        db.add(Milestone(goal_id=goal.id, title=each.title, due_on=each.due_on))


async def create_goal(db: AsyncSession, user: User, mentorship_id: int, data: GoalIn) -> Goal:
    """Either side adds a goal, optionally proposed from an agenda item (which gets linked)."""
    mentorship = await mentorship_of_pair(db, user, mentorship_id)
    require_open(mentorship)
    if await _count(db, Goal.mentorship_id == mentorship.id) >= MAX_GOALS:
        raise ApiError(409, "too_many_goals", f"A mentorship can have {MAX_GOALS} goals at most.")
    item = None
    if data.agenda_item_id is not None:
        item = await _agenda_item_of(db, mentorship, data.agenda_item_id)
    title = data.title or (item.title if item else None)
    if not title:
        raise ApiError(
            422, "validation_error", "A goal needs a title.", fields={"title": "Required."}
        )
    goal = Goal(
        mentorship_id=mentorship.id,
        title=title,
        why=data.why,
        target_on=data.target_on,
        created_by_id=user.id,
    )
    db.add(goal)
    await db.flush()
    _add_milestones(db, goal, data.milestones)
    if item is not None:
        item.goal_id = goal.id
    await db.flush()
    return goal


async def update_goal(db: AsyncSession, user: User, goal_id: int, data: GoalPatch) -> Goal:
    """Change a goal's text, date or status (achieved is stamped with the time)."""
    goal, mentorship = await goal_of_pair(db, user, goal_id)
    require_open(mentorship)
    changes = data.model_dump(exclude_unset=True)
    for key in ("title", "why"):
        if key in changes and changes[key] is not None:
            setattr(goal, key, changes[key])
    if "target_on" in changes:
        goal.target_on = changes["target_on"]
    if changes.get("status") is not None:
        goal.status = GoalStatus(changes["status"])
        goal.achieved_at = utcnow() if goal.status == GoalStatus.ACHIEVED else None
    await db.flush()
    return goal


async def delete_goal(db: AsyncSession, user: User, goal_id: int) -> None:
    """Remove a goal and its milestones."""
    goal, mentorship = await goal_of_pair(db, user, goal_id)
    require_open(mentorship)
    await db.delete(goal)
    await db.flush()


async def add_milestone(db: AsyncSession, user: User, goal_id: int, data: MilestoneIn) -> Milestone:
    """A new step towards the goal."""
    goal, mentorship = await goal_of_pair(db, user, goal_id)
    require_open(mentorship)
    if await _count(db, Milestone.goal_id == goal.id) >= MAX_MILESTONES:
        raise ApiError(
            409, "too_many_milestones", f"A goal can have {MAX_MILESTONES} milestones at most."
        )
    milestone = Milestone(goal_id=goal.id, title=data.title, due_on=data.due_on)
    db.add(milestone)
    await db.flush()
    return milestone


async def _ticking_session(
    db: AsyncSession, user: User, mentorship: Mentorship, session_id: int | None
) -> int | None:
    """The session a milestone is ticked in: the one named, or the pair's session running now."""
    now = utcnow()
    if session_id is not None:
        session = await get_session_for(db, session_id, user.id)
        if session is None or session.mentorship_id != mentorship.id:
            raise ApiError(
                422,
                "validation_error",
                "That session is not one of this mentorship's.",
                fields={"session_id": "Not a session of this mentorship."},
            )
        return session.id
    result = await db.execute(
        select(MentoringSession).where(
            MentoringSession.mentorship_id == mentorship.id,
            MentoringSession.cancelled_at.is_(None),
            MentoringSession.starts_at <= now,
        )
    )
    running = [s for s in result.scalars() if s.is_joinable(now)]
    return running[0].id if running else None


async def update_milestone(
    db: AsyncSession, user: User, milestone_id: int, data: MilestonePatch
) -> Milestone:
    """Change a milestone; ticking it records when, and in which session if one is running."""
    milestone = await db.get(Milestone, milestone_id)
    if milestone is None:
        raise not_found("milestone")
    _, mentorship = await goal_of_pair(db, user, milestone.goal_id)
    require_open(mentorship)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("title") is not None:
        milestone.title = changes["title"]
    if "due_on" in changes:
        milestone.due_on = changes["due_on"]
    if changes.get("done") is True and not milestone.is_done:
        milestone.done_in_session_id = await _ticking_session(
            db, user, mentorship, changes.get("session_id")
        )
        milestone.done_at = utcnow()
    elif changes.get("done") is False:
        milestone.done_at = None
        milestone.done_in_session_id = None
    await db.flush()
    return milestone


async def check_goal_link(db: AsyncSession, session: MentoringSession, goal_id: int | None) -> None:
    """An agenda item links only to a goal of its own session's mentorship."""
    if goal_id is None:
        return
    goal = await db.get(Goal, goal_id)
    if goal is None or session.mentorship_id is None or goal.mentorship_id != session.mentorship_id:
        raise ApiError(
            422,
            "validation_error",
            "That goal is not one of this mentorship's.",
            fields={"goal_id": "Not a goal of this session's mentorship."},
        )
