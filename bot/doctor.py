"""`cchc doctor`: check an installation the way an office's IT person would, and say what is wrong.

Each check prints one line — ✔ fine, ⚠ worth knowing, ✘ will stop the bot — in Vietnamese, with
what to do. It reads the same settings the bots read (environment and `.env`), so a green doctor
means `cchc run ...` starts. Checked: configuration (admins, numbers, webhook settings), the data
directory (exists, writable, free space), the knowledge DB (opens, current schema, documents,
files left out of the last build), the state DB (integrity), and for each platform with a token:
the token (getMe) and the webhook registered with the platform. `--offline` skips the network.

Exit code 0 when nothing is ✘, else 1. No token or secret is ever printed (every line is redacted).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from typing import TextIO

import httpx

from bot.logging_setup import redact, register_secrets
from bot.settings import Settings

OK, WARN, ERROR = "✔", "⚠", "✘"
KNOWN_PLATFORMS = ("telegram", "zalo", "console", "web")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_FREE_MB = 200
HTTP_TIMEOUT = 10.0


@dataclass
class Findings:
    """The lines printed so far and how many of each kind."""

    out: TextIO
    errors: int = 0
    warnings: int = 0
    lines: list[str] = field(default_factory=list)

    def add(self, mark: str, text: str) -> None:
        if mark == ERROR:
            self.errors += 1
        elif mark == WARN:
            self.warnings += 1
        line = redact(f"{mark} {text}")
        self.lines.append(line)
        print(line, file=self.out, flush=True)

    def section(self, title: str) -> None:
        print(f"\n{title}", file=self.out, flush=True)


def check_configuration(settings: Settings, f: Findings) -> None:
    f.section("Cấu hình")
    bad_admins = [a for a in sorted(settings.admins)
                  if a.partition(":")[0] not in KNOWN_PLATFORMS or not a.partition(":")[2]]
    if bad_admins:
        f.add(ERROR, f"CCHC_ADMINS có mục sai dạng: {', '.join(bad_admins)} — mỗi mục phải là nền_tảng:mã, "
                     "ví dụ telegram:123456789 (gõ /whoami với bot để biết mã của bạn).")
    elif settings.admins:
        f.add(OK, f"CCHC_ADMINS: {len(settings.admins)} quản trị viên.")
    else:
        f.add(WARN, "CCHC_ADMINS trống: chưa ai dùng được /reload, /xoa, /thongke. Gõ /whoami với bot để lấy mã "
                    "của bạn rồi đặt CCHC_ADMINS=telegram:<mã> (hoặc zalo:<mã>).")
    if settings.log_level not in LOG_LEVELS:
        f.add(WARN, f"CCHC_LOG_LEVEL={settings.log_level!r} không hợp lệ (dùng {', '.join(LOG_LEVELS)}); "
                    "đang dùng INFO.")
    engine = os.environ.get("CCHC_ENGINE", "inverted").strip() or "inverted"
    if engine not in ("inverted", "rank-bm25"):
        f.add(ERROR, f"CCHC_ENGINE={engine!r} không hợp lệ: chỉ dùng inverted hoặc rank-bm25.")
    if not settings.telegram_token and not settings.zalo_token:
        f.add(WARN, "Chưa đặt TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: chưa chạy được bot Telegram, Zalo; "
                    "vẫn dùng được trang web (`cchc run web`), `cchc chat` và `cchc ask`.")
    if settings.office_hotline or settings.office_portal:
        office = settings.office_name or "cơ quan của bạn"
        f.add(OK, f"Liên hệ của {office}: "
                  + ", ".join(v for v in (settings.office_hotline, settings.office_portal) if v) + ".")
    else:
        f.add(WARN, "Chưa đặt CCHC_OFFICE_HOTLINE hay CCHC_OFFICE_PORTAL: khi không trả lời được, bot chỉ "
                    "hướng người hỏi tới số, cổng nêu trong tài liệu (có thể của nơi khác). Đặt CCHC_OFFICE_NAME, "
                    "CCHC_OFFICE_HOTLINE, CCHC_OFFICE_PORTAL của cơ quan bạn.")
    if settings.telegram_webhook_url or settings.telegram_webhook_secret:
        from bot.telegram_channel import settings_problem

        problem = settings_problem(settings, webhook=True) if settings.telegram_token else None
        if problem:
            f.add(ERROR, f"Webhook Telegram: {problem}")
        else:
            f.add(OK, f"Webhook Telegram sẽ dùng {settings.telegram_webhook_url} (cổng {settings.telegram_port}).")
    if settings.zalo_webhook_secret and not 8 <= len(settings.zalo_webhook_secret) <= 256:
        f.add(ERROR, f"ZALO_WEBHOOK_SECRET phải dài 8–256 ký tự (hiện có {len(settings.zalo_webhook_secret)}).")


def check_data_dir(settings: Settings, f: Findings) -> None:
    f.section(f"Thư mục dữ liệu ({settings.data_dir})")
    data = settings.data_dir
    if not data.exists():
        parent = next((p for p in data.parents if p.exists()), None)
        if parent is not None and os.access(parent, os.W_OK):
            f.add(WARN, f"{data} chưa có; sẽ được tạo khi bot chạy lần đầu (cơ sở tri thức dựng từ các kế hoạch mẫu).")
        else:
            f.add(ERROR, f"{data} chưa có và không tạo được (không có quyền ghi vào {parent}). "
                         "Hãy tạo thư mục và cấp quyền, hoặc đặt CCHC_DATA_DIR.")
        return
    if not data.is_dir():
        f.add(ERROR, f"{data} không phải thư mục. Hãy đặt CCHC_DATA_DIR sang một thư mục.")
        return
    try:
        with tempfile.NamedTemporaryFile(dir=data, prefix=".doctor-", delete=True):
            pass
        f.add(OK, "Ghi được vào thư mục dữ liệu.")
    except OSError as exc:
        f.add(ERROR, f"Không ghi được vào {data} ({exc.strerror or exc}). Hãy cấp quyền cho người dùng chạy bot.")
    free_mb = shutil.disk_usage(data).free / 1024 / 1024
    if free_mb < MIN_FREE_MB:
        f.add(WARN, f"Ổ đĩa chỉ còn {free_mb:.0f} MB trống "
                    f"(nên có ít nhất {MIN_FREE_MB} MB để dựng lại cơ sở tri thức).")
    docs = settings.docs_dir
    if docs.is_dir():
        from knowledge.build import document_files

        n = len(document_files(docs))
        f.add(OK if n else ERROR, f"Thư mục tài liệu {docs}: {n} tài liệu." if n else
              f"Thư mục tài liệu {docs} không có tài liệu nào (.txt, .md, .docx, .pdf).")
    else:
        f.add(WARN, f"Thư mục tài liệu {docs} chưa có; sẽ được tạo từ các kế hoạch mẫu khi chạy lần đầu.")


def check_knowledge_db(settings: Settings, f: Findings) -> None:
    from knowledge.build import SCHEMA_VERSION, document_files, stored_refusals

    path = settings.kb_path
    if not path.exists():
        f.add(WARN, "Chưa có knowledge.db: sẽ được dựng khi bot chạy lần đầu (hoặc chạy `cchc kb build`).")
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            quick = conn.execute("PRAGMA quick_check").fetchone()[0]
            schema = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
            built = conn.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        f.add(ERROR, f"knowledge.db không đọc được ({exc}). Hãy xoá tệp đó rồi chạy `cchc kb build`.")
        return
    if quick != "ok":
        f.add(ERROR, f"knowledge.db bị hỏng ({quick}). Hãy xoá tệp đó rồi chạy `cchc kb build`.")
        return
    if not schema or schema[0] != SCHEMA_VERSION:
        f.add(WARN, "knowledge.db được dựng bởi phiên bản cũ: bot sẽ dựng lại khi khởi động "
                    "(hoặc chạy `cchc kb build`).")
    else:
        f.add(OK, f"knowledge.db: {docs} tài liệu, {passages} đoạn văn.")
    refused = stored_refusals(path)
    if refused:
        f.add(WARN, f"Lần dựng gần nhất bỏ qua {len(refused)} mục không dùng được "
                    "(chạy `cchc kb build` để xem danh sách và lý do).")
    if built and settings.docs_dir.is_dir():
        newer = [p.name for p in document_files(settings.docs_dir) if p.stat().st_mtime > float(built[0])]
        if newer:
            f.add(WARN, f"{len(newer)} tài liệu mới hơn cơ sở tri thức ({', '.join(newer[:3])}"
                        f"{', …' if len(newer) > 3 else ''}): chạy `cchc kb reload` để nạp.")


def check_state_db(settings: Settings, f: Findings) -> None:
    path = settings.state_path
    if not path.exists():
        f.add(OK, "Chưa có state.db (sẽ được tạo khi có người dùng đầu tiên).")
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        f.add(ERROR, f"state.db không đọc được ({exc}). Hãy khôi phục từ bản sao lưu (xem hướng dẫn vận hành).")
        return
    if result != "ok":
        f.add(ERROR, f"state.db bị hỏng ({result}). Hãy khôi phục từ bản sao lưu (xem hướng dẫn vận hành).")
    else:
        size = path.stat().st_size / 1024
        f.add(OK, f"state.db nguyên vẹn ({size:.0f} KB). Sao lưu định kỳ: `cchc state backup TỆP`.")


def _post(client: httpx.Client, url: str, json_body: bool) -> tuple[int, dict]:
    response = client.post(url, json={}) if json_body else client.post(url)
    try:
        body = response.json()
    except ValueError:
        body = {}
    return response.status_code, body if isinstance(body, dict) else {}


def check_telegram(settings: Settings, f: Findings) -> None:
    f.section("Telegram")
    base = f"{settings.telegram_api_base}{settings.telegram_token}"
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT) as client:
            status, me = _post(client, f"{base}/getMe", json_body=False)
            if status in (401, 404) or (status == 200 and not me.get("ok")):
                f.add(ERROR, "Telegram từ chối TELEGRAM_BOT_TOKEN (sai hoặc đã bị thu hồi). "
                             "Lấy lại token với @BotFather (/token).")
                return
            if status != 200:
                f.add(ERROR, f"Telegram trả lời HTTP {status} cho getMe. Hãy kiểm tra TELEGRAM_API_BASE "
                             f"({settings.telegram_api_base}).")
                return
            user = me.get("result") or {}
            f.add(OK, f"Token hợp lệ: bot @{user.get('username', '?')} ({user.get('first_name', '')}).")
            _, info = _post(client, f"{base}/getWebhookInfo", json_body=False)
    except httpx.HTTPError as exc:
        f.add(ERROR, f"Không kết nối được Telegram ({type(exc).__name__}). Hãy kiểm tra mạng, proxy và "
                     f"TELEGRAM_API_BASE ({settings.telegram_api_base}).")
        return
    webhook = (info.get("result") or {}) if info.get("ok") else {}
    url = str(webhook.get("url") or "")
    if url and settings.telegram_webhook_url:
        from bot.telegram_channel import webhook_target

        expected = webhook_target(settings)[1]
        if url == expected:
            f.add(OK, f"Webhook đã đăng ký đúng: {url}.")
        else:
            f.add(WARN, f"Webhook đang đăng ký là {url}, khác {expected}: "
                        "`cchc run telegram --webhook` sẽ đăng ký lại.")
    elif url:
        f.add(WARN, f"Telegram đang có webhook {url}: `cchc run telegram` (long polling) sẽ xoá webhook này.")
    elif settings.telegram_webhook_url:
        f.add(WARN, "Chưa đăng ký webhook với Telegram: `cchc run telegram --webhook` sẽ đăng ký khi khởi động.")
    else:
        f.add(OK, "Không có webhook: dùng long polling (`cchc run telegram`).")
    if webhook.get("last_error_message"):
        f.add(WARN, f"Telegram báo lỗi gần nhất khi gửi tới webhook: {webhook['last_error_message']}.")
    pending = webhook.get("pending_update_count")
    if isinstance(pending, int) and pending > 100:
        f.add(WARN, f"Có {pending} tin nhắn đang chờ bot xử lý.")


def check_zalo(settings: Settings, f: Findings) -> None:
    f.section("Zalo")
    from bot.zalo_client import ZaloClient, ZaloError, ZaloNetworkError, ZaloUnauthorized

    async def probe() -> tuple[dict, dict]:
        async with ZaloClient(settings.zalo_token, settings.zalo_api_base, retries=0,
                              request_timeout=HTTP_TIMEOUT) as client:
            return await client.get_me(), await client.get_webhook_info()

    try:
        me, info = asyncio.run(probe())
    except ZaloUnauthorized:
        f.add(ERROR, "Zalo từ chối ZALO_BOT_TOKEN (401). Hãy lấy lại token của bot Zalo.")
        return
    except ZaloNetworkError as exc:
        f.add(ERROR, f"Không kết nối được Zalo Bot API ({exc.description}). Hãy kiểm tra mạng và ZALO_API_BASE "
                     f"({settings.zalo_api_base}).")
        return
    except ZaloError as exc:
        f.add(ERROR, f"Zalo Bot API trả lời lỗi {exc.error_code}: {exc.description}. Hãy kiểm tra ZALO_API_BASE.")
        return
    name = me.get("display_name") or me.get("account_name") or me.get("id") or "?"
    f.add(OK, f"Token hợp lệ: bot Zalo “{name}”.")
    url = info.get("url") or ""
    if url and not settings.zalo_webhook_secret:
        f.add(ERROR, f"Zalo đang gửi tin tới webhook {url} nhưng ZALO_WEBHOOK_SECRET chưa đặt: "
                     "`cchc run zalo --webhook` sẽ không chạy. Đặt secret rồi chạy lại `cchc zalo set-webhook`.")
    elif url:
        f.add(OK, f"Webhook Zalo đã đăng ký: {url} (chạy `cchc run zalo --webhook`).")
    else:
        f.add(OK, "Không có webhook: dùng long polling (`cchc run zalo`).")


def run_doctor(settings: Settings, *, offline: bool = False, out: TextIO | None = None) -> int:
    """Every check in order; 0 when nothing is ✘."""
    import sys

    register_secrets([settings.telegram_token, settings.zalo_token, settings.telegram_webhook_secret,
                      settings.zalo_webhook_secret])
    f = Findings(out or sys.stdout)
    print("Kiểm tra cài đặt Trợ lý CCHC", file=f.out)
    check_configuration(settings, f)
    check_data_dir(settings, f)
    if settings.data_dir.is_dir():
        check_knowledge_db(settings, f)
        check_state_db(settings, f)
    if offline:
        print("\n(Bỏ qua kiểm tra mạng: --offline.)", file=f.out)
    else:
        if settings.telegram_token:
            check_telegram(settings, f)
        if settings.zalo_token:
            check_zalo(settings, f)
    verdict = "có lỗi cần sửa trước khi chạy bot" if f.errors else "có thể chạy bot"
    print(f"\nKết quả: {f.errors} lỗi, {f.warnings} cảnh báo — {verdict}.", file=f.out, flush=True)
    return 1 if f.errors else 0
