"""Supervisor dashboard figures, computed from the review index and the transition
audit events of a time window, plus the geometry of the small inline SVG charts (the
templates draw them; every label is escaped there)."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from review_ui.models import ReviewIndex, ReviewReason, aware

AGE_BUCKETS = ((0, 1, "< 1 day"), (1, 3, "1-3 days"), (3, 7, "3-7 days"), (7, 10_000, "> 7 days"))


@dataclass
class Chart:
    width: int
    height: int
    bars: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    max_value: float


def bar_chart(items: list[tuple[str, float]], width: int = 420, bar_h: int = 18) -> Chart:
    top = max((v for _, v in items), default=0) or 1
    bars = [{"label": label, "value": v, "x": 140, "y": i * (bar_h + 4),
             "w": max(1, round((width - 200) * v / top)), "h": bar_h}
            for i, (label, v) in enumerate(items)]
    return Chart(width, max(bar_h, len(items) * (bar_h + 4)), bars, [], [], top)


def line_chart(days: list[date], series: dict[str, list[float]], width: int = 640,
               height: int = 160) -> Chart:
    top = max((v for vs in series.values() for v in vs), default=0) or 1
    n = max(len(days) - 1, 1)
    lines = []
    for i, (name, vs) in enumerate(series.items()):
        pts = " ".join(f"{30 + (width - 40) * j / n:.1f},{height - 20 - (height - 30) * v / top:.1f}"
                       for j, v in enumerate(vs))
        lines.append({"name": name, "points": pts, "cls": f"s{i}", "total": sum(vs)})
    step = max(1, len(days) // 6)
    labels = [{"x": round(30 + (width - 40) * j / n), "text": d.strftime("%m-%d")}
              for j, d in enumerate(days) if j % step == 0]
    return Chart(width, height, [], lines, labels, top)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "–"


def _hours(vals: list[float]) -> str:
    if not vals:
        return "–"
    m = statistics.median(vals)
    return f"{m:.1f} h" if m < 48 else f"{m / 24:.1f} d"


def compute(session: Session, days: int = 30) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    since = now - timedelta(days=days)
    queue_rows = session.execute(select(ReviewIndex.created_at).where(
        ReviewIndex.state == "needs_review")).scalars().all()
    ages = [(now - (aware(c) or now)).total_seconds() / 86400 for c in queue_rows]
    age_buckets = [(label, sum(1 for a in ages if lo <= a < hi)) for lo, hi, label in AGE_BUCKETS]
    docs = {r.document_id: r for r in session.execute(
        select(ReviewIndex.document_id, ReviewIndex.source, ReviewIndex.partner,
               ReviewIndex.created_at).where(ReviewIndex.created_at >= since))}
    events = session.execute(select(AuditEvent.document_id, AuditEvent.actor, AuditEvent.at,
                                    AuditEvent.after).where(
        AuditEvent.action == "transition", AuditEvent.at >= since)).all()
    routed: dict[int, bool] = {}
    per_reviewer: Counter[str] = Counter()
    posted_at: dict[int, datetime] = {}
    day_counts: dict[str, Counter[date]] = defaultdict(Counter)
    for doc_id, actor, at, after in events:
        dst = (after or {}).get("state")
        at = aware(at) or now
        if actor == "system:route" and dst in ("approved", "needs_review"):
            routed[doc_id] = dst == "approved"
            if dst == "approved":
                day_counts["straight through"][at.date()] += 1
        elif actor.startswith("user:") and dst in ("approved", "rejected"):
            per_reviewer[actor[5:]] += 1
            day_counts["reviewed"][at.date()] += 1
        elif dst == "posted":
            posted_at[doc_id] = at
            day_counts["posted"][at.date()] += 1
    for r in docs.values():
        day_counts["received"][(aware(r.created_at) or now).date()] += 1
    cycle: dict[int, float] = {}
    for doc_id, at in posted_at.items():
        r = docs.get(doc_id)
        if r is not None:
            cycle[doc_id] = (at - (aware(r.created_at) or at)).total_seconds() / 3600

    def group(key: str) -> list[dict[str, Any]]:
        g: dict[str, list[int]] = defaultdict(list)
        for doc_id, r in docs.items():
            g[getattr(r, key) or "(unknown)"].append(doc_id)
        rows = []
        for name, ids in sorted(g.items(), key=lambda kv: -len(kv[1]))[:12]:
            rt = [routed[i] for i in ids if i in routed]
            rows.append({"name": name, "count": len(ids), "stp": _pct(sum(rt), len(rt)),
                         "cycle": _hours([cycle[i] for i in ids if i in cycle])})
        return rows

    reasons = session.execute(
        select(ReviewReason.code, func.count()).join(
            ReviewIndex, ReviewIndex.document_id == ReviewReason.document_id)
        .where(ReviewIndex.created_at >= since).group_by(ReviewReason.code)
        .order_by(func.count().desc())).all()
    all_days = [(since + timedelta(days=i + 1)).date() for i in range(days)]
    series = {name: [float(day_counts[name][d]) for d in all_days]
              for name in ("received", "straight through", "reviewed", "posted")}
    stp = sum(routed.values())
    return {
        "days": days, "queue_size": len(ages),
        "oldest_days": f"{max(ages):.1f}" if ages else "–",
        "median_age_days": f"{statistics.median(ages):.1f}" if ages else "–",
        "stp_rate": _pct(stp, len(routed)), "routed": len(routed), "straight": stp,
        "cycle_median": _hours(list(cycle.values())), "posted": len(posted_at),
        "age_chart": bar_chart(age_buckets),
        "reviewer_chart": bar_chart(per_reviewer.most_common(10)),
        "reason_chart": bar_chart([(c, n) for c, n in reasons][:12]),
        "per_channel": group("source"), "per_partner": group("partner"),
        "over_time": line_chart(all_days, series),
    }
