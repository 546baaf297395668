"""Demo data: a dozen mentors and mentees in real cities, with sessions past and upcoming."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.agenda import AGENDA_TEMPLATES, ActionItem, AgendaItem
from models.availability import Availability
from models.base import utcnow
from models.database import create_engine, create_session_factory, upgrade
from models.mentorships import Mentorship, MentorshipStatus
from models.office_hours import Admission, OfficeHours, OfficeHoursRegistration, occurrence_starts
from models.sessions import MentoringSession, SessionKind, SessionParticipant
from models.users import Profile, User, get_user_by_email, normalize_email
from server.security import hash_password
from server.settings import Settings

log = logging.getLogger(__name__)

DEMO_PASSWORD = "tandem-demo-2026"

# (key, name, roles, city, country, lat, lon, timezone, headline, skills)
PEOPLE = [
    (
        "maya",
        "Maya Okafor",
        ["mentor"],
        "Berlin",
        "DE",
        52.52,
        13.41,
        "Europe/Berlin",
        "Engineering manager, 12 years in backend teams",
        ["leadership", "python", "hiring"],
    ),
    (
        "leo",
        "Leo Martin",
        ["mentee"],
        "Potsdam",
        "DE",
        52.40,
        13.07,
        "Europe/Berlin",
        "Junior developer moving into backend work",
        ["javascript", "sql"],
    ),
    (
        "ana",
        "Ana Souza",
        ["mentor"],
        "São Paulo",
        "BR",
        -23.55,
        -46.63,
        "America/Sao_Paulo",
        "Product designer and design-systems lead",
        ["design", "figma", "research"],
    ),
    (
        "rafael",
        "Rafael Lima",
        ["mentee"],
        "Campinas",
        "BR",
        -22.91,
        -47.06,
        "America/Sao_Paulo",
        "Graphic designer learning product design",
        ["illustration"],
    ),
    (
        "priya",
        "Priya Raman",
        ["mentor"],
        "Bengaluru",
        "IN",
        12.97,
        77.59,
        "Asia/Kolkata",
        "Staff data scientist",
        ["machine learning", "statistics"],
    ),
    (
        "arjun",
        "Arjun Mehta",
        ["mentee"],
        "Mysuru",
        "IN",
        12.30,
        76.64,
        "Asia/Kolkata",
        "Analyst who wants to become a data scientist",
        ["excel", "python"],
    ),
    (
        "sofia",
        "Sofia Rossi",
        ["mentor", "mentee"],
        "Milan",
        "IT",
        45.46,
        9.19,
        "Europe/Rome",
        "Founder, second start-up",
        ["fundraising", "sales"],
    ),
    (
        "tom",
        "Tom Becker",
        ["mentee"],
        "Hamburg",
        "DE",
        53.55,
        9.99,
        "Europe/Berlin",
        "Career changer from teaching to UX",
        ["teaching", "writing"],
    ),
    (
        "grace",
        "Grace Kim",
        ["mentor"],
        "Toronto",
        "CA",
        43.65,
        -79.38,
        "America/Toronto",
        "Principal engineer, mobile",
        ["ios", "android", "architecture"],
    ),
    (
        "noah",
        "Noah Williams",
        ["mentee"],
        "Hamilton",
        "CA",
        43.26,
        -79.87,
        "America/Toronto",
        "CS student looking for a first internship",
        ["java"],
    ),
    (
        "amara",
        "Amara Nwosu",
        ["mentor"],
        "Lagos",
        "NG",
        6.52,
        3.38,
        "Africa/Lagos",
        "Fintech CTO",
        ["payments", "security"],
    ),
    (
        "yuki",
        "Yuki Tanaka",
        ["mentee"],
        "Yokohama",
        "JP",
        35.44,
        139.64,
        "Asia/Tokyo",
        "Backend engineer aiming for tech lead",
        ["go", "kubernetes"],
    ),
]


async def _office_hours_and_agenda(db: AsyncSession, users: dict[str, User], now: datetime) -> None:
    """Maya's weekly office hours with two registered mentees, and an agenda for today's call."""
    series = OfficeHours(
        host_id=users["maya"].id,
        title="Backend career Q&A",
        topic="Bring any question.",
        first_starts_at=now + timedelta(minutes=2),
        duration_minutes=60,
        capacity=12,
        admission=Admission.LOBBY,
        timezone="Europe/Berlin",
        weekly_until=(now + timedelta(weeks=4)).date(),
    )
    db.add(series)
    await db.flush()
    attendees = [users["maya"], users["leo"], users["tom"]]
    for start in occurrence_starts(series.first_starts_at, series.timezone, series.weekly_until):
        db.add(
            MentoringSession(
                kind=SessionKind.OFFICE_HOURS,
                title=series.title,
                starts_at=start,
                duration_minutes=series.duration_minutes,
                host_id=users["maya"].id,
                office_hours_id=series.id,
                participants=[SessionParticipant(user_id=u.id) for u in attendees],
            )
        )
    for attendee in attendees[1:]:
        db.add(OfficeHoursRegistration(office_hours_id=series.id, user_id=attendee.id))
    today = (
        (
            await db.execute(
                select(MentoringSession).where(
                    MentoringSession.host_id == users["maya"].id,
                    MentoringSession.title == "Weekly session",
                )
            )
        )
        .scalars()
        .first()
    )
    if today is not None:
        for position, (title, minutes) in enumerate(AGENDA_TEMPLATES["goal_review"][1]):
            db.add(AgendaItem(session_id=today.id, title=title, minutes=minutes, position=position))
        db.add(
            ActionItem(
                session_id=today.id,
                title="Draft a learning plan for Q1",
                owner_id=users["leo"].id,
                due_on=(now + timedelta(days=6)).date(),
            )
        )


async def load_demo(settings: Settings) -> None:
    """Create the demo people, an active mentorship and its sessions; safe to run twice."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as db:
            if await get_user_by_email(db, "maya@demo.tandem"):
                log.info("demo data already present")
                return
            password_hash = hash_password(DEMO_PASSWORD)
            users: dict[str, User] = {}
            for key, name, roles, city, country, lat, lon, zone, headline, skills in PEOPLE:
                email = f"{key}@demo.tandem"
                user = User(
                    email=email,
                    email_normalized=normalize_email(email),
                    name=name,
                    password_hash=password_hash,
                    roles=roles,
                )
                db.add(user)
                await db.flush()
                db.add(
                    Profile(
                        user_id=user.id,
                        headline=headline,
                        skills=skills,
                        city=city,
                        country=country,
                        latitude=lat,
                        longitude=lon,
                        timezone=zone,
                        languages=["English"],
                        bio=f"{headline}. Happy to talk about {', '.join(skills)}.",
                        goals="Grow, and help others grow.",
                        industry="Technology",
                        open_to_meetups=True,
                        max_travel_km=60,
                        mentor_capacity=3 if "mentor" in roles else 0,
                    )
                )
                users[key] = user
            now = utcnow().replace(second=0, microsecond=0)
            pairs = [("maya", "leo"), ("ana", "rafael"), ("priya", "arjun"), ("grace", "noah")]
            for mentor, mentee in pairs:
                mentorship = Mentorship(
                    mentor_id=users[mentor].id,
                    mentee_id=users[mentee].id,
                    status=MentorshipStatus.ACTIVE,
                    started_at=now - timedelta(days=30),
                    message="Would love your guidance.",
                )
                db.add(mentorship)
                await db.flush()
                for title, offset in [
                    ("Kick-off", -21),
                    ("Progress check", -7),
                    ("Weekly session", 0),
                    ("Goal review", 7),
                ]:
                    starts = now + timedelta(days=offset, minutes=5 if offset == 0 else 0)
                    db.add(
                        MentoringSession(
                            kind=SessionKind.ONE_ON_ONE,
                            title=title,
                            starts_at=starts,
                            duration_minutes=45,
                            host_id=users[mentor].id,
                            mentorship_id=mentorship.id,
                            participants=[
                                SessionParticipant(user_id=users[mentor].id),
                                SessionParticipant(user_id=users[mentee].id),
                            ],
                        )
                    )
            db.add(
                Mentorship(
                    mentor_id=users["sofia"].id,
                    mentee_id=users["tom"].id,
                    message="I'd like help with my career change.",
                )
            )
            await _office_hours_and_agenda(db, users, now)
            db.add(
                Availability(
                    user_id=users["maya"].id,
                    timezone="Europe/Berlin",
                    weekly=[{"weekday": day, "start": "17:00", "end": "20:00"} for day in (1, 3)]
                    + [{"weekday": 5, "start": "10:00", "end": "12:00"}],
                    session_minutes=[30, 60],
                    buffer_minutes=10,
                )
            )
            await db.commit()
            log.info("demo data loaded: %d people", len(users))
    finally:
        await engine.dispose()
