"""Reloads under load: answers stay consistent while the knowledge base is swapped, other users are
answered while an admin's rebuild runs, and the state DB survives any number of reloads.

Real threads against one real assistant (real knowledge and state DBs in a tmp dir). The old and
the new knowledge base differ in a detectable way: the new one has a plan sorted first, so every
passage id of the new DB points to different text than in the old DB. An answer that mixed the two
(ranked by one engine, read from the other file) would cite an id whose text does not match.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from handlers.dispatch import ERROR_TEXT, NOT_ADMIN_TEXT
from handlers.kb_admin import KnowledgeAdmin
from handlers.messages import Reply
from retrieval.results import AskResult
from tests.admin_support import ADMIN_TG, EMBEDDED_QUESTIONS, fresh_data, leftovers, make_settings
from tests.docs_factory import NEW_PLAN_FACT, NEW_PLAN_QUESTION, make_docx

FIRST_DOC = "0000_an_lac"  # sorts before every seed plan: all passage ids shift in the new DB
SMALL_QUESTION = ("Trung tâm Y tế khu vực Mai Châu phải gửi báo cáo kết quả tuyên truyền cải cách hành chính "
                  "trước ngày nào?")
WORKERS = 20
PAUSE = 0.3  # between two questions of one worker: 20 users asking, not 20 CPU-bound loops


@pytest.fixture(scope="session")
def kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "admin-kb"


def passages_of(kb_path: Path) -> dict[int, tuple[str, str, str]]:
    """passage id → (doc_id, raw text, text shown to people) of one knowledge DB file: what a
    citation must match."""
    conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
    try:
        return {pid: (doc, text, shown) for pid, doc, text, shown in conn.execute(
            "SELECT id, doc_id, text, COALESCE(display, text) FROM passages")}
    finally:
        conn.close()


@dataclass
class Seen:
    """What one worker got back, in order."""

    results: list[AskResult] = field(default_factory=list)
    replies: list[list[Reply]] = field(default_factory=list)
    order: list[tuple[str, int]] = field(default_factory=list)  # ("ask"|"chat", index)


def generations_of_result(result: AskResult, old: dict, new: dict) -> set[str]:
    """The knowledge bases every passage cited by `result` is consistent with. A procedure card or a
    document part (signer, recipients) cites no passage: the catalogue and parts are read from the
    same snapshot, and the passages are what changes between the two generations here."""
    cited = [h for h in result.citations if h.part == "passage" and not result.reason == "procedure"]
    gens = set()
    for name, passages in (("old", old), ("new", new)):
        if all(passages.get(h.passage_id, ("", "", ""))[:2] == (h.doc_id, h.source_text) for h in cited):
            gens.add(name)
    return gens


def generations_of_reply(reply: Reply, old: dict, new: dict) -> set[str]:
    """A chat reply cites its top passage; its "Xem nguyên văn" button carries the passage id (a
    procedure card's buttons are choices between procedures: it cites no passage)."""
    ref = reply.buttons[0].payload.split(":", 1)[1] if reply.buttons else ""
    if not ref.isdigit():
        return {"old", "new"}
    pid = int(ref)
    assert reply.citation is not None
    return {name for name, passages in (("old", old), ("new", new))
            if passages.get(pid, ("", "", ""))[0] == reply.citation.doc_id
            and passages[pid][2][:60] in reply.citation.quote}  # a contact's quote prefixes its value


def test_reload_while_20_users_ask(kb_root: Path, tmp_path: Path) -> None:
    data = fresh_data(kb_root, tmp_path / "data")
    assistant = build_assistant(make_settings(data))
    try:
        _run_reload_under_load(assistant, data)
    finally:
        assistant.close()


def _run_reload_under_load(assistant: Assistant, data: Path) -> None:
    old = passages_of(data / "knowledge.db")
    (data / "documents" / f"{FIRST_DOC}.docx").write_bytes(make_docx())
    questions = [*EMBEDDED_QUESTIONS, NEW_PLAN_QUESTION]
    seen = [Seen() for _ in range(WORKERS)]
    errors: list[BaseException] = []
    done = [0] * WORKERS
    chats = [0] * WORKERS  # answers that took the whole path a user's message takes
    stop = threading.Event()

    def worker(n: int) -> None:
        try:
            i = 0
            while not stop.is_set():
                q = questions[(n + i) % len(questions)]
                if i % 2:
                    incoming = assistant.incoming("zalo", f"user{n}", f"user{n}", q)
                    seen[n].replies.append(assistant.dispatcher.dispatch(incoming))
                    seen[n].order.append(("chat", len(seen[n].replies) - 1))
                    chats[n] += 1
                else:
                    seen[n].results.append(assistant.ask.ask(q))
                    seen[n].order.append(("ask", len(seen[n].results) - 1))
                done[n] += 1
                i += 1
                stop.wait(PAUSE)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(WORKERS)]
    for t in threads:
        t.start()
    _wait(lambda: all(c >= 1 for c in chats) or errors)
    before = sum(chats)
    generation = assistant.holder.generation

    reload_replies = assistant.dispatcher.dispatch(assistant.incoming("telegram", ADMIN_TG, ADMIN_TG, "/reload"))

    during = sum(chats) - before
    after = list(done)
    _wait(lambda: all(d >= a + 2 for d, a in zip(done, after)) or errors)
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    assert reload_replies[0].text.startswith("Đã dựng lại cơ sở tri thức"), reload_replies[0].text
    assert f"Thêm: {FIRST_DOC};" in reload_replies[0].text
    assert assistant.holder.generation == generation + 1
    # other users were answered while the admin's rebuild ran (it takes seconds, a question ms)
    assert during > 0

    new = passages_of(data / "knowledge.db")
    assert min(new) == min(old) and new[min(new)][0] == FIRST_DOC != old[min(old)][0]
    counts = {"old": 0, "new": 0}
    for n, s in enumerate(seen):
        timeline = []
        for kind, i in s.order:
            if kind == "ask":
                result = s.results[i]
                if not result.found:
                    continue
                gens = generations_of_result(result, old, new)
                if result.question == NEW_PLAN_QUESTION:
                    assert gens == {"new"} and NEW_PLAN_FACT in result.answer
            else:
                replies = s.replies[i]
                assert len(replies) == 1 and replies[0].text not in (ERROR_TEXT, NOT_ADMIN_TEXT)
                if replies[0].citation is None:
                    continue
                gens = generations_of_reply(replies[0], old, new)
            assert gens, f"worker {n}: an answer mixes the old and the new knowledge base"
            timeline.append("new" if gens == {"new"} else "old" if gens == {"old"} else "both")
            counts[timeline[-1]] = counts.get(timeline[-1], 0) + 1
        # once a worker is answered by the new knowledge base, it never sees the old one again
        first_new = timeline.index("new") if "new" in timeline else len(timeline)
        assert "old" not in timeline[first_new:], (n, timeline)
    assert counts["old"] > 0 and counts["new"] > 0, counts
    assert assistant.state.query("SELECT COUNT(*) AS n FROM questions_log")[0]["n"] == sum(chats)
    assert leftovers(data) == []


