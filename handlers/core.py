"""Core conversation: greeting, help, hotlines and cited answers to free questions.

The decline and bad-input messages are written here, once, so the terminal, Telegram, Zalo and
`cchc ask --json` all say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.dispatch import Command, Dispatcher, clean_text
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Button, Citation, Incoming, Reply
from handlers.office import Office, help_number_from
from handlers.procedure_answer import answer_procedure
from handlers.render_text import shorten
from handlers.state_db import StateDB
from knowledge.contacts import contact_owner
from retrieval.contacts import ContactView
from retrieval.results import AskResult, Hit

MAX_QUESTION_CHARS = 1000
# Under a passage restored by machine from a damaged scan: people must know, and can check the scan.
SCAN_NOTE = ("(Văn bản quét, đã được máy tự động khôi phục dấu tiếng Việt; "
             "nguyên văn bản quét: chọn “Xem bản quét gốc”.)")
SCAN_BUTTON = "Xem bản quét gốc"

GONE_TEXT = "Đoạn văn này không còn trong cơ sở tri thức (có thể tài liệu vừa được cập nhật)."

GREETING = (
    "Xin chào{name}! Tôi là Trợ lý CCHC — trợ lý hỏi đáp về cải cách hành chính.\n"
    "• Hỏi tôi bất cứ điều gì về các kế hoạch CCHC (có dấu hay không dấu đều được), "
    "tôi trả lời kèm trích dẫn văn bản.\n"
    "• /hotline — số đường dây nóng, cổng dịch vụ công.\n"
    "• /quiz — luyện câu hỏi trắc nghiệm, /thi — thi thử như cuộc thi trực tuyến.\n"
    "Gõ /help để xem tất cả các lệnh."
)


_PERIOD_NAMES = {"6 thang dau": "6 tháng đầu năm", "6 thang cuoi": "6 tháng cuối năm", "quy 1": "quý I",
                 "quy 2": "quý II", "quy 3": "quý III", "quy 4": "quý IV"}


def constraint_text(missing: object) -> str:
    """One plain sentence on what the documents do not cover, and what they cover instead."""
    kind = getattr(missing, "kind", "")
    asked = getattr(missing, "asked", "")
    have = list(getattr(missing, "have", ()) or ())
    if kind == "year":
        text = f"Xin lỗi, các tài liệu hiện có không có thông tin cho năm {asked}"
        if have:
            text += f" (các tài liệu hiện có là năm {', '.join(have)})"
        return text + ", nên tôi không trả lời để tránh nhầm lẫn."
    if kind == "period":
        asked_name = _PERIOD_NAMES.get(asked, asked)
        have_names = ", ".join(_PERIOD_NAMES.get(h, h) for h in have)
        text = f"Xin lỗi, các tài liệu hiện có không nói về {asked_name}"
        if have_names:
            text += f" (chỉ có {have_names})"
        return text + ", nên tôi không trả lời để tránh nhầm lẫn."
    if kind == "place":
        return (f"Xin lỗi, các tài liệu hiện có không nói về địa bàn “{asked.title()}”, "
                "nên tôi không trả lời để tránh nhầm với nơi khác.")
    if kind == "plan":
        return f"Xin lỗi, tôi không tìm thấy văn bản số {asked} trong các tài liệu hiện có."
    return ""


def contact_source(holder: KnowledgeHolder, contact: ContactView) -> str:
    """The plan a contact comes from: "Kế hoạch 155/KH-SYT", or, for a plan without a number, its
    title cut at a word boundary (the engine's reference cuts it mid-word)."""
    doc = holder.engine.docs.get(contact.doc_id) or {}
    if doc.get("number") or not doc.get("title"):
        return contact.doc_ref
    return shorten(doc["title"], 80)


def hit_citation(hit: Hit) -> Citation:
    return Citation(doc_id=hit.doc_id, title=hit.title, number=hit.number, date=hit.date,
                    issuer=hit.issuer, section=hit.section, quote=hit.text)


# Emergencies (someone hurt, a fire, drowning, a robbery): the national emergency numbers at once.
EMERGENCY_TEXT = ("Nếu đang có người gặp nguy hiểm, hãy gọi ngay: 115 (cấp cứu y tế), 114 (cứu hỏa, cứu nạn cứu "
                  "hộ), 113 (công an), 112 (tìm kiếm cứu nạn). Các số này miễn phí, gọi được cả khi điện thoại "
                  "hết tiền. Đường dây nóng cải cách hành chính và dịch vụ công không xử lý tình huống khẩn cấp.")


class AskService:
    """Answers a question from the serving knowledge base, with Vietnamese decline messages."""

    def __init__(self, holder: KnowledgeHolder, office: Office | None = None) -> None:
        self.holder = holder
        self.office = office or Office()

    def ask(self, question: str, k: int = 3) -> AskResult:
        self.holder.refresh_if_changed()
        engine = self.holder.engine  # one snapshot for the whole answer
        question = clean_text(question)
        if len(question) > MAX_QUESTION_CHARS:
            return AskResult(question, False, (
                f"Câu hỏi của bạn dài quá ({len(question)} ký tự). Bạn hãy rút gọn dưới "
                f"{MAX_QUESTION_CHARS} ký tự, mỗi lần hỏi một ý nhé."), reason="too_long")
        result = engine.ask(question, k=k)
        if result.reason == "emergency":  # before anything else: never a procedure, never a hotline of ours
            return AskResult(result.question, False, EMERGENCY_TEXT, reason="emergency")
        procedure = answer_procedure(engine, question, result, k)  # handlers/procedure_answer.py
        if procedure is not None:
            return procedure
        if result.found:
            return result
        if result.reason in ("empty", "no_terms"):
            text = ("Tôi chưa thấy câu hỏi nào trong tin nhắn của bạn. Bạn hãy gõ câu hỏi bằng chữ, "
                    "ví dụ: “Số đường dây nóng hỗ trợ dịch vụ công là gì?”")
        else:
            why = constraint_text(result.detail) if result.reason == "constraint" else ""
            if result.reason == "cited_only":
                why = ("Xin lỗi, các tài liệu hiện có chỉ trích dẫn văn bản bạn hỏi, không có nội dung của văn bản "
                       "đó nên tôi không trả lời được.")
            text = self.decline_text(why)
        return AskResult(result.question, False, text, result.citations, result.reason, result.detail)

    def decline_text(self, why: str = "") -> str:
        """Say we do not know (and why, when a year, place or plan is not covered), and point to the
        office's own hotline and portal (CCHC_OFFICE_*); without them, to a national line the
        documents name, else to the hotline and portal they name, saying whose line it is."""
        text = why or "Xin lỗi, tôi không tìm thấy nội dung này trong các tài liệu hiện có."
        if self.office.has_contact:
            return f"{text} {self.office.help_sentence()}"
        engine = self.holder.engine
        hotline, portal = engine.help_contacts()
        contacts = engine.contacts() if hotline else []
        hotline = help_number_from([c.value for c in contacts]) or hotline
        pointers = []
        if hotline:
            owner = next((contact_owner(c.value, c.owner) for c in contacts if c.value == hotline), "")
            pointers.append(f"gọi đường dây nóng {hotline}" + (f" ({owner})" if owner else ""))
        if portal:
            pointers.append(f"truy cập {portal}")
        if pointers:
            text += " Để được hỗ trợ, bạn có thể " + " hoặc ".join(pointers) + "."
        return text


def register_core(dispatcher: Dispatcher, holder: KnowledgeHolder, state: StateDB,
                  extra_help: Callable[[Incoming], str] | None = None, office: Office | None = None) -> AskService:
    """Wire /start, /help, /hotline, /hoi, free text and the answer buttons into `dispatcher`."""
    service = AskService(holder, office)

    def answer(incoming: Incoming, question: str) -> list[Reply]:
        if not question:
            return [Reply("Bạn hãy gõ câu hỏi sau lệnh, ví dụ: /hoi số đường dây nóng là gì?")]
        result = service.ask(question)
        top = result.citations[0] if result.citations and result.found else None
        log_id = state.log_question(incoming.platform, incoming.user_id, incoming.chat_id,
                                    question[:MAX_QUESTION_CHARS], result.found,
                                    top.doc_id if top else "", str(top.passage_id) if top else "",
                                    top.score if top else 0.0)
        if not result.found or top is None:
            return [Reply(result.answer)]
        # A passage can be shown whole; a signature block (passage_id 0) is already shown whole.
        buttons = [Button("Xem nguyên văn", f"src:{top.passage_id}")] if top.passage_id else []
        if len(result.citations) > 1:
            buttons.append(Button("Kết quả khác", f"more:{log_id}"))
        return [Reply(result.answer, citation=hit_citation(top), buttons=tuple(buttons))]

    def start(incoming: Incoming, _args: str) -> list[Reply]:
        name = f", {incoming.user_name}" if incoming.user_name else ""
        return [Reply(GREETING.format(name=name))]

    def help_(incoming: Incoming, _args: str) -> list[Reply]:
        lines = ["Các lệnh bạn có thể dùng:"]
        lines += [f"/{name} — {desc}" for name, desc in dispatcher.menu(admin=incoming.is_admin)]
        lines.append("Hoặc cứ gõ câu hỏi, ví dụ: “kế hoạch tuyên truyền CCHC năm 2018 có chủ đề gì?”")
        return [Reply("\n".join(lines))]

    def hotline(_incoming: Incoming, args: str) -> list[Reply]:
        """The office's own contacts first, then those the documents name, each with its owner: a
        national number as national, any other as the line of the body whose plan names it."""
        office = service.office
        contacts = [c for c in holder.engine.contacts(args) if not office.owns(c.value)]
        lines = office.lines()
        if not contacts:
            if lines:
                return [Reply("\n".join(lines))]
            return [Reply("Các tài liệu hiện có chưa nêu số đường dây nóng hay cổng thông tin nào.")]
        if lines:
            lines.append("")
        lines.append("Đường dây nóng, cổng thông tin nêu trong các tài liệu:")
        for c in contacts[:12]:
            owner = contact_owner(c.value, c.owner)
            owner = f" — {owner}" if owner else ""
            lines.append(f"• {c.label}: {c.value}{owner} (theo {contact_source(holder, c)})")
        return [Reply("\n".join(lines))]

    def show_source(_incoming: Incoming, rest: str) -> list[Reply]:
        """The whole passage; a restored one with a note and a way to the raw scan it comes from."""
        hit = holder.engine.passage(int(rest)) if rest.isdigit() else None
        if hit is None:
            return [Reply(GONE_TEXT)]
        if not hit.restored:
            return [Reply(f"Nguyên văn:\n{hit.source_text}", citation=hit_citation(hit))]
        return [Reply(f"Nguyên văn:\n{hit.text}\n\n{SCAN_NOTE}", citation=hit_citation(hit),
                      buttons=(Button(SCAN_BUTTON, f"scan:{hit.passage_id}"),))]

    def show_scan(_incoming: Incoming, rest: str) -> list[Reply]:
        """The passage exactly as the scan has it (what the restored text was made from)."""
        hit = holder.engine.passage(int(rest)) if rest.isdigit() else None
        if hit is None:
            return [Reply(GONE_TEXT)]
        return [Reply(f"Bản quét gốc (chưa khôi phục dấu):\n{hit.source_text}", citation=hit_citation(hit))]

    def more_results(incoming: Incoming, rest: str) -> list[Reply]:
        rows = state.query("SELECT question FROM questions_log WHERE id = ? AND user_id = ?",
                           (int(rest) if rest.isdigit() else -1, incoming.user_id))
        if not rows:
            return [Reply("Kết quả này đã hết hạn. Bạn hãy gửi lại câu hỏi nhé.")]
        result = service.ask(rows[0]["question"], k=4)
        others = result.citations[1:4] if result.found else []
        if not others:
            return [Reply("Không có kết quả nào khác cho câu hỏi này.")]
        return [Reply(f"Kết quả {i}:\n{hit.text}", citation=hit_citation(hit),
                      buttons=(Button("Xem nguyên văn", f"src:{hit.passage_id}"),))
                for i, hit in enumerate(others, 2)]

    def non_text(incoming: Incoming) -> list[Reply]:
        what = {"image": "hình ảnh", "sticker": "nhãn dán", "voice": "tin nhắn thoại",
                "file": "tệp"}.get(incoming.kind, "loại tin nhắn này")
        return [Reply(f"Cảm ơn bạn! Hiện tôi chưa đọc được {what}. Bạn hãy gõ câu hỏi bằng chữ nhé.")]

    dispatcher.add_command(Command("start", "Bắt đầu, giới thiệu trợ lý", start))
    dispatcher.add_command(Command("help", "Hướng dẫn sử dụng và các lệnh", help_), "trogiup")
    dispatcher.add_command(Command("hotline", "Số đường dây nóng, cổng dịch vụ công", hotline),
                           "duongdaynong", "lienhe")
    dispatcher.add_command(Command("hoi", "Đặt câu hỏi về các kế hoạch CCHC", answer), "ask")
    dispatcher.add_callback("src", show_source)
    dispatcher.add_callback("scan", show_scan)
    dispatcher.add_callback("more", more_results)
    dispatcher.free_text = answer
    dispatcher.non_text = non_text
    return service
