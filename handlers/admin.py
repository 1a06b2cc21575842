"""Admin features: manage the knowledge base from the chat, and see how the bot is used.

  /reload          rebuild the knowledge DB from the documents folder and serve it (admin)
  (a file)         an admin's .docx/.pdf/.txt/.md is checked, added, and served (admin)
  /themtailieu     how to add a document (Zalo cannot deliver files: use `cchc kb add`) (admin)
  /tailieu         the documents being served (everyone: it is public information)
  /xoa <mã>        remove a document and serve the rest (admin)
  /thongke         questions per day, answered vs declined, knowledge gaps, quiz activity (admin)

Every change goes through `KnowledgeAdmin` (new DB file, validated, os.replace) and then
`KnowledgeHolder.reload_from_disk`, so a failed change leaves the old knowledge base serving. The
rebuild runs in the admin's own dispatch thread and takes no lock that a question needs: other
users keep being answered by the old engine until the new one is swapped in. Every admin action,
and every refused attempt, is written to the audit log in the state DB.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from handlers.dispatch import Command, Dispatcher
from handlers.insights import knowledge_gaps, usage_by_day
from handlers.kb_admin import KnowledgeAdmin, Outcome, audit_to
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Incoming, Reply
from handlers.render_text import shorten
from handlers.state_db import StateDB
from knowledge.text import fold

log = logging.getLogger(__name__)

MB = 1024 * 1024
FILE_PLATFORMS = frozenset({"telegram"})  # channels that can deliver a user's file to the bot
PLATFORM_NAMES = {"zalo": "Zalo", "console": "cửa sổ dòng lệnh", "telegram": "Telegram", "web": "trang web"}
BUSY_WAIT_SECONDS = 300.0  # a second change waits for the first one (an admin may send 3 files at once)
GAP_DAYS = 30
STATS_DAYS = 7
# The columns /thongke reads from the quiz feature's tables (handlers/quiz_store.py).
QUIZ_ATTEMPT_COLUMNS = frozenset({"platform", "user_id", "mode", "status", "correct", "answered"})
QUIZ_EXAM_COLUMNS = frozenset({"platform", "user_id", "status", "score", "n_questions", "started"})

FILE_NOT_ADMIN_TEXT = ("Cảm ơn bạn đã gửi tệp! Hiện tôi chưa đọc được tệp bạn gửi: chỉ quản trị viên mới "
                       "thêm được tài liệu vào cơ sở tri thức. Bạn hãy gõ câu hỏi bằng chữ nhé.")
NO_FILE_DATA_TEXT = ("Tôi chưa nhận được nội dung tệp. Bạn hãy gửi lại tệp (.docx, .pdf có lớp chữ, .txt "
                     "hoặc .md) dưới dạng tài liệu nhé.")
BUSY_TEXT = ("Đang có một thao tác cập nhật cơ sở tri thức khác chưa xong. Bạn thử lại sau ít phút nhé; "
             "cơ sở tri thức hiện tại vẫn đang phục vụ.")
UNCHANGED_NOTE = "Cơ sở tri thức hiện tại không thay đổi và vẫn đang phục vụ."


class AdminSettings(Protocol):
    """What the admin feature reads from bot.settings.Settings (handlers never import bot/)."""

    docs_dir: Path
    max_upload_mb: int

    @property
    def kb_path(self) -> Path: ...


class AdminService:
    """The admin commands; one instance per assistant."""

    def __init__(self, holder: KnowledgeHolder, state: StateDB, docs_dir: Path, kb_path: Path,
                 max_upload_mb: int) -> None:
        self.holder = holder
        self.state = state
        self.kb = KnowledgeAdmin(docs_dir, kb_path, max_bytes=max_upload_mb * MB, audit=audit_to(state))
        self.max_upload_mb = max_upload_mb
        self._busy = threading.Lock()

    # -- audit ---------------------------------------------------------------------------------
    def audit(self, incoming: Incoming, action: str, detail: str, allowed: bool) -> None:
        """Write one audit row; a failing audit write is logged but never loses the reply."""
        try:
            self.state.audit(incoming.platform, incoming.user_id, action, detail[:500], allowed)
        except Exception:
            log.exception("audit log write failed (%s by %s:%s)", action, incoming.platform, incoming.user_id)

    # -- changing the knowledge base -------------------------------------------------------------
    def _change(self, change: Callable[[], Outcome]) -> Outcome:
        """Run one knowledge-base change and serve its result; the old engine serves until then."""
        if not self._busy.acquire(timeout=BUSY_WAIT_SECONDS):
            return Outcome(False, BUSY_TEXT)
        try:
            with self.holder.updating():
                outcome = change()
                if outcome.ok and outcome.report is not None:
                    try:
                        self.holder.reload_from_disk()
                    except Exception as exc:
                        log.exception("the rebuilt knowledge DB could not be opened")
                        return Outcome(False, "Đã dựng lại cơ sở tri thức nhưng không mở được tệp mới "
                                              f"({type(exc).__name__}); cơ sở tri thức cũ vẫn đang phục vụ.")
            return outcome
        finally:
            self._busy.release()

    @staticmethod
    def _summary(outcome: Outcome) -> str:
        """One line for the audit log."""
        if not outcome.ok:
            return "lỗi: " + " ".join(outcome.message.split())[:300]
        return (f"ok: thêm {','.join(outcome.added) or '-'}; bỏ {','.join(outcome.removed) or '-'}; "
                f"đổi {','.join(outcome.changed) or '-'}")

    @staticmethod
    def _reply(outcome: Outcome) -> list[Reply]:
        text = outcome.message
        if not outcome.ok and "vẫn đang phục vụ" not in text:
            text = f"{text}\n{UNCHANGED_NOTE}"
        return [Reply(text)]

    def reload(self, incoming: Incoming, _args: str) -> list[Reply]:
        outcome = self._change(self.kb.rebuild)
        self.audit(incoming, "reload", self._summary(outcome), True)
        return self._reply(outcome)

    def add_file(self, incoming: Incoming) -> list[Reply]:
        """An admin's file: checked (size, type by content, readable), added, rebuilt, served."""
        attachment = incoming.attachment
        if attachment is None:
            self.audit(incoming, "upload", "không có dữ liệu tệp", True)
            return [Reply(NO_FILE_DATA_TEXT)]
        name = Path(attachment.filename.replace("\\", "/")).name or "tệp"
        by = f"{incoming.platform}:{incoming.user_id}"
        outcome = self._change(lambda: self.kb.add_document(attachment.filename, attachment.data, by=by))
        self.audit(incoming, "upload", f"{name[:120]} ({len(attachment.data)} byte) {self._summary(outcome)}",
                   True)
        return self._reply(outcome)

    def add_help(self, incoming: Incoming, _args: str) -> list[Reply]:
        """`/themtailieu`: with a file (its caption) add it; otherwise say how, per channel."""
        if incoming.attachment is not None:
            return self.add_file(incoming)
        self.audit(incoming, "themtailieu", "", True)
        if incoming.platform not in FILE_PLATFORMS:
            where = PLATFORM_NAMES.get(incoming.platform, incoming.platform)
            return [Reply(
                f"Bot trên {where} không nhận được tệp, nên không thêm tài liệu qua trò chuyện ở đây được.\n"
                "Bạn hãy chép tệp lên máy chủ và chạy lệnh: cchc kb add TỆP (ví dụ: cchc kb add "
                "ke-hoach-cchc-2025.docx). Bot đang chạy sẽ tự nạp tài liệu mới, không cần khởi động lại. "
                "Trang quản trị /admin của kênh web cũng có mục tải tài liệu lên.")]
        return [Reply(
            "Bạn hãy gửi tệp tài liệu vào cuộc trò chuyện này (gửi dưới dạng tệp, không phải ảnh): .docx, "
            f".pdf có lớp chữ, .txt hoặc .md, tối đa {self.max_upload_mb} MB. Tôi sẽ kiểm tra, thêm vào cơ "
            "sở tri thức và báo lại số hiệu, ngày ban hành và số đoạn văn đã đọc được.\n"
            "Gửi lại tệp cùng tên để thay bản cũ; /xoa <mã> để xoá; /tailieu để xem danh sách.")]

    def remove(self, incoming: Incoming, args: str) -> list[Reply]:
        if not args:
            self.audit(incoming, "xoa", "thiếu mã", True)
            return [Reply("Bạn hãy ghi mã tài liệu cần xoá sau lệnh, ví dụ: /xoa 004_1ddf88fba73ab6aa. "
                          "Gõ /tailieu để xem mã các tài liệu.")]
        doc_id = self._resolve(args)
        if doc_id is None:
            self.audit(incoming, "xoa", f"{args[:120]} lỗi: không tìm thấy", True)
            return [Reply(f"Không có tài liệu mã “{args[:80]}”. Gõ /tailieu để xem mã các tài liệu.")]
        by = f"{incoming.platform}:{incoming.user_id}"
        outcome = self._change(lambda: self.kb.remove_document(doc_id, by=by))
        self.audit(incoming, "xoa", f"{doc_id} {self._summary(outcome)}", True)
        return self._reply(outcome)

    def _resolve(self, arg: str) -> str | None:
        """The document an admin means: its id, its file name, or its number (155/KH-SYT)."""
        arg = arg.strip().strip("“”\"'")
        docs = self.holder.engine.docs
        if arg in docs:
            return arg
        by_name = [d for d, row in docs.items() if row.get("filename") == arg]
        if by_name:
            return by_name[0]
        stem = Path(arg).stem
        if stem in docs:
            return stem
        by_number = [d for d, row in docs.items() if row.get("number") and fold(row["number"]) == fold(arg)]
        if len(by_number) == 1:
            return by_number[0]
        on_disk = [p.stem for p in self.kb.docs_dir.glob("*") if p.stem == arg] if "/" not in arg else []
        return on_disk[0] if on_disk else None

    # -- reading -----------------------------------------------------------------------------------
    def documents(self, incoming: Incoming, _args: str) -> list[Reply]:
        """The documents being served, as the index read them."""
        self.holder.refresh_if_changed()
        docs = self.holder.engine.documents()
        if not docs:
            return [Reply("Chưa có tài liệu nào trong cơ sở tri thức.")]
        lines = [f"Cơ sở tri thức có {len(docs)} tài liệu:"]
        for d in docs:
            number = f"số {d['number']}" if d.get("number") else "không rõ số hiệu"
            day = d.get("date") or ""
            when = (f"ngày {day}" if day.count("/") == 2 else f"năm {day}") if day else "không rõ ngày"
            lines.append(f"• {d['doc_id']} — {shorten(d.get('title') or d.get('filename') or '', 100)} "
                         f"({number}, {when}) — {d.get('passages') or 0} đoạn")
        if incoming.is_admin:
            lines.append("Xoá một tài liệu: /xoa <mã>. Thêm: gửi tệp vào đây, hoặc /themtailieu để xem cách.")
        return [Reply("\n".join(lines))]

    def stats(self, incoming: Incoming, _args: str) -> list[Reply]:
        self.audit(incoming, "thongke", "", True)
        return [Reply(self.stats_text())]

    def stats_text(self, now: float | None = None) -> str:
        """Usage over the last days, from the state DB only (never from the knowledge DB)."""
        now = time.time() if now is None else now
        today = datetime.fromtimestamp(now).date()
        first_day = today - timedelta(days=STATS_DAYS - 1)
        since = datetime.combine(first_day, datetime.min.time()).timestamp()
        lines = [f"Thống kê {STATS_DAYS} ngày gần nhất (số câu hỏi: trả lời được / từ chối):"]
        total = answered = 0
        for usage in usage_by_day(self.state, STATS_DAYS, now):
            total += usage.total
            answered += usage.answered
            lines.append(f"• {usage.day:%d/%m}: {usage.total} câu — {usage.answered} trả lời được, "
                         f"{usage.total - usage.answered} từ chối")
        share = f" ({100 * answered / total:.0f}% trả lời được)" if total else ""
        lines.append(f"Cộng: {total} câu, {answered} trả lời được, {total - answered} từ chối{share}.")

        lines.append("")
        lines += self._gaps_lines(now)
        lines.append("")
        lines += self._quiz_lines(since)
        lines.append("")
        engine = self.holder.engine
        passages = sum(int(d.get("passages") or 0) for d in engine.documents())
        lines.append(f"Cơ sở tri thức: {len(engine.docs)} tài liệu, {passages} đoạn văn.")
        audit = self.state.query("SELECT SUM(allowed) AS done, COUNT(*) - SUM(allowed) AS refused "
                                 "FROM audit_log WHERE ts >= ?", (since,))
        if audit and audit[0]["done"] is not None:
            lines.append(f"Nhật ký quản trị {STATS_DAYS} ngày: {int(audit[0]['done'])} thao tác, "
                         f"{int(audit[0]['refused'])} lần bị từ chối vì không phải quản trị viên.")
        return "\n".join(lines)

    def _gaps_lines(self, now: float) -> list[str]:
        """The questions declined most often: what the documents do not cover (or say unclearly)."""
        gaps = knowledge_gaps(self.state, GAP_DAYS, limit=10, now=now)
        if not gaps:
            return [f"Không có câu hỏi nào bị từ chối trong {GAP_DAYS} ngày qua."]
        lines = [f"Câu hỏi bị từ chối nhiều nhất ({GAP_DAYS} ngày) — chỗ tài liệu còn thiếu:"]
        lines += [f"• {g.count} lần: {g.text[:150]}" for g in gaps]
        return lines

    def _quiz_lines(self, since: float) -> list[str]:
        """Quiz and exam activity, read defensively: the quiz feature owns (and may change) its
        tables, so only tables and columns that exist are read, and an unknown table still gets a
        generic line instead of breaking the statistics."""
        tables = [r["name"] for r in self.state.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if any(k in r["name"].lower() for k in ("quiz", "exam"))]
        if not tables:
            return ["Luyện trắc nghiệm: chưa có dữ liệu."]
        lines = [f"Luyện trắc nghiệm và thi thử ({STATS_DAYS} ngày):"]
        for table in tables:
            cols = {r["name"] for r in self.state.query(f"PRAGMA table_info([{table}])")}
            try:
                if table == "quiz_attempts" and QUIZ_ATTEMPT_COLUMNS <= cols:
                    lines.append(self._practice_line(since))
                elif table == "quiz_exams" and QUIZ_EXAM_COLUMNS <= cols:
                    lines.append(self._exams_line(since))
                else:
                    lines.append(self._table_activity(table, cols, since))
            except Exception:
                log.warning("quiz statistics for table %s failed", table, exc_info=True)
        return lines

    def _practice_line(self, since: float) -> str:
        row = self.state.query(
            "SELECT COUNT(*) AS n, AVG(correct) AS rate, COUNT(DISTINCT platform || ':' || user_id) AS users "
            "FROM quiz_attempts WHERE status = 'answered' AND mode != 'exam' AND answered >= ?", (since,))[0]
        rate = f", đúng {100 * float(row['rate']):.0f}%" if row["rate"] is not None else ""
        return f"• Luyện tập, ôn lại: {row['n']} câu đã trả lời{rate}, {row['users']} người dùng."

    def _exams_line(self, since: float) -> str:
        row = self.state.query(
            "SELECT COUNT(*) AS started, SUM(status = 'finished') AS finished, "
            "AVG(CASE WHEN status = 'finished' AND n_questions > 0 THEN 1.0 * score / n_questions END) AS rate, "
            "COUNT(DISTINCT platform || ':' || user_id) AS users FROM quiz_exams WHERE started >= ?", (since,))[0]
        best = self.state.query(
            "SELECT score, n_questions FROM quiz_exams WHERE status = 'finished' AND started >= ? "
            "ORDER BY 1.0 * score / MAX(n_questions, 1) DESC, score DESC LIMIT 1", (since,))
        text = (f"• Thi thử: {row['started']} bài bắt đầu, {int(row['finished'] or 0)} bài hoàn thành, "
                f"{row['users']} người dùng")
        if row["rate"] is not None and best:
            text += (f"; bài hoàn thành đúng trung bình {100 * float(row['rate']):.0f}%, "
                     f"cao nhất {best[0]['score']}/{best[0]['n_questions']}")
        return text + "."

    def _table_activity(self, table: str, cols: set[str], since: float) -> str:
        quoted = f"[{table}]"
        parts = [f"{self.state.query(f'SELECT COUNT(*) AS n FROM {quoted}')[0]['n']} dòng"]
        ts_col = next((c for c in ("ts", "created", "created_at", "started", "started_at", "answered")
                       if c in cols), None)
        where = f" WHERE [{ts_col}] >= ?" if ts_col else ""
        params: tuple = (since,) if ts_col else ()
        if ts_col:
            recent = self.state.query(f"SELECT COUNT(*) AS n FROM {quoted}{where}", params)[0]["n"]
            parts.append(f"{recent} trong {STATS_DAYS} ngày")
        if "user_id" in cols:
            users = self.state.query(f"SELECT COUNT(DISTINCT user_id) AS n FROM {quoted}{where}", params)
            parts.append(f"{users[0]['n']} người dùng")
        for col in ("correct", "is_correct"):
            if col in cols:
                row = self.state.query(f"SELECT AVG([{col}]) AS a FROM {quoted}{where}", params)[0]
                if row["a"] is not None:
                    parts.append(f"đúng {100 * float(row['a']):.0f}%")
                break
        return f"• {table}: " + ", ".join(parts)


