"""The office's own contacts (CCHC_OFFICE_*) and national numbers labelled as national (issue 22).

Every knowledge base here is built by the real build from made-up plans of made-up communes; the
bot is the real `build_assistant` wiring, spoken to as a citizen would (/hotline, a question the
plans cannot answer) and through `cchc ask`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.cli import main as cchc_main
from bot.settings import Settings
from knowledge.contacts import contact_owner, national_owner

COMMUNE = "Ủy ban nhân dân xã Hòa Bình"
LOCAL_LINE = "0233 3999 888"
# A made-up commune's plan that quotes national lines (the public-service hotline, 1022, 115) next
# to its own hotline: only its own may carry the commune's name.
HOA_BINH_PLAN = """ỦY BAN NHÂN DÂN
XÃ HÒA BÌNH
Số: 12/KH-UBND
Hòa Bình, ngày 04 tháng 02 năm 2025

KẾ HOẠCH
Tuyên truyền dịch vụ công trực tuyến xã Hòa Bình năm 2025

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Giúp người dân nộp hồ sơ trực tuyến, tra cứu kết quả giải quyết thủ tục hành chính tại nhà.

II. NỘI DUNG
1. Công khai các kênh hỗ trợ
- Niêm yết tại bộ phận một cửa số đường dây nóng 1800.1096 của Cổng Dịch vụ công quốc gia và địa chỉ
dichvucong.gov.vn để người dân nộp hồ sơ trực tuyến.
- Hướng dẫn người dân gọi tổng đài 1022 để phản ánh, kiến nghị về việc giải quyết thủ tục hành chính của các cơ quan.
- Công khai đường dây nóng của Ủy ban nhân dân xã: 0233.3999.888 để tiếp nhận phản ánh về thái độ của
công chức tiếp nhận hồ sơ tại xã.
- Khi có tai nạn tại nơi làm thủ tục, gọi tổng đài 115 để được cấp cứu kịp thời theo quy định.

