"""`cchc tthc import|list|show|remove` as an operator runs them, and the admin chat commands: an
import with bad records keeps the good ones and says why the others were refused, a rebuild makes
the change live, and a removal takes a procedure out of the answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import build_assistant
from bot.settings import Settings
from handlers.messages import Attachment, Incoming
from tests.test_procedure_data import BIRTH, PASSPORT, build_procedure_kb, write_jsonl


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_TTHC_LEVELS", "none")
        return build_procedure_kb(tmp_path_factory.mktemp("tthc-cli") / "data")


@pytest.fixture
def data(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template, target)
    return target


def cchc(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CCHC_DATA_DIR": str(data), "CCHC_TTHC_LEVELS": "none"}
    env.pop("CCHC_DOCS_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          timeout=240, cwd=Path(__file__).parent.parent)


def test_import_list_show_remove(data: Path, tmp_path: Path) -> None:
    new = {**PASSPORT, "ma_thu_tuc": "1.012753.H19", "ten_thu_tuc": "Hỗ trợ thử nghiệm nông hộ bị bão",
           "linh_vuc": "Nông nghiệp thử", "cap_thuc_hien": "Cấp xã", "phi_le_phi": "Không thu phí"}
    path = write_jsonl(tmp_path / "office.jsonl", [new, {**BIRTH, "phi_le_phi": "Trực tiếp: 8.000 đồng"},
                                                   '{"ma_thu_tuc": "1.9", "ten_thu_tuc": "x"}', "{broken"])
    out = cchc(data, "tthc", "import", str(path))
    assert out.returncode == 0, out.stderr
    assert "1 thủ tục mới, 1 thủ tục thay thế (cùng mã), 2 bị từ chối" in out.stdout
    assert "• Mới: 1.012753.H19 — Hỗ trợ thử nghiệm nông hộ bị bão" in out.stdout
    assert "• Thay thế: 1.900001 — Đăng ký khai sinh" in out.stdout
    assert "dòng 4: không phải JSON hợp lệ" in out.stdout and "Đã dựng lại cơ sở tri thức" in out.stdout
    listed = cchc(data, "tthc", "list", "--level", "xa", "--field", "nong nghiep")
    assert listed.stdout.splitlines() == ["1.012753.H19\tCấp xã\tNông nghiệp thử\tHỗ trợ thử nghiệm nông hộ bị bão",
                                          "(1 thủ tục)"]
    shown = cchc(data, "tthc", "show", "1.900001")
    assert "Phí, lệ phí:\nTrực tiếp: 8.000 đồng" in shown.stdout
    as_json = json.loads(cchc(data, "tthc", "show", "1.012753.H19", "--json").stdout)
    assert as_json["phi_le_phi"] == "Không thu phí"
    asked = cchc(data, "ask", "--json", "ho tro nong ho bi bao can giay to gi")
    assert json.loads(asked.stdout)["citations"][0]["procedure_code"] == "1.012753.H19"
    gone = cchc(data, "tthc", "remove", "1.012753.H19")
    assert gone.returncode == 0 and "Đã xoá thủ tục 1.012753.H19" in gone.stdout
    assert cchc(data, "tthc", "show", "1.012753.H19").returncode == 1
    assert cchc(data, "tthc", "remove", "1.012753.H19").returncode == 1
    refused = cchc(data, "tthc", "import", str(write_jsonl(tmp_path / "bad.jsonl", ["{x"])))
    assert refused.returncode == 1 and "Không có thủ tục nào được nhập" in refused.stdout
    assert cchc(data, "tthc", "import", str(tmp_path / "missing.csv")).returncode == 1


def test_admin_chat_commands(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_TTHC_LEVELS", "none")
    assistant = build_assistant(Settings(data_dir=data, docs_dir=data / "documents", flood_per_minute=10_000))
    try:
        def send(text: str, admin: bool = True, **over: object) -> str:
            incoming = Incoming("telegram", "9", "9", text, is_admin=admin, **over)  # type: ignore[arg-type]
            return "\n".join(r.text for r in assistant.dispatcher.dispatch(incoming))

        assert "Mã: 1.900003" in send("/thutuc 1.900003", admin=False)
        assert "1.900001 — Đăng ký khai sinh" in send("/thutuc khai sinh", admin=False)
        record = {**PASSPORT, "ma_thu_tuc": "1.900777", "ten_thu_tuc": "Cấp phép thử nghiệm bay khinh khí cầu"}
        data_bytes = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        reply = send("", kind="file", attachment=Attachment("moi.jsonl", data_bytes))
        assert "1 thủ tục mới" in reply and "1.900777" in reply
        assert "Mã: 1.900777" in send("/thutuc 1.900777", admin=False)
        assert "không" in send("/xoathutuc 1.900777", admin=False).lower()  # not an admin: refused
        assert "Đã xoá thủ tục 1.900777" in send("/xoathutuc 1.900777")
        assert "Không tìm thấy" in send("/thutuc 1.900777", admin=False) or "Mã: 1.900777" not in send(
            "/thutuc 1.900777", admin=False)
        actions = [r["action"] for r in assistant.state.query("SELECT action FROM audit_log ORDER BY id")]
        assert "nhapthutuc" in actions and "xoathutuc" in actions
    finally:
        assistant.close()