def register(*, dispatcher: Dispatcher, holder: KnowledgeHolder, state: StateDB, settings: AdminSettings,
             **_: object) -> AdminService:
    """Wire the admin commands, admin file uploads and the audit of refused attempts."""
    service = AdminService(holder, state, Path(settings.docs_dir), Path(settings.kb_path),
                           int(settings.max_upload_mb))

    dispatcher.add_command(Command("tailieu", "Danh sách tài liệu trong cơ sở tri thức", service.documents),
                           "docs")
    dispatcher.add_command(Command("reload", "Dựng lại cơ sở tri thức từ thư mục tài liệu", service.reload,
                                   admin_only=True), "naplai")
    dispatcher.add_command(Command("themtailieu", "Thêm tài liệu (gửi tệp .docx/.pdf)", service.add_help,
                                   admin_only=True), "upload")
    dispatcher.add_command(Command("xoa", "Xoá một tài liệu: /xoa <mã>", service.remove, admin_only=True),
                           "xoatailieu")
    dispatcher.add_command(Command("thongke", "Thống kê câu hỏi, câu bị từ chối, luyện thi", service.stats,
                                   admin_only=True), "stats")

    previous_non_text = dispatcher.non_text

    def non_text(incoming: Incoming) -> list[Reply]:
        """Files: an admin's goes into the knowledge base, anyone else's is politely refused."""
        if incoming.kind == "file":
            if incoming.is_admin:
                return service.add_file(incoming)
            name = incoming.attachment.filename[:120] if incoming.attachment is not None else ""
            service.audit(incoming, "upload", name, False)
            return [Reply(FILE_NOT_ADMIN_TEXT)]
        if previous_non_text is not None:
            return previous_non_text(incoming)
        return [Reply("Xin lỗi, hiện tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi nhé.")]

    dispatcher.non_text = non_text

    previous_audit = dispatcher.audit

    def audit(incoming: Incoming, name: str, args: str, allowed: bool) -> None:
        service.audit(incoming, name, args, allowed)
        if previous_audit is not None:
            previous_audit(incoming, name, args, allowed)

    dispatcher.audit = audit
    return service
