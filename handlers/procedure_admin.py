"""Changing the procedures an office serves, for `cchc tthc`, the admin chat and the web page.

An import or removal changes the office's store in the data dir (knowledge/procedures/catalogue.py)
and rebuilds the knowledge DB, so procedures and documents stay one generation; if the rebuild
fails, the store is put back as it was and the old knowledge DB keeps serving.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from handlers.kb_admin import KnowledgeAdmin
from handlers.knowledge_holder import KnowledgeHolder
from knowledge.procedures.catalogue import (
    OFFICE_FILE,
    REMOVED_FILE,
    ImportReport,
    import_records,
    office_dir,
    remove_code,
)
from knowledge.procedures.importers import ReadResult, read_any, read_bytes

log = logging.getLogger(__name__)
NOTHING_TEXT = "Không có thủ tục nào được nhập; cơ sở tri thức giữ nguyên."


class ProcedureAdmin:
    """Import and remove procedures, then rebuild (and reload `holder` when a bot is running)."""

    def __init__(self, kb: KnowledgeAdmin, holder: KnowledgeHolder | None = None) -> None:
        self.kb = kb
        self.holder = holder
        self.data_dir = Path(kb.kb_path).parent

    @contextmanager
    def _store_locked(self) -> Iterator[dict[str, bytes | None]]:
        """The office store locked against a concurrent change, with its files as they were."""
        store = office_dir(self.data_dir)
        store.mkdir(parents=True, exist_ok=True)
        with open(store / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            before = {}
            for name in (OFFICE_FILE, REMOVED_FILE):
                path = store / name
                before[name] = path.read_bytes() if path.exists() else None
            yield before

    def _restore(self, before: dict[str, bytes | None]) -> None:
        store = office_dir(self.data_dir)
        for name, data in before.items():
            path = store / name
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)

    def _rebuild(self, before: dict[str, bytes | None]) -> tuple[bool, str]:
        if self.holder is not None:
            with self.holder.updating():
                outcome = self.kb.rebuild()
        else:
            outcome = self.kb.rebuild()
        if not outcome.ok:
            self._restore(before)
            return False, outcome.message
        if self.holder is not None:
            try:
                self.holder.reload_from_disk()
            except Exception:
                log.exception("the rebuilt knowledge DB could not be opened")
        served = outcome.report.procedures if outcome.report is not None else 0
        return True, f"Đã dựng lại cơ sở tri thức: {served} thủ tục đang phục vụ."

    def import_read(self, read: ReadResult) -> tuple[bool, str]:
        """Keep `read`'s good records and rebuild; (changed, the Vietnamese report)."""
        with self._store_locked() as before:
            report: ImportReport = import_records(self.data_dir, read)
            if not report.imported and not report.replaced:
                return False, f"{report.text()}\n{NOTHING_TEXT}"
            ok, message = self._rebuild(before)
        if not ok:
            return False, f"{report.text()}\nKhông dựng lại được cơ sở tri thức nên chưa nhập: {message}"
        return True, f"{report.text()}\n{message}"

    def import_path(self, path: Path) -> tuple[bool, str]:
        return self.import_read(read_any(path))

    def import_bytes(self, data: bytes, filename: str) -> tuple[bool, str]:
        return self.import_read(read_bytes(data, filename))

    def remove(self, code: str) -> tuple[bool, str]:
        code = code.strip()
        with self._store_locked() as before:
            if not remove_code(self.data_dir, code):
                return False, f"Không có thủ tục mã {code[:40]} trong danh mục đang phục vụ."
            ok, message = self._rebuild(before)
        if not ok:
            return False, f"Không xoá được thủ tục {code}: {message}"
        return True, f"Đã xoá thủ tục {code}. {message}"


# -- chat commands --------------------------------------------------------------------------------
def register_procedure_admin(dispatcher: Any, holder: KnowledgeHolder, state: Any,
                             kb: KnowledgeAdmin) -> ProcedureAdmin:
    """/thutuc (anyone: a card by code, or the procedures matching some words), /nhapthutuc and
    /xoathutuc (admins), and catalogue files (.jsonl, .json, .csv, .gz) an admin sends."""
    from handlers.dispatch import Command
    from handlers.messages import Incoming, Reply
    from handlers.procedure_card import card_text
    from retrieval.procedures import matcher_for

    admin = ProcedureAdmin(kb, holder)

    def audit(incoming: Incoming, action: str, detail: str, allowed: bool = True) -> None:
        state.audit(incoming.platform, incoming.user_id, action, detail[:300], allowed)

    def show(_incoming: Incoming, args: str) -> list[Reply]:
        matcher = matcher_for(holder.engine)
        query = args.strip()
        if not query:
            return [Reply("Gõ /thutuc <mã> (ví dụ /thutuc 1.001193) hoặc /thutuc <tên thủ tục> để tìm.")]
        record = matcher.record(query)
        if record is not None:
            return [Reply(card_text(record))]
        found = matcher.rank(query, 8)
        if not found:
            return [Reply(f"Không tìm thấy thủ tục nào khớp “{query[:80]}”.")]
        lines = [f"Các thủ tục khớp “{query[:80]}”:"]
        lines += [f"• {c.code} — {c.name} ({c.level or 'cấp không ghi'})" for c in found]
        lines.append("Gõ /thutuc <mã> để xem chi tiết.")
        return [Reply("\n".join(lines))]

    def import_(incoming: Incoming, _args: str) -> list[Reply]:
        if incoming.attachment is None:
            audit(incoming, "nhapthutuc", "không có tệp")
            return [Reply("Bạn hãy gửi tệp thủ tục (.jsonl, .json, .csv, có thể nén .gz, hoặc trang chi tiết "
                          ".docx/.pdf/.html/.txt) kèm chú thích /nhapthutuc. Trên máy chủ: cchc tthc import TỆP.")]
        changed, text = admin.import_bytes(incoming.attachment.data, incoming.attachment.filename)
        audit(incoming, "nhapthutuc", f"{incoming.attachment.filename[:120]}: {'ok' if changed else 'không đổi'}")
        return [Reply(text)]

    def remove(incoming: Incoming, args: str) -> list[Reply]:
        if not args.strip():
            return [Reply("Gõ /xoathutuc <mã>, ví dụ /xoathutuc 1.012753.H19.")]
        ok, text = admin.remove(args.strip())
        audit(incoming, "xoathutuc", f"{args.strip()[:60]}: {'ok' if ok else 'không có'}")
        return [Reply(text)]

    dispatcher.add_command(Command("thutuc", "Xem một thủ tục hành chính: /thutuc <mã hoặc tên>", show))
    dispatcher.add_command(Command("nhapthutuc", "Nhập thủ tục (gửi tệp kèm chú thích này)", import_,
                                   admin_only=True))
    dispatcher.add_command(Command("xoathutuc", "Ngừng phục vụ một thủ tục: /xoathutuc <mã>", remove,
                                   admin_only=True))
    previous = dispatcher.non_text

    def non_text(incoming: Incoming) -> list[Reply]:
        """An admin's catalogue file (by its name) is a procedure import; anything else as before."""
        name = (incoming.attachment.filename if incoming.attachment is not None else "").lower().removesuffix(".gz")
        if incoming.kind == "file" and incoming.is_admin and name.endswith(CATALOGUE_SUFFIXES):
            return import_(incoming, "")
        return previous(incoming) if previous is not None else [Reply("Xin lỗi, tôi chỉ đọc được tin nhắn chữ.")]

    dispatcher.non_text = non_text
    return admin


CATALOGUE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")
