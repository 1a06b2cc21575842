"""Admin features in-process: /reload, documents sent in the chat, /tailieu, /xoa, /thongke, the
audit log, refusals for non-admins, and the `cchc kb` command line seen by a running assistant.

Everything is real: knowledge DBs built from real .docx/.pdf files (tests/docs_factory.py), real
SQLite files in tmp dirs, the real dispatcher and, for the CLI, the real `python -m bot` process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from handlers.admin import FILE_NOT_ADMIN_TEXT
from handlers.dispatch import NOT_ADMIN_TEXT
from handlers.messages import Attachment, Reply
from knowledge.text import fold, strip_marks
from tests.admin_support import (
    ADMIN_TG,
    ADMIN_ZALO,
    USER_TG,
    USER_ZALO,
    eval_questions,
    file_identity,
    folder_snapshot,
    fresh_data,
    leftovers,
    make_settings,
)
from tests.docs_factory import (
    NEW_PLAN_FACT,
    NEW_PLAN_NUMBER,
    NEW_PLAN_QUESTION,
    PDF_PLAN_NUMBER,
    PDF_PLAN_QUESTION,
    UNDATED_NOTE_MD,
    make_big_file,
    make_docx,
    make_docx_with_broken_xml,
    make_scanned_pdf,
    make_text_pdf,
    make_truncated_docx,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "admin-kb"


@pytest.fixture
def data(kb_root: Path, tmp_path: Path) -> Path:
    return fresh_data(kb_root, tmp_path / "data")


@pytest.fixture
def assistant(data: Path) -> Assistant:
    a = build_assistant(make_settings(data))
    yield a
    a.close()


def say(assistant: Assistant, text: str, user: str = ADMIN_TG, platform: str = "telegram",
        **kw: object) -> list[Reply]:
    return assistant.dispatcher.dispatch(assistant.incoming(platform, user, user, text, **kw))


def send_file(assistant: Assistant, filename: str, data: bytes, user: str = ADMIN_TG,
              caption: str = "", platform: str = "telegram") -> str:
    replies = say(assistant, caption, user, platform, kind="file", attachment=Attachment(filename, data, ""))
    assert len(replies) == 1
    return replies[0].text


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def answers(assistant: Assistant, questions: list[str]) -> list[tuple]:
    """What the bot answers, in a comparable form (found, answer, cited passages)."""
    out = []
    for q in questions:
        r = assistant.ask.ask(q)
        out.append((q, r.found, r.answer, tuple((h.doc_id, h.passage_id, h.source_text) for h in r.citations)))
    return out


def audit_rows(assistant: Assistant) -> list[dict]:
    return assistant.state.query("SELECT platform, user_id, action, detail, allowed FROM audit_log ORDER BY id")


# -- /reload -------------------------------------------------------------------------------------

def test_reload_with_a_new_document_makes_its_answers_appear(assistant: Assistant, data: Path) -> None:
    """A .docx copied into the documents folder, then /reload: declined before, cited after; the
    reply reports what changed, the counts, and the metadata warnings."""
    before = assistant.ask.ask(NEW_PLAN_QUESTION)
    assert not before.found, before.answer
    (data / "documents" / "ke_hoach_an_lac.docx").write_bytes(make_docx())
    (data / "documents" / "ghi_chu_mot_cua.md").write_text(UNDATED_NOTE_MD, "utf-8")
    # a plan whose number line was lost: that is worth a warning
    (data / "documents" / "ke_hoach_mat_so.txt").write_text(
        "KẾ HOẠCH\nKiểm tra công vụ năm 2024 của xã Yên Lạc\nI. NỘI DUNG\n- Kiểm tra việc chấp hành giờ "
        "làm việc của công chức xã Yên Lạc mỗi quý một lần, báo cáo Chủ tịch xã.\n", "utf-8")
    generation = assistant.holder.generation

    reply = text_of(say(assistant, "/reload"))

    assert reply.startswith("Đã dựng lại cơ sở tri thức"), reply
    assert re.search(r"8 tài liệu, \d+ đoạn văn, \d+ liên hệ, \d+ câu hỏi trắc nghiệm", reply), reply
    assert "Thêm: ghi_chu_mot_cua, ke_hoach_an_lac, ke_hoach_mat_so; bỏ: không; thay đổi: không." in reply
    assert "ke_hoach_mat_so.txt: không đọc được số hiệu văn bản" in reply
    assert "Báo cáo đầy đủ: " in reply
    assert assistant.holder.generation == generation + 1

    after = assistant.ask.ask(NEW_PLAN_QUESTION)
    assert after.found and NEW_PLAN_FACT in after.answer
    top = after.citations[0]
    assert (top.doc_id, top.number, top.date) == ("ke_hoach_an_lac", NEW_PLAN_NUMBER, "15/03/2024")
    # a user asking through the chat gets the citation of the new plan
    replies = say(assistant, NEW_PLAN_QUESTION, user=USER_TG)
    assert replies[0].citation is not None and "số 77/KH-UBND ngày 15/03/2024" in replies[0].citation.label()
    assert audit_rows(assistant)[-1]["action"] == "reload"
    assert "ke_hoach_an_lac" in audit_rows(assistant)[-1]["detail"]
    assert leftovers(data) == []


def test_a_reload_skips_a_damaged_file_and_a_failed_one_keeps_the_old_knowledge_base(
        assistant: Assistant, data: Path) -> None:
    """A damaged file in the folder: /reload serves everything else and names the file and why
    (issue 13: one bad file must not keep the rest out). With nothing usable left, the rebuild is
    refused with every reason and the old knowledge base keeps serving."""
    questions = eval_questions()[:12]
    expected = answers(assistant, questions)
    (data / "documents" / "hong.docx").write_bytes(make_truncated_docx())
    generation = assistant.holder.generation

    reply = text_of(say(assistant, "/reload"))

    assert reply.startswith("Đã dựng lại cơ sở tri thức"), reply
    assert "Không dùng được 1 mục (đã bỏ qua, phần còn lại vẫn được dựng):" in reply
    assert "hong.docx có đuôi .docx nhưng nội dung là dữ liệu nhị phân" in reply
    assert "Cảnh báo:" not in reply  # the seed plans' warnings were reported when they went in
    assert assistant.holder.generation == generation + 1
    assert answers(assistant, questions) == expected

    kb = file_identity(data / "knowledge.db")
    for seed in (data / "documents").glob("*.txt"):
        seed.unlink()
    reply = text_of(say(assistant, "/reload"))
    assert "Không dựng lại được cơ sở tri thức; cơ sở tri thức cũ vẫn đang phục vụ." in reply
    assert "hong.docx có đuôi .docx" in reply and "Không còn tài liệu nào dùng được" in reply
    assert assistant.holder.generation == generation + 1
    assert file_identity(data / "knowledge.db") == kb
    assert answers(assistant, questions) == expected
    assert audit_rows(assistant)[-1]["detail"].startswith("lỗi: Không dựng lại được")
    assert leftovers(data) == []


# -- documents sent in the chat --------------------------------------------------------------------

def test_admin_sends_a_pdf_then_removes_it(assistant: Assistant, data: Path) -> None:
    folder = folder_snapshot(data / "documents")
    assert not assistant.ask.ask(PDF_PLAN_QUESTION).found

    reply = send_file(assistant, "Kế hoạch Bình Minh.pdf", make_text_pdf())

    # The PDF is typed without diacritics: the admin reads its title restored, the answer too.
    added = re.match(r"Đã thêm tài liệu Kế_hoạch_Bình_Minh: “(.+?)” — số 41/KH-UBND, ngày 09/05/2024,", reply)
    assert added, reply
    assert fold(added.group(1)) == "ke hoach tuyen truyen cai cach hanh chinh xa binh minh nam 2024"
    assert strip_marks(added.group(1)) != added.group(1), added.group(1)
    assert "Văn bản quét: 6 tài liệu được máy tự động khôi phục dấu tiếng Việt" in reply  # the seeds and it
    assert re.search(r"ngày 09/05/2024, [1-9]\d* đoạn văn\.", reply)
    found = assistant.ask.ask(PDF_PLAN_QUESTION)
    assert found.found and found.citations[0].doc_id == "Kế_hoạch_Bình_Minh"
    assert "17 gio" in fold(found.answer) and "17 gio" in found.citations[0].source_text
    listing = text_of(say(assistant, "/tailieu", user=USER_TG))
    assert "Kế_hoạch_Bình_Minh" in listing and "số 41/KH-UBND, ngày 09/05/2024" in listing
    assert "Cơ sở tri thức có 6 tài liệu" in listing

    # the same file again: nothing to do; the same content under another name: a duplicate
    assert "nội dung không thay đổi" in send_file(assistant, "Kế hoạch Bình Minh.pdf", make_text_pdf())
    dup = send_file(assistant, "ban_sao.pdf", make_text_pdf())
    assert "trùng với tài liệu đã có (mã Kế_hoạch_Bình_Minh)" in dup

    removed = text_of(say(assistant, f"/xoa {PDF_PLAN_NUMBER}"))  # by its number, as admins know it
    assert removed.startswith("Đã xoá tài liệu Kế_hoạch_Bình_Minh."), removed
    assert not assistant.ask.ask(PDF_PLAN_QUESTION).found
    assert folder_snapshot(data / "documents") == folder
    actions = [(r["action"], r["allowed"]) for r in audit_rows(assistant)]
    assert actions == [("upload", 1)] * 3 + [("xoa", 1)]
    assert "Không có tài liệu mã “khong_co_tai_lieu_nay”" in text_of(say(assistant, "/xoa khong_co_tai_lieu_nay"))
    assert "mã tài liệu cần xoá" in text_of(say(assistant, "/xoa"))
    assert leftovers(data) == []


BAD_FILES = [
    ("ke_hoach_hong.docx", make_truncated_docx, "có đuôi .docx nhưng nội dung là dữ liệu nhị phân"),
    ("ke_hoach_loi_xml.docx", make_docx_with_broken_xml, "Không đọc được tệp Word ke_hoach_loi_xml.docx"),
    ("rong.pdf", lambda: b"", "Tệp rong.pdf rỗng."),
    ("ban_quet.pdf", make_scanned_pdf, "không có lớp chữ (có thể là bản quét)"),
    ("qua_lon.pdf", make_big_file, "quá lớn (50.0 MB); giới hạn là 20 MB"),
    ("qua_lon_khong_duoi", lambda: b"PK\x03\x04" + make_big_file()[4:], "quá lớn (50.0 MB)"),
    ("thuc_ra_la_pdf.docx", make_text_pdf, "có đuôi .docx nhưng nội dung là PDF"),
    ("thuc_ra_la_chu.pdf", lambda: UNDATED_NOTE_MD.encode(), "có đuôi .pdf nhưng nội dung là văn bản thuần"),
    ("thuc_ra_la_word.txt", make_docx, "có đuôi .txt nhưng nội dung là Word (.docx)"),
    ("word_cu.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "định dạng Word cũ (.doc)"),
    ("anh.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\0" * 500, "chỉ nhận .txt, .md, .docx hoặc .pdf"),
    ("khong_chu.txt", lambda: "12.05 — 3/4 … 2024\n\n".encode(), "Tệp khong_chu.txt không có nội dung chữ."),
    # replaces a seed plan with text its quiz questions cannot be checked against: the build is
    # refused and the seed plan is put back in place
    ("000_ea17d4eb7683e29a.txt", lambda: UNDATED_NOTE_MD.encode() * 2,
     "không tìm thấy trích dẫn trong tài liệu 000_ea17d4eb7683e29a"),
]


def test_bad_files_are_refused_and_the_old_knowledge_base_keeps_answering(assistant: Assistant,
                                                                          data: Path) -> None:
    questions = eval_questions()
    expected = answers(assistant, questions)
    folder = folder_snapshot(data / "documents")
    kb = file_identity(data / "knowledge.db")
    generation = assistant.holder.generation

    for filename, make, reason in BAD_FILES:
        reply = send_file(assistant, filename, make())
        assert reason in reply, (filename, reply)
        assert reply.startswith(("Không thêm được tài liệu.", "Không dựng lại được cơ sở tri thức")), reply
        assert "vẫn đang phục vụ" in reply, reply
        assert assistant.holder.generation == generation, filename
        assert folder_snapshot(data / "documents") == folder, filename
        assert file_identity(data / "knowledge.db") == kb, filename

    assert answers(assistant, questions) == expected
    rows = audit_rows(assistant)
    assert [(r["action"], r["allowed"]) for r in rows] == [("upload", 1)] * len(BAD_FILES)
    assert all(" lỗi: " in r["detail"] for r in rows)
    assert leftovers(data) == []


def test_a_file_without_an_extension_is_named_by_its_content(assistant: Assistant, data: Path) -> None:
    reply = send_file(assistant, "ke_hoach_an_lac", make_docx(), caption="/themtailieu")
    assert reply.startswith("Đã thêm tài liệu ke_hoach_an_lac:"), reply
    assert (data / "documents" / "ke_hoach_an_lac.docx").is_file()
    assert assistant.ask.ask(NEW_PLAN_QUESTION).citations[0].doc_id == "ke_hoach_an_lac"


# -- who may do what -------------------------------------------------------------------------------

ADMIN_COMMANDS = ["/reload", "/naplai", "/xoa 004_1ddf88fba73ab6aa", "/xoatailieu 000_ea17d4eb7683e29a",
                  "/thongke", "/stats", "/themtailieu", "/upload", "/RELOAD@cchc_bot"]


def test_non_admins_are_refused_logged_and_nothing_happens(assistant: Assistant, data: Path) -> None:
    folder = folder_snapshot(data / "documents")
    kb = file_identity(data / "knowledge.db")
    generation = assistant.holder.generation
    # the same ids on the other platform are not admins: admins are platform:id pairs
    strangers = [("telegram", USER_TG), ("zalo", USER_ZALO), ("telegram", ADMIN_ZALO), ("zalo", ADMIN_TG)]

    for platform, user in strangers:
        for command in ADMIN_COMMANDS:
            assert text_of(say(assistant, command, user, platform)) == NOT_ADMIN_TEXT, (platform, command)
        assert send_file(assistant, "ke_hoach.docx", make_docx(), user, platform=platform) == FILE_NOT_ADMIN_TEXT
        caption = say(assistant, "/themtailieu", user, platform, kind="file",
                      attachment=Attachment("ke_hoach.docx", make_docx()))
        assert text_of(caption) == NOT_ADMIN_TEXT
        assert text_of(say(assistant, "", user, platform, kind="file")) == FILE_NOT_ADMIN_TEXT
        listing = text_of(say(assistant, "/tailieu", user, platform))  # harmless: everyone may list
        assert "Cơ sở tri thức có 5 tài liệu" in listing and "/xoa" not in listing
        help_text = text_of(say(assistant, "/help", user, platform))
        assert "/tailieu" in help_text and "/reload" not in help_text and "/thongke" not in help_text

    assert assistant.holder.generation == generation
    assert folder_snapshot(data / "documents") == folder
    assert file_identity(data / "knowledge.db") == kb
    assert leftovers(data) == []
    rows = audit_rows(assistant)
    assert all(r["allowed"] == 0 for r in rows)
    per_user = len(ADMIN_COMMANDS) + 3
    assert len(rows) == per_user * len(strangers)
    first = [(r["platform"], r["user_id"], r["action"], r["detail"]) for r in rows[:per_user]]
    assert first == [
        ("telegram", USER_TG, "reload", ""), ("telegram", USER_TG, "reload", ""),
        ("telegram", USER_TG, "xoa", "004_1ddf88fba73ab6aa"),
        ("telegram", USER_TG, "xoa", "000_ea17d4eb7683e29a"),
        ("telegram", USER_TG, "thongke", ""), ("telegram", USER_TG, "thongke", ""),
        ("telegram", USER_TG, "themtailieu", ""), ("telegram", USER_TG, "themtailieu", ""),
        ("telegram", USER_TG, "reload", ""),
        ("telegram", USER_TG, "upload", "ke_hoach.docx"), ("telegram", USER_TG, "themtailieu", ""),
        ("telegram", USER_TG, "upload", ""),
    ]
    # an admin sees the admin commands in /help
    admin_help = text_of(say(assistant, "/help"))
    assert "/reload" in admin_help and "/thongke" in admin_help and "/xoa" in admin_help


def test_adding_documents_on_zalo_points_to_the_command_line(assistant: Assistant) -> None:
    zalo = text_of(say(assistant, "/themtailieu", ADMIN_ZALO, "zalo"))
    assert "Bot trên Zalo không nhận được tệp" in zalo and "cchc kb add TỆP" in zalo
    telegram = text_of(say(assistant, "/themtailieu"))
    assert "gửi tệp tài liệu vào cuộc trò chuyện này" in telegram and "tối đa 20 MB" in telegram
    # an admin's file that arrived without its bytes (the channel could not download it)
    assert "chưa nhận được nội dung tệp" in text_of(say(assistant, "", kind="file"))
    assert [r["action"] for r in audit_rows(assistant)] == ["themtailieu", "themtailieu", "upload"]


# -- /thongke --------------------------------------------------------------------------------------

def test_stats_show_days_gaps_and_quiz_activity(assistant: Assistant) -> None:
    for q in ["Số hotline hỗ trợ dịch vụ công là gì?", "Chủ đề năm 2018 của thành phố Hải Phòng là gì?",
              "Mức lương cơ sở năm 2025 là bao nhiêu?", "muc luong co so nam 2025 la bao nhieu",
              "MỨC LƯƠNG CƠ SỞ NĂM 2025 LÀ BAO NHIÊU ??"]:
        say(assistant, q, user=USER_TG)
    now = time.time()
    for days_ago, question in [(2, "Giá vé xe buýt nội thành Hải Phòng?"), (40, "Giá vé xe buýt nội thành Hải Phòng?"),
                               (40, "Câu hỏi quá cũ không được tính")]:
        assistant.state.insert("questions_log", {"ts": now - days_ago * 86400, "platform": "zalo", "user_id": "u9",
                                                 "chat_id": "u9", "question": question, "found": 0})
    assert "Luyện trắc nghiệm và thi thử (7 ngày):" in text_of(say(assistant, "/thongke"))
    # real quiz activity through the quiz feature: one right and one wrong answer, one exam begun
    for pick_right in (True, False):
        card = next(r for r in say(assistant, "/quiz", user="q1") if r.quiz is not None)
        choice = card.quiz.correct_index if pick_right else (card.quiz.correct_index + 1) % len(card.buttons)
        say(assistant, card.buttons[choice].payload, user="q1", kind="callback")
    say(assistant, "/thi", user="q2")
    assistant.state.insert("quiz_exams", {"platform": "zalo", "user_id": "q3", "status": "finished", "score": 15,
                                          "n_questions": 20, "started": now - 3600, "finished": now - 3000})
    # a table the admin feature does not know: described generically, never an error
    assistant.state.ensure_table("quiz_stats_probe", {"id": int, "user_id": str, "ts": float, "correct": int},
                                 pk="id")
    for user, correct in [("a", 1), ("a", 0), ("b", 1)]:
        assistant.state.insert("quiz_stats_probe", {"user_id": user, "ts": now, "correct": correct})

    text = text_of(say(assistant, "/thongke"))

    today = time.strftime("%d/%m", time.localtime(now))
    two_days_ago = time.strftime("%d/%m", time.localtime(now - 2 * 86400))
    assert f"• {today}: 5 câu — 2 trả lời được, 3 từ chối" in text, text
    assert f"• {two_days_ago}: 1 câu — 0 trả lời được, 1 từ chối" in text
    assert "Cộng: 6 câu, 2 trả lời được, 4 từ chối (33% trả lời được)." in text
    gaps = text.split("chỗ tài liệu còn thiếu:")[1].split("\n\n")[0].strip().splitlines()
    assert gaps == ["• 3 lần: Mức lương cơ sở năm 2025 là bao nhiêu?",
                    "• 1 lần: Giá vé xe buýt nội thành Hải Phòng?"]
    assert "• Luyện tập, ôn lại: 2 câu đã trả lời, đúng 50%, 1 người dùng." in text
    assert ("• Thi thử: 2 bài bắt đầu, 1 bài hoàn thành, 2 người dùng; bài hoàn thành đúng trung bình 75%, "
            "cao nhất 15/20.") in text
    assert "• quiz_stats_probe: 3 dòng, 3 trong 7 ngày, 2 người dùng, đúng 67%" in text
    assert "Cơ sở tri thức: 5 tài liệu" in text
    assert [r["action"] for r in audit_rows(assistant)][-1] == "thongke"


# -- the command line and a second assistant on the same data ------------------------------------------

def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.pop("CCHC_DOCS_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot", "kb", *args], cwd=data.parent, env=env,
                          capture_output=True, text=True, timeout=180)


def test_changes_reach_a_second_assistant_and_the_cli_reaches_both(data: Path, tmp_path: Path) -> None:
    """Two assistants on one data dir (as two bot processes would be), and `cchc kb` beside them:
    each change is answered by the others without a restart."""
    first = build_assistant(make_settings(data))
    second = build_assistant(make_settings(data))
    try:
        for a in (first, second):
            a.holder.check_every = 0  # look at the file on every question (production: once a second)
        assert not second.ask.ask(NEW_PLAN_QUESTION).found

        assert send_file(first, "ke_hoach_an_lac.docx", make_docx()).startswith("Đã thêm tài liệu")
        seen = second.ask.ask(NEW_PLAN_QUESTION)
        assert seen.found and seen.citations[0].doc_id == "ke_hoach_an_lac"

        pdf = tmp_path / "binh_minh.pdf"
        pdf.write_bytes(make_text_pdf())
        added = cli(data, "add", str(pdf))
        assert added.returncode == 0, added.stdout + added.stderr
        assert "Đã thêm tài liệu binh_minh" in added.stdout and "số 41/KH-UBND" in added.stdout
        for a in (first, second):
            hit = a.ask.ask(PDF_PLAN_QUESTION)
            assert hit.found and hit.citations[0].doc_id == "binh_minh"
            assert "binh_minh" in text_of(say(a, "/tailieu", user=USER_TG))

        listed = cli(data, "list")
        assert listed.returncode == 0 and "binh_minh" in listed.stdout and "ke_hoach_an_lac" in listed.stdout

        bad = tmp_path / "hong.docx"
        bad.write_bytes(make_docx_with_broken_xml())
        kb = file_identity(data / "knowledge.db")
        refused = cli(data, "add", str(bad))
        assert refused.returncode == 1 and "Không đọc được tệp Word hong.docx" in refused.stdout
        assert file_identity(data / "knowledge.db") == kb
        missing = cli(data, "remove", "khong_co")
        assert missing.returncode == 1 and "Không có tài liệu mã “khong_co”" in missing.stdout

        removed = cli(data, "remove", "binh_minh")
        assert removed.returncode == 0, removed.stdout + removed.stderr
        for a in (first, second):
            assert not a.ask.ask(PDF_PLAN_QUESTION).found
            assert a.ask.ask(NEW_PLAN_QUESTION).found
        assert leftovers(data) == []
    finally:
        first.close()
        second.close()
