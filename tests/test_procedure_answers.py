"""Questions answered from made-up procedures beside a made-up plan: the routing (a plan question
stays with the plan), the `cchc ask --json` citation keys, missing fields said to be missing, and
questions typed without diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.core import AskService
from handlers.knowledge_holder import KnowledgeHolder
from handlers.procedure_card import card_text
from retrieval.engine import AskEngine
from retrieval.procedure_terms import split_ask
from retrieval.procedures import asked_field, base_name, matcher_for
from tests.test_procedure_data import BIRTH, LAND, PASSPORT, build_procedure_kb


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> AskService:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_TTHC_LEVELS", "none")
        root = build_procedure_kb(tmp_path_factory.mktemp("tthc") / "data")
    return AskService(KnowledgeHolder(AskEngine.open(root / "knowledge.db")))


@pytest.mark.parametrize("question", [
    "Làm giấy khai sinh cho con cần giấy tờ gì?",
    "lam giay khai sinh cho con can giay to gi",
    "Vợ tôi mới sinh cháu được một tuần. Tôi muốn đăng ký khai sinh cho con thì phải làm những gì?",
])
def test_birth_questions_get_the_birth_procedure(service: AskService, question: str) -> None:
    result = service.ask(question, k=3)
    assert result.found and result.reason == "procedure"
    top = result.citations[0].to_json()
    assert top["procedure_code"] == "1.900001" and top["doc_id"] == "1.900001"
    assert top["procedure_name"] == "Đăng ký khai sinh" and top["part"] == "procedure"
    assert top["field"] == "thanh_phan_ho_so" and top["number"] == "999/QĐ-TEST"
    assert "1. Tờ khai đăng ký khai sinh theo mẫu (Bản chính: 1) — mẫu: TK-KS-01.docx" in top["text"]
    assert result.answer.startswith("Đăng ký khai sinh (mã 1.900001, Cấp xã) — Hồ sơ cần nộp:")
    assert len(result.answer) < 600


def test_everyday_names_reach_the_catalogue_names(service: AskService) -> None:
    for question, code in (("làm sổ đỏ lần đầu mất bao lâu", "1.900004"),
                           ("lam passport het bao nhieu tien", "1.900003"),
                           ("đăng ký kết hôn với người nước ngoài thì khai sinh cho con ở đâu", "1.900002")):
        result = service.ask(question)
        assert result.reason == "procedure", question
        assert code in [h.doc_id for h in result.citations], question


def test_the_asked_field_comes_first_and_an_empty_one_is_said_missing(service: AskService) -> None:
    fee = service.ask("Lệ phí cấp hộ chiếu phổ thông là bao nhiêu?")
    assert fee.citations[0].doc_id == "1.900003" and fee.citations[0].to_json()["field"] == "phi_le_phi"
    assert "Cơ sở dữ liệu không ghi phí, lệ phí của thủ tục này." in fee.answer
    time = service.ask("Cấp hộ chiếu phổ thông mất bao lâu?")
    assert "Thời hạn giải quyết:\nTrực tiếp: 8 Ngày làm việc" in time.answer
    card = card_text(PASSPORT, "phi_le_phi")
    assert card.startswith("Phí, lệ phí: Cơ sở dữ liệu không ghi phí, lệ phí")
    assert "Mã: 1.900003 · Cấp thực hiện: Cấp tỉnh · Lĩnh vực: Xuất nhập cảnh" in card
    assert "Nguồn: 888/QĐ-TEST; https://dichvucong.gov.vn/" in card and "ma_thu_tuc=1.900003" in card
    assert card.rstrip().endswith("Hỏi tiếp: hồ sơ? lệ phí? thời hạn? nộp ở đâu?")
    birth = card_text(BIRTH)
    assert "Trực tuyến: 1 (cơ sở dữ liệu không ghi đơn vị)" in birth  # shown as given, the gap said
    assert birth.index("Hồ sơ cần nộp") < birth.index("Thời hạn") < birth.index("Phí, lệ phí") < birth.index(
        "Nơi nộp") < birth.index("Trình tự") < birth.index("Căn cứ pháp lý")


def test_plan_questions_stay_with_the_plan_and_the_rest_is_declined(service: AskService) -> None:
    plan = service.ask("Kế hoạch tuyên truyền cải cách hành chính của xã Hòa Mỹ Thử có mục tiêu gì?")
    assert plan.found and plan.reason != "procedure" and plan.citations[0].doc_id == "ke-hoach-thu"
    assert not hasattr(plan.citations[0], "procedure_code")
    duty = service.ask("Ai chủ trì tuyên truyền trên loa truyền thanh?")
    assert duty.found and duty.reason != "procedure"
    for question in ("Giá vé xe buýt nội thành là bao nhiêu?", "Thời tiết ngày mai thế nào?"):
        assert not service.ask(question).found, question


def test_question_analysis() -> None:
    assert asked_field("còn lệ phí thì sao?") == "phi_le_phi"
    assert asked_field("nop online duoc khong") == "cach_thuc_thuc_hien"
    assert asked_field("nộp hồ sơ ở đâu?") == "co_quan_thuc_hien"
    assert asked_field("Đăng ký khai sinh") == ""
    story, ask = split_ask("Con tôi sắp sinh. Làm khai sinh cần giấy tờ gì? Tôi và bạn gái chưa cưới.")
    assert ask == "Con tôi sắp sinh. Làm khai sinh cần giấy tờ gì?" and story == "Tôi và bạn gái chưa cưới."
    assert base_name("Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)") == base_name(
        "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)")
    assert base_name(BIRTH["ten_thu_tuc"]) == base_name("Thủ tục đăng ký khai sinh có yếu tố nước ngoài")


def test_a_knowledge_base_without_procedures_answers_as_before(tmp_path: Path) -> None:
    from tests.docs_factory import ask_service_over
    from tests.test_procedure_data import PLAN

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_TTHC_LEVELS", "none")
        service = ask_service_over(tmp_path, {"ke-hoach-thu.txt": PLAN})
    assert len(matcher_for(service.holder.engine)) == 0
    assert not service.ask("Làm giấy khai sinh cần giấy tờ gì?").found
    assert service.ask("Kế hoạch tuyên truyền cải cách hành chính của xã Hòa Mỹ Thử có mục tiêu gì?").found


def test_landing_the_long_documents_list_in_order(service: AskService) -> None:
    shown = card_text(LAND)
    numbers = [line.split(".", 1)[0] for line in shown.splitlines() if line[:2].rstrip(".").isdigit()]
    assert numbers[:3] == ["1", "2", "3"]


def test_an_office_serving_only_four_procedures_still_ranks_by_national_word_rarity(tmp_path: Path) -> None:
    """Four names alone make BM25 erratic ("giấy" in one name of four outweighs "khai sinh" in two);
    the shipped catalogue's words are kept as reference, so the ranking is the national one."""
    import sqlite3

    from tests.test_procedure_data import BIRTH_FOREIGN

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_TTHC_LEVELS", "none")
        root = build_procedure_kb(tmp_path / "data", [BIRTH, BIRTH_FOREIGN, PASSPORT, LAND])
    conn = sqlite3.connect(root / "knowledge.db")
    assert conn.execute("SELECT COUNT(*) FROM procedures").fetchone() == (4,)
    assert conn.execute("SELECT COUNT(*) FROM procedure_reference").fetchone()[0] > 2800
    service = AskService(KnowledgeHolder(AskEngine.open(root / "knowledge.db")))
    result = service.ask("Làm giấy khai sinh cho con cần giấy tờ gì?")
    assert result.reason == "procedure" and result.citations[0].doc_id == "1.900001"
    assert {h.doc_id for h in result.citations} <= {"1.900001", "1.900002", "1.900003", "1.900004"}


