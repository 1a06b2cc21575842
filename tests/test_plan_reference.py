# ruff: noqa: E501 - the made-up documents keep their long lines, as a real plan has them
"""A question that names a plan by number is answered from that plan (issue 12, constraints), and a
long sentence that introduces a list is shown from the list's introduction (answers that answer).

Two made-up plans share their wording on purpose: plan 35 says more of the question's words than
plan 21, so only the plan number can pick plan 21's requirement.
"""

from __future__ import annotations

import pytest

from handlers.core import AskService
from retrieval.analyzer import analyze
from tests.docs_factory import ask_service_over

HOA_BINH = """ỦY BAN NHÂN DÂN
XÃ HÒA BÌNH
Số: 21/KH-UBND
Hòa Bình, ngày 10 tháng 2 năm 2025
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2025
Thực hiện Kế hoạch số 12/KH-UBND ngày 05/01/2025 của Ủy ban nhân dân huyện về cải cách hành chính năm 2025, Ủy ban nhân dân xã Hòa Bình xây dựng Kế hoạch tuyên truyền như sau:
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao nhận thức của người dân về dịch vụ công trực tuyến.
2. Yêu cầu
- Công tác tuyên truyền được tổ chức thường xuyên, liên tục, đúng đối tượng, tiết kiệm.
II. NỘI DUNG
1. Nội dung tuyên truyền
- Tuyên truyền kết quả giải quyết thủ tục hành chính của xã trên loa truyền thanh.
III. TỔ CHỨC THỰC HIỆN
1. Công chức Văn hóa - Xã hội
- Chủ trì xây dựng nội dung tuyên truyền; cập nhật tin, bài lên trang thông tin điện tử của xã.
2. Đoàn Thanh niên xã, Hội Liên hiệp Phụ nữ xã
- Vận động đoàn viên, hội viên sử dụng dịch vụ công trực tuyến khi giải quyết thủ tục hành chính.
PHỤ LỤC
Nhiệm vụ tuyên truyền cải cách hành chính năm 2025 của xã Hòa Bình
- Tuyên truyền cải cách hành chính | Hội Liên hiệp Phụ nữ xã | Đoàn Thanh niên xã | năm 2025
"""

