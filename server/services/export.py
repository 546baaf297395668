"""A session's record as Markdown: agenda, shared notes and action items."""

from __future__ import annotations

from collections.abc import Sequence

from models.agenda import ActionItem, AgendaItem
from models.sessions import MentoringSession
from models.users import User


def session_markdown(
    session: MentoringSession,
    people: dict[int, User],
    agenda: Sequence[AgendaItem],
    notes: str,
    action_items: Sequence[ActionItem],
) -> str:
    """The session as a Markdown document anyone can keep or share."""

    def name(user_id: int | None) -> str:
        return people[user_id].name if user_id in people else "someone"

    lines = [
        f"# {session.title}",
        "",
        f"- When: {session.starts_at:%Y-%m-%d %H:%M} UTC, {session.duration_minutes} minutes",
        f"- With: {', '.join(name(uid) for uid in session.participant_ids)}",
        "",
        "## Agenda",
        "",
    ]
    for item in agenda:
        extra = ", ".join(
            part
            for part in (
                f"{item.minutes} min" if item.minutes else "",
                name(item.owner_id) if item.owner_id else "",
                "carried over" if item.carried_over else "",
            )
            if part
        )
        lines.append(
            f"- [{'x' if item.done else ' '}] {item.title}" + (f" ({extra})" if extra else "")
        )
        if item.details:
            lines.extend(f"  {line}" for line in item.details.splitlines())
    if not agenda:
        lines.append("_No agenda._")
    lines += ["", "## Notes", "", notes.strip() or "_No notes._", "", "## Action items", ""]
    for action in action_items:
        due = f", due {action.due_on:%Y-%m-%d}" if action.due_on else ""
        lines.append(
            f"- [{'x' if action.done else ' '}] {action.title} ({name(action.owner_id)}{due})"
        )
    if not action_items:
        lines.append("_No action items._")
    return "\n".join(lines) + "\n"