def test_many_threads_ask_at_once(service: AskService) -> None:
    """The bots answer in threads: the matcher's record cache and its connection are shared."""
    from concurrent.futures import ThreadPoolExecutor

    import retrieval.procedures as procedures

    matcher = matcher_for(service.holder.engine)
    matcher._records.clear()
    questions = ["lệ phí cấp hộ chiếu phổ thông", "làm sổ đỏ lần đầu mất bao lâu", "làm giấy khai sinh cần gì"] * 20
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(procedures, "RECORD_CACHE", 2)  # evictions all the time
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(service.ask, questions))
    assert [r.citations[0].doc_id for r in results[:3]] == ["1.900003", "1.900004", "1.900001"]
    assert all(r.reason == "procedure" for r in results) and len(matcher._records) <= 2


def test_a_word_typed_with_other_marks_than_an_asking_word_is_content() -> None:
    """"dược" and "vé" fold to the asking words "được" and "về", but typed with their marks they are
    what the question is about; typed without marks they stay ambiguous and are read as asking words."""
    from retrieval.procedure_terms import marked_content, question_terms

    assert "duoc" in question_terms("Thủ tục cấp chứng chỉ hành nghề dược")
    assert "duoc" not in question_terms("Tôi có được cấp lại chứng chỉ hành nghề không?")
    assert "ve" in question_terms("Giá vé xe buýt là bao nhiêu?")
    assert "co" in question_terms("Cơ quan nào cấp hộ chiếu?") and "co" not in question_terms("Có cần ảnh không?")
    assert marked_content("thu tuc cap chung chi hanh nghe duoc") == frozenset()