def _wait(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def state_tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the state DB, read through a separate connection."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f"SELECT * FROM [{n}] ORDER BY rowid").fetchall() for n in names}
    finally:
        conn.close()


def test_state_db_is_intact_after_20_reloads(kb_root: Path, tmp_path: Path) -> None:
    data = fresh_data(kb_root, tmp_path / "data", small=True)
    assistant = build_assistant(make_settings(data))
    try:
        admin = assistant.incoming("telegram", ADMIN_TG, ADMIN_TG, "/reload")
        for user, text in [("a", SMALL_QUESTION), ("b", "Giá vé xe buýt nội thành Hải Phòng là bao nhiêu?"),
                           ("c", "/reload"), ("c", "/thongke")]:
            assistant.dispatcher.dispatch(assistant.incoming("zalo", user, user, text))
        if "quiz" in assistant.dispatcher.commands:  # the real quiz feature, when it is installed
            for text in ("/quiz", "A", "/quiz", "B"):
                assistant.dispatcher.dispatch(assistant.incoming("telegram", "q1", "q1", text))
        assistant.state.ensure_table("quiz_results_probe", {"id": int, "user_id": str, "ts": float, "score": int},
                                     pk="id")
        for i in range(5):
            assistant.state.insert("quiz_results_probe", {"user_id": f"u{i}", "ts": time.time(), "score": i})
        before = state_tables(data / "state.db")
        assert len(before["questions_log"]) == 2 and len(before["audit_log"]) == 2
        if "quiz" in assistant.dispatcher.commands:
            statuses = [r["status"] for r in assistant.state.query("SELECT status FROM quiz_attempts")]
            assert statuses == ["answered", "answered"]
        generation = assistant.holder.generation

        for _ in range(20):
            reply = assistant.dispatcher.dispatch(admin)
            assert reply[0].text.startswith("Đã dựng lại cơ sở tri thức"), reply[0].text

        assert assistant.holder.generation == generation + 20
        after = state_tables(data / "state.db")
        assert set(after) == set(before)
        for table, rows in before.items():
            if table == "audit_log":
                assert after[table][:len(rows)] == rows
                new_rows = after[table][len(rows):]
                assert [(r[3], r[4], r[6]) for r in new_rows] == [(ADMIN_TG, "reload", 1)] * 20
            else:
                assert after[table] == rows, table
        conn = sqlite3.connect(data / "state.db")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
        result = assistant.ask.ask(SMALL_QUESTION)
        assert result.found and "12" in result.answer
        assert leftovers(data) == []
    finally:
        assistant.close()


def test_another_process_writing_a_broken_db_never_stops_the_answers(kb_root: Path, tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """`refresh_if_changed`: a broken file is refused once (not retried on every question), the old
    engine keeps answering, and the next good file is picked up without a restart."""
    data = fresh_data(kb_root, tmp_path / "data", small=True)
    assistant = build_assistant(make_settings(data))
    try:
        assistant.holder.check_every = 0
        generation = assistant.holder.generation
        assert assistant.ask.ask(SMALL_QUESTION).found
        broken = data / "broken.tmp"
        broken.write_bytes(b"this is not an SQLite database " * 200)
        os.replace(broken, data / "knowledge.db")

        with caplog.at_level(logging.ERROR, logger="handlers.knowledge_holder"):
            for _ in range(3):
                assert assistant.ask.ask(SMALL_QUESTION).found
        assert [r.getMessage() for r in caplog.records].count(
            "could not load the rebuilt knowledge DB; the old one keeps serving") == 1
        assert assistant.holder.generation == generation

        outcome = KnowledgeAdmin(data / "documents", data / "knowledge.db").rebuild()  # as `cchc kb reload`
        assert outcome.ok, outcome.message
        assert assistant.ask.ask(SMALL_QUESTION).found
        assert assistant.holder.generation == generation + 1
    finally:
        assistant.close()


def test_questions_never_wait_for_a_load_in_progress(kb_root: Path, tmp_path: Path) -> None:
    """While an admin's change holds the holder (rebuilding), a question whose refresh notices the
    new file is answered at once by the current engine; the file is served right after."""
    data = fresh_data(kb_root, tmp_path / "data", small=True)
    assistant = build_assistant(make_settings(data))
    try:
        holder = assistant.holder
        holder.check_every = 0
        generation = holder.generation
        entered, release = threading.Event(), threading.Event()

        def admin_change() -> None:
            with holder.updating():
                copy = data / "copy.tmp"
                shutil.copy2(data / "knowledge.db", copy)
                os.replace(copy, data / "knowledge.db")  # a new file, as a rebuild leaves it
                entered.set()
                release.wait(60)
                holder.reload_from_disk()

        admin = threading.Thread(target=admin_change, daemon=True)
        admin.start()
        assert entered.wait(30)
        answered: list[AskResult] = []
        asker = threading.Thread(target=lambda: answered.append(assistant.ask.ask(SMALL_QUESTION)), daemon=True)
        asker.start()
        asker.join(30)
        finished_while_held = not asker.is_alive()
        release.set()
        admin.join(30)
        assert finished_while_held, "a question waited for the admin's change"
        assert answered[0].found and holder.generation == generation + 1
        holder.reload_from_disk()  # the file being served is not opened twice
        assert holder.generation == generation + 1
    finally:
        assistant.close()