III. TỔ CHỨC THỰC HIỆN
- Công chức Văn phòng - Thống kê chủ trì, báo cáo kết quả trước ngày 15 tháng 12 năm 2025.
"""
UNANSWERABLE = "Thủ tục đăng ký nuôi chim cánh cụt trên sao Hỏa cần những giấy tờ gì?"


def _assistant(root: Path, **office: str) -> Assistant:
    docs = root / "documents"
    docs.mkdir(parents=True)
    (docs / "ke-hoach-hoa-binh.txt").write_text(HOA_BINH_PLAN, encoding="utf-8")
    return build_assistant(Settings(data_dir=root, docs_dir=docs, **office))  # type: ignore[arg-type]


def _say(assistant: Assistant, text: str) -> str:
    replies = assistant.dispatcher.dispatch(assistant.incoming("console", "dan", "dan", text))
    return "\n".join(r.text for r in replies)


def _line(text: str, value: str) -> str:
    lines = [line for line in text.splitlines() if value in line]
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def bare(tmp_path: Path):
    a = _assistant(tmp_path / "bare")
    yield a
    a.close()


# -- which numbers are national ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1800 1096", "1800.1096", "18001096", "1022", "112", "113", "114", "115",
                                   "dichvucong.gov.vn", "https://www.dichvucong.gov.vn/p/home"])
def test_national_numbers_and_portal_are_owned_by_the_nation(value: str) -> None:
    assert national_owner(value).startswith(("Tổng đài quốc gia", "Cổng Dịch vụ công quốc gia"))
    assert contact_owner(value, COMMUNE) != COMMUNE


@pytest.mark.parametrize("value", [LOCAL_LINE, "1800 1097", "10221", "0115", "dichvucong.hoabinh.gov.vn",
                                   "hoabinh-dichvucong.gov.vn", ""])
def test_other_numbers_keep_the_owner_of_the_plan_naming_them(value: str) -> None:
    assert national_owner(value) == ""
    assert contact_owner(value, COMMUNE) == COMMUNE


# -- /hotline ---------------------------------------------------------------------------------------
def test_hotline_names_national_lines_as_national_and_the_communes_as_its_own(bare: Assistant) -> None:
    text = _say(bare, "/hotline")
    national = _line(text, "1800 1096")
    assert "Tổng đài quốc gia hỗ trợ dịch vụ công" in national and COMMUNE not in national, national
    assert "Tổng đài quốc gia" in _line(text, "1022") and COMMUNE not in _line(text, "1022")
    assert "Cổng Dịch vụ công quốc gia" in _line(text, "dichvucong.gov.vn")
    assert f"— {COMMUNE}" in _line(text, LOCAL_LINE)
    assert "12/KH-UBND" in national, "the plan quoting a national line is still its source"


def test_hotline_puts_the_offices_own_contacts_first_and_lists_them_once(tmp_path: Path) -> None:
    a = _assistant(tmp_path / "office", office_name=COMMUNE, office_hotline="0233 3999 888",
                   office_portal="https://hoabinh.example.gov.vn/", office_address="Thôn Đông, xã Hòa Bình")
    try:
        text = _say(a, "/hotline")
    finally:
        a.close()
    lines = text.splitlines()
    assert lines[0] == f"Liên hệ {COMMUNE}:", text
    assert lines[1:4] == ["• Đường dây nóng: 0233 3999 888", "• Cổng thông tin: https://hoabinh.example.gov.vn/",
                          "• Địa chỉ: Thôn Đông, xã Hòa Bình"]
    assert "Đường dây nóng, cổng thông tin nêu trong các tài liệu:" in text
    assert "0233 3999 888" not in "\n".join(lines[4:]), "the office's number found in its plan is not listed twice"
    assert "Tổng đài quốc gia" in _line(text, "1800 1096")


# -- declines ---------------------------------------------------------------------------------------
def test_decline_points_to_the_offices_own_line(tmp_path: Path) -> None:
    a = _assistant(tmp_path / "office", office_name="Ủy ban nhân dân xã Tân Phong", office_hotline="0233 3777 111",
                   office_portal="tanphong.example.gov.vn")
    try:
        text = _say(a, UNANSWERABLE)
    finally:
        a.close()
    assert text.startswith("Xin lỗi"), text
    assert text.endswith("Để được hỗ trợ, bạn có thể liên hệ Ủy ban nhân dân xã Tân Phong: gọi đường dây nóng "
                         "0233 3777 111 hoặc truy cập tanphong.example.gov.vn."), text
    assert "1800" not in text


def test_decline_without_office_names_whose_line_it_points_to(bare: Assistant) -> None:
    text = _say(bare, UNANSWERABLE)
    assert "gọi đường dây nóng 1800.1096 (Tổng đài quốc gia hỗ trợ dịch vụ công)" in text.replace(
        "1800 1096", "1800.1096"), text
    assert COMMUNE not in text


def test_cchc_ask_declines_with_the_office_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(data_dir)  # no .env here
    monkeypatch.setenv("CCHC_OFFICE_NAME", "Ủy ban nhân dân xã Tân Phong")
    monkeypatch.setenv("CCHC_OFFICE_HOTLINE", "0233 3777 111")
    assert cchc_main(["ask", "--json", UNANSWERABLE]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["found"] is False
    assert "liên hệ Ủy ban nhân dân xã Tân Phong: gọi đường dây nóng 0233 3777 111." in result["answer"]


# -- settings ---------------------------------------------------------------------------------------
def test_office_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CCHC_OFFICE_NAME", "  Ủy ban nhân dân\nxã Tân Phong ")
    monkeypatch.setenv("CCHC_OFFICE_HOTLINE", " 0233 3777 111 ")
    monkeypatch.setenv("CCHC_OFFICE_PORTAL", "https://tanphong.example.gov.vn/")
    monkeypatch.setenv("CCHC_OFFICE_ADDRESS", "Thôn Đông")
    s = Settings.from_env(env_file=None)
    assert (s.office_name, s.office_hotline, s.office_portal, s.office_address) == (
        "Ủy ban nhân dân xã Tân Phong", "0233 3777 111", "https://tanphong.example.gov.vn", "Thôn Đông")


def test_office_hotline_without_a_number_is_refused_in_vietnamese(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CCHC_OFFICE_HOTLINE", "gọi cho văn phòng")
    with pytest.raises(SystemExit) as exc:
        Settings.from_env(env_file=None)
    assert "CCHC_OFFICE_HOTLINE phải là một số điện thoại" in str(exc.value)


# -- the operator guide -----------------------------------------------------------------------------
def test_operator_guide_says_how_to_set_the_office_and_replace_the_seed_plans() -> None:
    root = Path(__file__).resolve().parents[1]
    guide = (root / "docs" / "huong-dan-van-hanh.md").read_text("utf-8")
    for name in ("CCHC_OFFICE_NAME", "CCHC_OFFICE_HOTLINE", "CCHC_OFFICE_PORTAL", "CCHC_OFFICE_ADDRESS"):
        assert f"{name}=" in guide, name
    seeds = sorted(p.stem for p in (root / "knowledge" / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    for doc_id in seeds:  # the guide's commands name the seed plans as `cchc kb list` shows them
        assert f"cchc kb remove {doc_id}" in guide, doc_id
    assert "cchc kb add" in guide and "/reload" in guide and "cchc kb build" in guide


# -- the web page header ----------------------------------------------------------------------------
def test_web_page_header_names_the_office_and_its_hotline(seed_data_dir: Path, tmp_path: Path) -> None:
    import httpx

    from tests.web_support import ServerThread, copy_seed, web_settings

    data = copy_seed(seed_data_dir, tmp_path / "web")
    office = web_settings(data, office_name="Ủy ban nhân dân xã Tân Phong <script>alert(1)</script>",
                          office_hotline="0233 3777 111", office_portal="tanphong.example.gov.vn")
    with ServerThread(office).start() as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        page = http.get("/").text
    header = page.split('<header class="bar">', 1)[1].split("</header>", 1)[0]
    assert ("<p>Ủy ban nhân dân xã Tân Phong &lt;script&gt;alert(1)&lt;/script&gt; · Đường dây nóng: 0233 3777 111"
            " · tanphong.example.gov.vn</p>") in header, header
    assert "<script>alert" not in page and "{{" not in page
    with ServerThread(web_settings(data)).start() as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        plain = http.get("/").text
    assert "<p>Hỏi đáp về cải cách hành chính, có trích dẫn văn bản</p>" in plain