TAN_LAP = """ỦY BAN NHÂN DÂN
XÃ TÂN LẬP
Số: 35/KH-UBND
Tân Lập, ngày 12 tháng 2 năm 2025
KẾ HOẠCH
Tuyên truyền cải cách hành chính năm 2025
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Giúp người dân hiểu các thủ tục hành chính của xã.
2. Yêu cầu
- Công tác tuyên truyền cải cách hành chính phải bám sát Kế hoạch cải cách hành chính của huyện, gắn với nhiệm vụ chính trị của xã.
II. NỘI DUNG
2. Kênh tuyên truyền
- Ủy ban nhân dân xã tuyên truyền trên các kênh thông tin của xã: trang thông tin điện tử của xã; loa truyền thanh các thôn; bảng tin tại nhà văn hóa; nhóm Zalo của các thôn.
- Phấn đấu 90% hộ gia đình được tiếp cận thông tin cải cách hành chính.
1. Nội dung tuyên truyền
- Thông tin kịp thời đến người dân và doanh nghiệp về hoạt động và kết quả thực hiện nhiệm vụ cải cách thủ tục hành chính của xã, chú trọng tuyên truyền về việc giải quyết thủ tục hành chính cho cá nhân, tổ chức, trong đó tập trung vào một số lĩnh vực chủ yếu: hộ tịch, chứng thực tại Bộ phận tiếp nhận và trả kết quả của xã, đất đai và xây dựng nhà ở riêng lẻ, các thủ tục được tiếp nhận hồ sơ và trả kết quả qua dịch vụ bưu chính công ích, và trên môi trường mạng ở mức độ toàn trình.
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> AskService:
    return ask_service_over(tmp_path_factory.mktemp("plan-ref-kb"), {"hoa_binh.txt": HOA_BINH, "tan_lap.txt": TAN_LAP})


@pytest.mark.parametrize("question", [
    "Yêu cầu đối với công tác tuyên truyền cải cách hành chính trong Kế hoạch 21/KH-UBND là gì?",
    "yeu cau doi voi cong tac tuyen truyen cai cach hanh chinh trong ke hoach so 21 la gi",
])
def test_the_named_plan_answers(service: AskService, question: str) -> None:
    result = service.ask(question, k=3)
    assert result.found, result.answer
    assert "thường xuyên, liên tục" in result.answer
    assert result.citations[0].doc_id.startswith("hoa_binh")


def test_the_other_plan_answers_for_its_own_number(service: AskService) -> None:
    result = service.ask("Yêu cầu đối với công tác tuyên truyền cải cách hành chính trong Kế hoạch 35/KH-UBND là gì?", k=3)
    assert result.found, result.answer
    assert "bám sát" in result.answer
    assert result.citations[0].doc_id.startswith("tan_lap")


def test_a_plan_the_knowledge_base_lacks_is_declined(service: AskService) -> None:
    result = service.ask("Yêu cầu đối với công tác tuyên truyền trong Kế hoạch 99/KH-UBND là gì?", k=3)
    assert not result.found
    assert "99" in result.answer


def test_words_that_name_the_plan_weigh_less_than_the_topic() -> None:
    terms = analyze("Yêu cầu đối với công tác tuyên truyền trong Kế hoạch 21/KH-UBND là gì?")
    assert terms.weights["hoach"] < terms.weights["tuyen"]
    assert terms.weights["21"] == 1.0  # the number still routes to the plan


def test_a_long_sentence_is_shown_from_the_list_it_introduces(service: AskService) -> None:
    result = service.ask("Khi tuyên truyền về giải quyết thủ tục hành chính, xã Tân Lập tập trung vào những lĩnh vực chủ yếu nào?", k=3)
    assert result.found, result.answer
    assert "lĩnh vực chủ yếu: hộ tịch" in result.answer
    assert "bưu chính công ích" in result.answer  # the list's end, past the first 500 characters
    assert "…" in result.answer  # the preamble left out is marked


def test_the_listed_noun_is_read_from_the_question() -> None:
    from retrieval.question import understand

    assert understand("Kế hoạch có những chỉ tiêu gì?").listed == "chi tieu"
    assert understand("xa tuyen truyen qua cac kenh nao").listed == "kenh"
    assert understand("gồm những hình thức tuyên truyền nào").listed == "hinh thuc"
    assert understand("những đơn vị nào phối hợp").listed == ""  # the answer is a body, not a heading's list


def test_a_number_no_document_carries_filters_nothing(service: AskService) -> None:
    """Plan 12 is only referred to (by plan 21's preamble): its number does not confine the answer
    to the passages that cite it, so the requirement is answered, not the preamble."""
    result = service.ask("Yêu cầu đối với công tác tuyên truyền của xã Hòa Bình theo Kế hoạch 12/KH-UBND là gì?", k=3)
    assert result.found, result.answer
    assert "thường xuyên, liên tục" in result.answer


def test_a_list_cut_at_semicolons_is_shown_whole_and_once(service: AskService) -> None:
    result = service.ask("Xã Tân Lập tuyên truyền trên những kênh thông tin nào?", k=3)
    assert result.found, result.answer
    assert "trang thông tin điện tử của xã; loa truyền thanh các thôn; bảng tin tại nhà văn hóa; nhóm Zalo" in result.answer
    assert result.answer.count("loa truyền thanh các thôn") == 1


def test_a_share_is_stated_first_without_its_list_marker(service: AskService) -> None:
    result = service.ask("Xã Tân Lập phấn đấu bao nhiêu phần trăm hộ gia đình được tiếp cận thông tin?", k=3)
    assert result.found, result.answer
    assert result.answer.splitlines()[0] == "Phấn đấu 90% hộ gia đình được tiếp cận thông tin cải cách hành chính."


@pytest.mark.parametrize("question", ["Hội Liên hiệp Phụ nữ xã Hòa Bình có nhiệm vụ gì trong tuyên truyền cải cách hành chính năm 2025?",
                                      "hoi lien hiep phu nu xa hoa binh phai lam gi"])
def test_a_body_asked_what_it_must_do_is_answered_from_its_section(service: AskService, question: str) -> None:
    """The section headed by the body lists its duty; the appendix row that names it does not."""
    result = service.ask(question, k=3)
    assert result.found, result.answer
    assert "Vận động đoàn viên, hội viên" in result.answer
    assert result.citations[0].section == "III.2"


def test_a_duty_question_is_recognised() -> None:
    from retrieval.question import understand

    assert understand("Sở Nội vụ có nhiệm vụ gì?").duty
    assert understand("so tu phap phai lam gi").duty
    assert not understand("Sở Nội vụ ở đâu?").duty
