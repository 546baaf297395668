"""A session's record as Markdown: agenda, shared notes and action items."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markdown_it import MarkdownIt

from models.agenda import ActionItem, AgendaItem
from models.sessions import MentoringSession
from models.users import User

# The record's own outline is "# title" then "## Agenda", "## Notes"...: a heading written in the
# notes goes two levels below, so "# Kickoff" in the notes becomes "### Kickoff".
NOTES_HEADING_SHIFT = 2
_ATX_MARKER = re.compile(r"^([^#]*?)(#{1,6})(?=[ \t]|$)")


def notes_parser() -> MarkdownIt:
    """CommonMark with raw HTML off: notes are text people typed, never markup to trust."""
    return MarkdownIt("commonmark", {"html": False})


def demote_headings(markdown: str, by: int = NOTES_HEADING_SHIFT) -> str:
    """`markdown` with every heading `by` levels deeper (at most level 6), code blocks untouched;
    underlined (setext) headings become # headings."""
    lines = markdown.splitlines()
    tokens = notes_parser().parse(markdown)
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        level = min(int(token.tag[1]) + by, 6)
        start, end = token.map
        if token.markup.startswith("#"):
            lines[start] = _ATX_MARKER.sub(rf"\g<1>{'#' * level}", lines[start], count=1)
        else:  # setext: text lines, then a === or --- line
            text = " ".join(tokens[index + 1].content.splitlines())
            lines[start:end] = ["#" * level + " " + text] + [""] * (end - start - 1)
    return "\n".join(lines)


def local_time(value: datetime, zone: str) -> str:
    """`value` as the reader's wall-clock time, with the zone named."""
    try:
        local = value.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local, zone = value.astimezone(ZoneInfo("UTC")), "UTC"
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}" + (f" ({zone})" if "/" in zone else "")


def session_markdown(
    session: MentoringSession,
    people: dict[int, User],
    agenda: Sequence[AgendaItem],
    notes: str,
    action_items: Sequence[ActionItem],
    zone: str = "UTC",
) -> str:
    """The session as a Markdown document anyone can keep or share, times in `zone`."""

    def name(user_id: int | None) -> str:
        return people[user_id].name if user_id in people else "someone"

    lines = [
        f"# {session.title}",
        "",
        f"- When: {local_time(session.starts_at, zone)}, {session.duration_minutes} minutes",
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
    notes_md = demote_headings(notes.strip()) or "_No notes._"
    lines += ["", "## Notes", "", notes_md, "", "## Action items", ""]
    for action in action_items:
        due = f", due {action.due_on:%Y-%m-%d}" if action.due_on else ""
        lines.append(
            f"- [{'x' if action.done else ' '}] {action.title} ({name(action.owner_id)}{due})"
        )
    if not action_items:
        lines.append("_No action items._")
    return "\n".join(lines) + "\n"
