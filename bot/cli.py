"""`cchc`: the command line — terminal chat, one-shot answers as JSON, knowledge base and channels.

  cchc chat                         talk to the bot in the terminal (no token, no network)
  cchc ask [--json] [-k N] "câu hỏi"  one answer; with "-" one question per stdin line
  cchc kb build [--verbose]|stats|list|warnings|add FILE|remove ID|reload
  cchc kb show ID [--json]          a document's parts: issuer, number, date, signer, recipients, cites, tasks
  cchc run telegram|zalo [--webhook] [--force]
  cchc run web                      chat page, portal widget, admin dashboard and JSON API
  cchc web hash-password            the scrypt hash to put in CCHC_WEB_ADMIN_PASSWORD
  cchc zalo set-webhook URL
  cchc doctor [--offline]           check configuration, tokens, webhooks, data dir and databases
  cchc state backup FILE            a checked copy of the state DB (online backup API); state check FILE
  cchc health                       0 when a bot of this host beat recently (container health check)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.settings import Settings


def _configure_logging(settings: Settings) -> None:
    from bot.logging_setup import configure_logging

    configure_logging(settings.log_level, secrets=[settings.telegram_token, settings.zalo_token,
                                                   settings.zalo_webhook_secret, settings.telegram_webhook_secret,
                                                   settings.web_secret])


def _reconfigure_stdio() -> None:
    """UTF-8 on every terminal and pipe, and bad bytes replaced instead of raising."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


