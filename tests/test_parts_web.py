"""The dashboard's document card over real HTTP: behind the login, the same labels and values as
`cchc kb show`, every stored text escaped, an unknown id a Vietnamese 404."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.app import build_assistant
from bot.web.features import FEATURES
from tests.web_support import ADMIN_PASSWORD, ServerThread, copy_seed, web_settings


def test_document_card_page(seed_data_dir: Path, tmp_path: Path) -> None:
    data = copy_seed(seed_data_dir, tmp_path / "data")
    settings = web_settings(data)
    assistant = build_assistant(settings)
    features = list(dict.fromkeys([*FEATURES, "bot.web.document_card"]))
    server = ServerThread(settings, assistant, features).start()
    try:
        with httpx.Client(base_url=server.url, trust_env=False, headers={"Origin": server.url}, timeout=120) as http:
            card = "/admin/documents/001_60cbb597f620e29e"
            assert http.get(card).status_code in (302, 303)  # login first
            http.post("/admin/login", data={"password": ADMIN_PASSWORD})
            page = http.get(card)
            assert page.status_code == 200
            for text in ("<dt>Cơ quan ban hành</dt><dd>Ủy ban nhân dân xã Phú Thái</dd>",
                         "<dt>Người ký</dt><dd>KT. Chủ tịch — Phó Chủ tịch</dd>", "<dt>Nơi nhận (7)</dt>",
                         "<li>Sở Nội vụ</li>", "<li>TT. HĐND xã</li>", "<dt>Văn bản được dẫn (6)</dt>",
                         "Quyết định số 533/QĐ-UBND ngày 31/07/2025"):
                assert text in page.text, text
            missing = http.get("/admin/documents/khong_co")
            assert missing.status_code == 404 and "Không có tài liệu mã khong_co." in missing.text
            hostile = http.get("/admin/documents/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            assert hostile.status_code == 404 and "<script>alert(1)" not in hostile.text
            listing = http.get("/admin/documents")
            if 'href="/admin/documents/001_60cbb597f620e29e"' not in listing.text:
                raise AssertionError("the documents page links each document to its card")
    finally:
        server.close()
        assistant.close()
