"""The progress chart as server-rendered SVG: no script, no CDN, readable without colour
(solid line with circles for sessions, dashed line with squares for milestones, labelled)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from server.services.progress import Week

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 84


def _y(value: int, top_value: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top_value)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _series(weeks: Sequence[Week], attr: str, top_value: int, marker: str, dash: str) -> str:
    points = [(_x(i, len(weeks)), _y(getattr(w, attr), top_value)) for i, w in enumerate(weeks)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts = [
        f'<g class="series" data-series="{attr}">',
        f'<polyline points="{path}" fill="none" stroke="currentColor" stroke-width="2"{dash}/>',
    ]
    for (x, y), week in zip(points, weeks, strict=True):
        value = getattr(week, attr)
        label = f"{attr.replace('_', ' ')}: {value} by the week of {week.starts_on.isoformat()}"
        if marker == "circle":
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="currentColor"'
        else:
            shape = f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="none"'
            shape += ' stroke="currentColor" stroke-width="2"'
        parts.append(f'{shape} data-value="{value}"><title>{escape(label)}</title>')
        parts.append("</circle>" if marker == "circle" else "</rect>")
    parts.append("</g>")
    return "".join(parts)


def progress_svg(weeks: Sequence[Week]) -> str:
    """Cumulative sessions held and milestones reached per week, as an accessible SVG."""
    held = weeks[-1].sessions_held if weeks else 0
    reached = weeks[-1].milestones_reached if weeks else 0
    summary = f"Sessions held: {held}. Milestones reached: {reached}."
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" class="progress-chart" role="img" aria-labelledby="chart-title chart-desc" '
        f'data-sessions-held="{held}" data-milestones-reached="{reached}">'
        f'<title id="chart-title">Progress over time</title>'
        f'<desc id="chart-desc">{summary}</desc>'
    )
    if not weeks:
        return (
            head + f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
            'fill="currentColor">Nothing to chart yet: hold a session or reach a milestone.</text>'
            "</svg>"
        )
    top_value = max(1, held, reached)
    grid = []
    for value in sorted({0, top_value // 2, top_value}):
        y = _y(value, top_value)
        grid.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-opacity="0.25"/>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="14" '
            f'fill="currentColor">{value}</text>'
        )
    base = HEIGHT - BOTTOM
    labels = [
        f'<text x="{_x(0, len(weeks)):.1f}" y="{base + 18}" font-size="14" text-anchor="start" '
        f'fill="currentColor">{weeks[0].starts_on.isoformat()}</text>'
    ]
    if len(weeks) > 1:
        labels.append(
            f'<text x="{_x(len(weeks) - 1, len(weeks)):.1f}" y="{base + 18}" font-size="14" '
            f'text-anchor="end" fill="currentColor">{weeks[-1].starts_on.isoformat()}</text>'
        )
    legend_y = HEIGHT - 36
    legend = (
        f'<g class="legend" font-size="16" fill="currentColor">'
        f'<line x1="{LEFT}" x2="{LEFT + 28}" y1="{legend_y}" y2="{legend_y}" '
        'stroke="currentColor" stroke-width="2"/>'
        f'<circle cx="{LEFT + 14}" cy="{legend_y}" r="4" fill="currentColor"/>'
        f'<text x="{LEFT + 36}" y="{legend_y + 4}">Sessions held (solid line, dots): {held}</text>'
        f'<line x1="{LEFT}" x2="{LEFT + 28}" y1="{legend_y + 22}" y2="{legend_y + 22}" '
        'stroke="currentColor" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<rect x="{LEFT + 10}" y="{legend_y + 18}" width="8" height="8" fill="none" '
        'stroke="currentColor" stroke-width="2"/>'
        f'<text x="{LEFT + 36}" y="{legend_y + 26}">'
        f"Milestones reached (dashed line, squares): {reached}</text></g>"
    )
    return (
        head
        + "".join(grid)
        + "".join(labels)
        + _series(weeks, "sessions_held", top_value, "circle", "")
        + _series(weeks, "milestones_reached", top_value, "square", ' stroke-dasharray="6 4"')
        + legend
        + "</svg>"
    )