def cmd_chat(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.console_channel import run_console

    return run_console(settings)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import office_of
    from handlers.core import AskService
    from handlers.dispatch import ERROR_TEXT
    from handlers.kb_admin import KnowledgeAdmin, state_audit
    from handlers.knowledge_holder import KnowledgeHolder
    from retrieval.engine import AskEngine
    from retrieval.results import AskResult

    # Under the file lock: builds on first use and recovers a change a crash interrupted.
    KnowledgeAdmin(settings.docs_dir, settings.kb_path, audit=state_audit(settings.state_path)).ensure()
    service = AskService(KnowledgeHolder(AskEngine.open(settings.kb_path)), office_of(settings))
    k = max(1, min(args.k, 20))
    questions = sys.stdin if args.question == ["-"] else [" ".join(args.question)]
    for raw in questions:
        question = raw.rstrip("\r\n") if args.question == ["-"] else raw
        try:
            result = service.ask(question, k=k)
        except Exception:  # one reply per question, whatever the question: never a half-read stdin
            logging.getLogger("cchc").exception("ask failed")
            result = AskResult(question, False, ERROR_TEXT, reason="error")
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(result.answer)
            for i, hit in enumerate(result.citations if result.found else [], 1):
                print(f"  [{i}] {hit.title} {hit.number} {hit.date} — mục {hit.section} (điểm {hit.score:.2f})")
    return 0


def cmd_kb(settings: Settings, args: argparse.Namespace) -> int:
    from bot.kb_commands import run_kb_command

    return run_kb_command(settings, args)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    _configure_logging(settings)
    if args.platform == "telegram":
        from bot.telegram_channel import run_telegram

        return run_telegram(settings, webhook=args.webhook)
    if args.platform == "web":
        from bot.web.app import run_web

        return run_web(settings)
    from bot.zalo_channel import run_zalo

    return run_zalo(settings, webhook=args.webhook, force=args.force)


def cmd_zalo(settings: Settings, args: argparse.Namespace) -> int:
    _configure_logging(settings)
    from bot.zalo_channel import set_webhook

    return set_webhook(settings, args.url)


def cmd_web(_settings: Settings, _args: argparse.Namespace) -> int:
    """`cchc web hash-password`: read a password (twice on a terminal) and print its scrypt hash,
    so the plain password never has to be written in the environment or a .env file."""
    import getpass

    from bot.web.security import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu quản trị: ")
        if password != getpass.getpass("Nhập lại mật khẩu: "):
            print("Lỗi: hai lần nhập không khớp.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("Lỗi: mật khẩu quản trị cần ít nhất 8 ký tự.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


def cmd_doctor(settings: Settings, args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor

    return run_doctor(settings, offline=args.offline)


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    from bot.heartbeat import run_health

    return run_health(settings.data_dir, args.max_age)


def cmd_state(settings: Settings, args: argparse.Namespace) -> int:
    from bot.state_commands import run_state_command

    return run_state_command(settings, args)


def cmd_text(settings: Settings, args: argparse.Namespace) -> int:
    """`cchc text restore [FILE|-]`: the restored text, line for line, for checking a scan."""
    from knowledge.restore import needs_restoring, restore

    source = args.file
    try:
        data = sys.stdin.buffer.read() if source in (None, "-") else Path(source).read_bytes()
    except OSError as exc:
        print(f"Lỗi: không đọc được tệp {source}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    from knowledge.encodings import UnknownEncoding, decode_text

    try:
        text = decode_text(data).text  # UTF-8 (BOM or not), UTF-16, Windows-1258, TCVN3, VNI
    except UnknownEncoding:
        print("Lỗi: đầu vào không phải văn bản thuần (UTF-8, UTF-16, TCVN3, VNI).", file=sys.stderr)
        return 1
    newline = text.endswith("\n")
    body = text[:-1] if newline else text
    evidence: list[str] = []
    if needs_restoring(body):  # the office's own documents are evidence (cached after the first call)
        from knowledge.build import seed_documents
        from knowledge.restore.corpus_evidence import folder_texts

        if not settings.docs_dir.is_dir():
            seed_documents(settings.docs_dir)
        evidence = folder_texts(settings.docs_dir)
    out = restore([body], evidence, enabled=True)[0] or body  # the build's own stage
    sys.stdout.write(out + ("\n" if newline else ""))
    sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cchc", description="Trợ lý CCHC — hỏi đáp về cải cách hành chính.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("chat", help="trò chuyện với trợ lý trong cửa sổ dòng lệnh").set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", help="trả lời một câu hỏi (hoặc '-' để đọc từng dòng từ stdin)")
    ask.add_argument("question", nargs="+", help="câu hỏi, hoặc '-' để đọc từ stdin")
    ask.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    ask.add_argument("-k", type=int, default=3, help="số trích dẫn (mặc định 3)")
    ask.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", help="quản lý cơ sở tri thức")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_build = kb_sub.add_parser("build", help="dựng lại cơ sở tri thức từ thư mục tài liệu")
    kb_build.add_argument("-v", "--verbose", action="store_true",
                          help="in báo cáo đầy đủ (mọi tên tệp, mục bỏ qua, cảnh báo) thay cho bản tóm tắt")
    kb_sub.add_parser("stats", help="thống kê theo tài liệu")
    kb_sub.add_parser("list", help="liệt kê tài liệu")
    kb_sub.add_parser("reload", help="dựng lại và báo cho bot đang chạy")
    kb_sub.add_parser("warnings", help="liệt kê cảnh báo về tài liệu và các mục không dùng được")
    add = kb_sub.add_parser("add", help="thêm (hoặc thay) một tài liệu")
    add.add_argument("file", type=Path)
    rm = kb_sub.add_parser("remove", help="xoá một tài liệu")
    rm.add_argument("doc_id")
    show = kb_sub.add_parser("show", help="các phần của một tài liệu: cơ quan ban hành, số, ngày, người ký, "
                             "nơi nhận, văn bản dẫn, nhiệm vụ, chỉ tiêu")
    show.add_argument("doc_id")
    show.add_argument("--json", action="store_true", help="in dạng JSON")
    kb.set_defaults(func=cmd_kb)
    from bot.tthc_commands import add_parser as add_tthc_parser

    add_tthc_parser(sub)  # cchc tthc import|list|show|remove (procedures)
    from bot.viec_commands import add_parser as add_viec_parser

    add_viec_parser(sub)  # cchc viec list|ics (duties and deadlines)

    run = sub.add_parser("run", help="chạy bot trên Telegram, Zalo hoặc trang web")
    run.add_argument("platform", choices=["telegram", "zalo", "web"])
    run.add_argument("--webhook", action="store_true", help="nhận tin qua webhook thay vì long polling")
    run.add_argument("--force", action="store_true", help="(Zalo) xoá webhook đang đặt rồi chạy long polling")
    run.set_defaults(func=cmd_run)

    zalo = sub.add_parser("zalo", help="thao tác với Zalo Bot API")
    zalo_sub = zalo.add_subparsers(dest="zalo_command", required=True)
    sw = zalo_sub.add_parser("set-webhook", help="đăng ký webhook với secret ZALO_WEBHOOK_SECRET")
    sw.add_argument("url")
    zalo.set_defaults(func=cmd_zalo)

    web_cmd = sub.add_parser("web", help="trang web: tiện ích cho quản trị viên")
    web_sub = web_cmd.add_subparsers(dest="web_command", required=True)
    web_sub.add_parser("hash-password", help="in mã băm scrypt của mật khẩu quản trị (đọc từ bàn phím/stdin)")
    web_cmd.set_defaults(func=cmd_web)

    doctor = sub.add_parser("doctor", help="kiểm tra cấu hình, token, webhook, thư mục dữ liệu và cơ sở dữ liệu")
    doctor.add_argument("--offline", action="store_true", help="không kiểm tra qua mạng (token, webhook)")
    doctor.set_defaults(func=cmd_doctor)

    health = sub.add_parser("health", help="bot trên máy này còn chạy không (dùng cho HEALTHCHECK của Docker)")
    health.add_argument("--max-age", type=float, default=120.0, help="số giây tối đa từ nhịp tim gần nhất")
    health.set_defaults(func=cmd_health)

    state = sub.add_parser("state", help="sao lưu và kiểm tra state.db (dữ liệu người dùng)")
    state_sub = state.add_subparsers(dest="state_command", required=True)
    state_backup = state_sub.add_parser("backup", help="sao lưu state.db sang TỆP khi bot vẫn chạy")
    state_backup.add_argument("file", type=Path, help="tệp sao lưu (hoặc thư mục: tên tệp theo ngày giờ)")
    state_check = state_sub.add_parser("check", help="kiểm tra toàn vẹn một tệp state.db hoặc bản sao lưu")
    state_check.add_argument("file", type=Path)
    state.set_defaults(func=cmd_state)

    text = sub.add_parser("text", help="xử lý văn bản (khôi phục dấu tiếng Việt cho văn bản quét OCR)")
    text_sub = text.add_subparsers(dest="text_command", required=True)
    restore = text_sub.add_parser("restore", help="in văn bản đã khôi phục dấu, giữ nguyên từng dòng")
    restore.add_argument("file", nargs="?", default="-", help="tệp văn bản, hoặc '-' để đọc từ stdin")
    text.set_defaults(func=cmd_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends as one or two Vietnamese lines and an exit code
    (bot/failures.py), the traceback only with CCHC_LOG_LEVEL=DEBUG, and no token in either."""
    from bot.failures import EXIT_BROKEN_PIPE, EXIT_CONFIG, EXIT_INTERRUPTED, fail, report
    from bot.logging_setup import register_secrets

    _reconfigure_stdio()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SystemExit as exc:  # a variable with a bad value: settings explain which, in Vietnamese
        if isinstance(exc.code, str):
            return fail(f"Lỗi cấu hình: {exc.code}", EXIT_CONFIG)
        raise
    register_secrets([settings.telegram_token, settings.zalo_token, settings.telegram_webhook_secret,
                      settings.zalo_webhook_secret, settings.web_secret])
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = int(args.func(settings, args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers below, not at exit
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `cchc kb list | head`: the reader has all it wanted; say nothing
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the last line of defence: a clear message, never a traceback
        return report(exc, settings.log_level, settings.data_dir)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise BrokenPipeError
    again (the recipe of Python's signal documentation)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
