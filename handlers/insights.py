"""What admins want to see about the bot's use, as data: usage per day and channel, knowledge gaps,
quiz attempts and the audit log.

Both the chat command /thongke (handlers/admin.py, as text) and the web dashboard (bot/web/admin.py,
as HTML and SVG) read these, so the two can never disagree about a number. Everything comes from
the state DB only; nothing here knows about a platform or about HTML.

Knowledge gaps are declined questions grouped by *similar wording*: the same question typed with
or without diacritics, in capitals, with a polite particle ("cho tôi hỏi … ạ") or with its words in
another order is one gap, so the admin sees what is missing instead of every spelling of it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from handlers.state_db import StateDB
from knowledge.text import fold, strip_marks

# Words that only make a question polite or chatty; removed before comparing wordings.
FILLER_WORDS = frozenset({"cho", "toi", "em", "minh", "hoi", "xin", "vui", "long", "vay", "a", "ah", "ak",
                          "oi", "nhe", "nha", "ha", "hen", "giup", "ad", "admin", "ban", "duoc", "khong",
                          "ko", "k", "the", "nao", "gi", "j", "la"})
SIMILAR_WORDING = 85  # rapidfuzz token_sort_ratio at or above which two wordings are one gap
MAX_GAP_ROWS = 5000  # declined questions read per request: bounded work for a busy bot


@dataclass(frozen=True)
class DayUsage:
    """Questions of one day: how many per channel, how many answered."""

    day: date
    per_platform: dict[str, int]
    total: int
    answered: int


@dataclass
class GapGroup:
    """Declined questions that say the same thing in different words."""

    text: str  # the wording to show: the most used, preferring diacritics and sentence case
    count: int
    first_ts: float
    last_ts: float
    spellings: Counter[str] = field(default_factory=Counter)
    platforms: Counter[str] = field(default_factory=Counter)

    def variants(self, limit: int = 5) -> list[str]:
        """Other wordings of the same gap, most used first (the shown one excluded)."""
        return [t for t, _n in self.spellings.most_common() if t != self.text][:limit]


def _day_start(day: date) -> float:
    return datetime.combine(day, datetime.min.time()).timestamp()


def usage_by_day(state: StateDB, days: int, now: float | None = None) -> list[DayUsage]:
    """The last `days` days (oldest first, today last), days without questions included."""
    now = time.time() if now is None else now
    today = datetime.fromtimestamp(now).date()
    first = today - timedelta(days=days - 1)
    rows = state.query(
        "SELECT date(ts, 'unixepoch', 'localtime') AS day, platform, COUNT(*) AS total, "
        "SUM(found) AS answered FROM questions_log WHERE ts >= ? GROUP BY day, platform",
        (_day_start(first),))
    per_day: dict[str, dict[str, tuple[int, int]]] = {}
    for r in rows:
        per_day.setdefault(r["day"], {})[r["platform"] or "?"] = (int(r["total"]), int(r["answered"] or 0))
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        counts = per_day.get(day.isoformat(), {})
        out.append(DayUsage(day, {p: n for p, (n, _ok) in sorted(counts.items())},
                            sum(n for n, _ok in counts.values()), sum(ok for _n, ok in counts.values())))
    return out


def wording_key(question: str) -> str:
    """The comparison form of a question: folded, filler words dropped (all of it if only fillers)."""
    words = fold(question).split()
    kept = [w for w in words if w not in FILLER_WORDS]
    return " ".join(kept or words)


def readable(spellings: Counter[str]) -> str:
    """The spelling to show: one with diacritics if any (an admin reads Vietnamese with its marks),
    not in all capitals, the most used, and the shorter one (without "cho tôi hỏi … ạ") at a tie."""
    return max(spellings, key=lambda t: (strip_marks(t) != t, not t.isupper(), spellings[t], -len(t)))


def knowledge_gaps(state: StateDB, days: int, limit: int = 10, now: float | None = None) -> list[GapGroup]:
    """The declined questions of the last `days` days, grouped by similar wording, most asked first.

    Exact wording keys are grouped first (cheap), then each key joins the first larger group whose
    key is at least SIMILAR_WORDING alike (word order ignored), so a typo or a reordered question
    does not split a gap in two.
    """
    now = time.time() if now is None else now
    rows = state.query("SELECT ts, platform, question FROM questions_log WHERE found = 0 AND ts >= ? "
                       "ORDER BY id DESC LIMIT ?", (now - days * 86400, MAX_GAP_ROWS))
    exact: dict[str, GapGroup] = {}
    for r in rows:
        text = " ".join((r["question"] or "").split())
        key = wording_key(text)
        if not key:
            continue
        ts = float(r["ts"] or 0.0)
        group = exact.get(key)
        if group is None:
            group = exact[key] = GapGroup(text, 0, ts, ts)
        group.count += 1
        group.first_ts = min(group.first_ts, ts)
        group.last_ts = max(group.last_ts, ts)
        group.spellings[text] += 1
        group.platforms[r["platform"] or "?"] += 1
    merged: list[tuple[str, GapGroup]] = []
    for key, group in sorted(exact.items(), key=lambda kv: (-kv[1].count, -kv[1].last_ts)):
        target = next((g for k, g in merged if fuzz.token_sort_ratio(key, k) >= SIMILAR_WORDING), None)
        if target is None:
            merged.append((key, group))
            continue
        target.count += group.count
        target.first_ts = min(target.first_ts, group.first_ts)
        target.last_ts = max(target.last_ts, group.last_ts)
        target.spellings.update(group.spellings)
        target.platforms.update(group.platforms)
    groups = [g for _k, g in merged]
    for key, g in merged:  # shown in the words of the largest exact group (not a typo that joined it)
        g.text = readable(Counter({t: n for t, n in g.spellings.items() if wording_key(t) == key}))
    groups.sort(key=lambda g: (-g.count, -g.last_ts))
    return groups[:limit]


def recent_attempts(state: StateDB, limit: int = 50) -> list[dict[str, Any]]:
    """The latest answered quiz questions (practice, review and exam), newest first.

    Read defensively: the quiz feature owns its table and may not have created it yet.
    """
    if not state.db["quiz_attempts"].exists():
        return []
    rows = state.query("SELECT id, platform, user_id, mode, exam_id, stem, options, chosen, correct_choice, "
                       "correct, answered FROM quiz_attempts WHERE status = 'answered' "
                       "ORDER BY answered DESC, id DESC LIMIT ?", (limit,))
    for r in rows:
        try:
            r["options"] = json.loads(r["options"] or "[]")
        except ValueError:
            r["options"] = []
    return rows


def quiz_totals(state: StateDB, since: float) -> dict[str, Any]:
    """Answered questions, share right and distinct users since `since` (practice and exams)."""
    if not state.db["quiz_attempts"].exists():
        return {"answered": 0, "rate": None, "users": 0}
    row = state.query("SELECT COUNT(*) AS answered, AVG(correct) AS rate, "
                      "COUNT(DISTINCT platform || ':' || user_id) AS users FROM quiz_attempts "
                      "WHERE status = 'answered' AND answered >= ?", (since,))[0]
    return {"answered": int(row["answered"] or 0), "rate": row["rate"], "users": int(row["users"] or 0)}


def audit_entries(state: StateDB, limit: int = 200) -> list[dict[str, Any]]:
    """The audit log, newest first."""
    return state.query("SELECT id, ts, platform, user_id, action, detail, allowed FROM audit_log "
                       "ORDER BY id DESC LIMIT ?", (limit,))
