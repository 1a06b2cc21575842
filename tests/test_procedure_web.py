"""The dashboard's "Thủ tục" page over real HTTP: behind the login, search and list, an import with
a bad record (the good one served, the bad one refused with its reason), a removal, CSRF checked."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest

from bot.app import build_assistant
from tests.test_procedure_data import PASSPORT, build_procedure_kb
from tests.web_support import ADMIN_PASSWORD, ServerThread, web_settings


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_TTHC_LEVELS", "none")
        return build_procedure_kb(tmp_path_factory.mktemp("tthc-web") / "data")


def test_procedures_page(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_TTHC_LEVELS", "none")
    data = tmp_path / "data"
    shutil.copytree(template, data)
    settings = web_settings(data)
    assistant = build_assistant(settings)
    server = ServerThread(settings, assistant).start()
    try:
        with httpx.Client(base_url=server.url, trust_env=False, headers={"Origin": server.url}, timeout=120) as http:
            assert http.get("/admin/thu-tuc").status_code in (302, 303)  # login first
            http.post("/admin/login", data={"password": ADMIN_PASSWORD})
            page = http.get("/admin/thu-tuc", params={"q": "làm giấy khai sinh"})
            assert page.status_code == 200 and "Đang phục vụ 40 thủ tục" in page.text
            assert "1.900001" in page.text and '<a href="/admin/thu-tuc"' in page.text  # in the menu
            assert "1.900001" in http.get("/admin/thu-tuc", params={"q": "khai sinh", "cap": "xa"}).text
            assert "1.900002" not in http.get("/admin/thu-tuc", params={"q": "khai sinh", "cap": "xa"}).text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            good = {**PASSPORT, "ma_thu_tuc": "1.900888", "ten_thu_tuc": "Cấp phép thử nghiệm thả diều sáo"}
            body = (json.dumps(good, ensure_ascii=False) + "\n{hỏng\n").encode()
            done = http.post("/admin/thu-tuc/upload", data={"csrf": csrf},
                             files={"file": ("moi.jsonl", body, "application/json")}, follow_redirects=True)
            assert "1 thủ tục mới, 0 thủ tục thay thế (cùng mã), 1 bị từ chối" in done.text
            assert "dòng 2: không phải JSON hợp lệ" in done.text
            assert "1.900888" in http.get("/admin/thu-tuc", params={"q": "thả diều sáo"}).text
            forged = http.post("/admin/thu-tuc/upload", data={"csrf": "sai"},
                               files={"file": ("x.jsonl", body, "application/json")})
            assert forged.status_code == 403
            gone = http.post("/admin/thu-tuc/remove", data={"csrf": csrf, "code": "1.900888"}, follow_redirects=True)
            assert "Đã xoá thủ tục 1.900888" in gone.text
            assert "Không có thủ tục nào khớp" in http.get("/admin/thu-tuc", params={"q": "1.900888",
                                                                                   "cap": "zzz"}).text
        actions = {r["action"] for r in assistant.state.query("SELECT action FROM audit_log")}
        assert {"nhapthutuc", "xoathutuc"} <= actions
    finally:
        server.close()
        assistant.close()
