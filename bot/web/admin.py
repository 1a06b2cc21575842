"""The admin dashboard at /admin: documents, knowledge gaps, usage, contest practice, audit log.

Pages are rendered on the server as HTML (every piece of document or user text through `h()`,
i.e. html.escape) with charts as inline SVG (bot/web/charts.py); there is no script at all, so the
Content-Security-Policy can forbid every inline script and style. Document changes call the same
`AdminService` as the chat commands (/reload, a sent file, /xoa), so the checks on an upload, the
report an admin reads and the audit rows are exactly those of the chat.

Security: the password is kept only as a scrypt hash (bot/settings.py); a session is a random
token in an HttpOnly, SameSite=Strict cookie limited to /admin, with an absolute lifetime; every
form carries the session's CSRF token and every POST must also come from our own origin; at most
CCHC_WEB_LOGIN_ATTEMPTS passwords are checked per address per CCHC_WEB_LOCKOUT_MINUTES (counted
before checking, bot/web/security.py); every login, failed or not, is audited.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from bot.web.bodies import within
from bot.web.charts import share_bar, stacked_bars
from bot.web.security import AdminSession, LoginGuard, SessionStore, same_secret, verify_password
from handlers.insights import (
    DayUsage,
    GapGroup,
    audit_entries,
    knowledge_gaps,
    quiz_totals,
    recent_attempts,
    usage_by_day,
)
from handlers.messages import Attachment, Incoming, Reply
from handlers.quiz import fmt_duration, mask_user

if TYPE_CHECKING:
    from bot.web.app import WebChannel

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Card = Callable[[web.Request], str]  # a feature's card on the overview: HTML, every text through h()

SESSION_COOKIE = "cchc_admin"
SESSION_KEY = web.RequestKey("admin_session", AdminSession)
FORM_KEY = web.RequestKey("admin_form", MultiDictProxy)
LOGIN = "/admin/login"
USAGE_DAYS = 14
GAP_DAYS = 30
CHANNEL_NAMES = {"web": "Trang web", "api": "API", "telegram": "Telegram", "zalo": "Zalo",
                 "console": "Dòng lệnh"}
MODE_NAMES = {"practice": "luyện tập", "review": "ôn lại", "exam": "thi thử"}
NAV = [("/admin", "Tổng quan"), ("/admin/documents", "Tài liệu"), ("/admin/gaps", "Câu hỏi chưa trả lời được"),
       ("/admin/usage", "Lượt hỏi"), ("/admin/contest", "Luyện thi"), ("/admin/audit", "Nhật ký quản trị")]


def h(value: object) -> str:
    """Escape any text for HTML, attributes included: the one way text reaches a page."""
    return escape(str(value if value is not None else ""), quote=True)


def when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%d/%m/%Y %H:%M") if ts else ""


class AdminSite:
    """Routes and pages of the dashboard; state (sessions, lockouts) lives in memory."""

    def __init__(self, channel: WebChannel) -> None:
        self.channel = channel
        self.settings = channel.settings
        self.assistant = channel.assistant
        self.sessions = SessionStore(self.settings.web_session_minutes * 60)
        self.guard = LoginGuard(self.settings.web_login_attempts, self.settings.web_lockout_minutes * 60)
        # Pages and cards added by features (bot/web/features.py) before `add_routes` runs.
        self.nav = list(NAV)
        self.pages: list[tuple[str, str, Handler, bool | None]] = []  # (method, path, handler, form)
        self.cards: list[Card] = []

    def add_page(self, path: str, label: str, handler: Handler, *, method: str = "GET",
                 form: bool | None = None) -> None:
        """A feature's dashboard page (behind the login); listed in the menu when `label` is given."""
        if not path.startswith("/admin/"):
            raise ValueError(f"an admin page lives under /admin/: {path}")
        self.pages.append((method, path, handler, form))
        if label:
            self.nav.append((path, label))

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get(LOGIN, self.login_page)
        r.add_post(LOGIN, self.login)
        r.add_post("/admin/logout", self.logout)
        r.add_get("/admin", self.guarded(self.overview))
        r.add_get("/admin/documents", self.guarded(self.documents))
        r.add_post("/admin/documents/upload", self.guarded(self.upload, form=False))
        r.add_post("/admin/documents/remove", self.guarded(self.remove, form=True))
        r.add_post("/admin/documents/reload", self.guarded(self.reload, form=True))
        r.add_get("/admin/gaps", self.guarded(self.gaps))
        r.add_get("/admin/usage", self.guarded(self.usage))
        r.add_get("/admin/contest", self.guarded(self.contest))
        r.add_get("/admin/audit", self.guarded(self.audit_page))
        for method, path, handler, form in self.pages:
            r.add_route(method, path, self.guarded(handler, form=form))
        r.add_route("*", "/admin/{tail:.*}", self.guarded(self.not_found))  # last: after every page

    # -- sessions -----------------------------------------------------------------------------------
    def session(self, request: web.Request) -> AdminSession | None:
        return self.sessions.get(request.cookies.get(SESSION_COOKIE, ""))

    def guarded(self, page: Handler, form: bool | None = None) -> Handler:
        """No session: redirect to the login form (every method). POST: same origin and, for
        urlencoded forms (`form=True`), the session's CSRF token; uploads check it in `upload`."""

        async def handler(request: web.Request) -> web.StreamResponse:
            session = self.session(request)
            if session is None:
                raise web.HTTPSeeOther(LOGIN)
            if request.method == "POST":
                if not self.channel.same_origin(request):
                    return self.forbidden(request, session)
                if form:
                    data = await self.channel.form(request)
                    if not same_secret(str(data.get("csrf", "")), session.csrf):
                        return self.forbidden(request, session)
                    request[FORM_KEY] = data
            request[SESSION_KEY] = session
            return await page(request)

        return handler

    def forbidden(self, request: web.Request, session: AdminSession) -> web.Response:
        self.audit(request, "csrf", f"{request.method} {request.path[:100]}", False)
        return self.html(request, "Từ chối", "<p class=\"error\" role=\"alert\">Yêu cầu bị từ chối: biểu mẫu "
                         "đã hết hạn hoặc không đến từ trang quản trị. Hãy tải lại trang và thử lại.</p>",
                         session=session, status=403)

    def audit(self, request: web.Request, action: str, detail: str, allowed: bool) -> None:
        try:
            self.assistant.state.audit("web", self.actor(request), action, detail[:500], allowed)
        except Exception:
            log.exception("audit log write failed (%s)", action)

    def actor(self, request: web.Request) -> str:
        from bot.web.app import CLIENT_KEY

        return f"admin@{request.get(CLIENT_KEY) or request.remote or '?'}"

    def incoming(self, request: web.Request, text: str = "", **kw: object) -> Incoming:
        actor = self.actor(request)
        return Incoming(platform="web", user_id=actor, chat_id=actor, text=text, is_admin=True,
                        user_name="Quản trị web", **kw)  # type: ignore[arg-type]

    # -- login --------------------------------------------------------------------------------------
    async def login_page(self, request: web.Request) -> web.Response:
        if self.session(request) is not None:
            raise web.HTTPSeeOther("/admin")
        return self.login_form(request)

    def login_form(self, request: web.Request, error: str = "", status: int = 200) -> web.Response:
        if not self.settings.web_admin_password_hash:
            body = ("<p class=\"error\" role=\"alert\">Trang quản trị đang tắt: máy chủ chưa đặt mật khẩu "
                    "(biến môi trường CCHC_WEB_ADMIN_PASSWORD).</p>")
            return self.html(request, "Đăng nhập quản trị", body, status=503 if status == 200 else status)
        alert = f'<p class="error" role="alert" id="login-error">{h(error)}</p>' if error else ""
        body = (f'{alert}<form method="post" action="{LOGIN}" class="login">'
                '<label for="password">Mật khẩu quản trị</label>'
                '<input type="password" id="password" name="password" autocomplete="current-password" '
                'required autofocus>'
                '<button type="submit">Đăng nhập</button></form>')
        return self.html(request, "Đăng nhập quản trị", body, status=status)

    async def login(self, request: web.Request) -> web.StreamResponse:
        from bot.web.app import CLIENT_KEY

        client = request.get(CLIENT_KEY) or "?"
        if not self.channel.same_origin(request):
            self.audit(request, "login", "từ chối: khác nguồn (CSRF)", False)
            return self.login_form(request, "Yêu cầu đăng nhập không đến từ trang quản trị.", 403)
        if not self.settings.web_admin_password_hash:
            return self.login_form(request)
        data = await self.channel.form(request)
        wait = self.guard.admit(client)  # counted before the check: concurrent guesses cannot slip past
        if wait:
            self.audit(request, "login", "từ chối: đang bị khóa", False)
            response = self.login_form(request, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau "
                                                f"{max(1, round(wait / 60))} phút.", 429)
            response.headers["Retry-After"] = str(wait)
            return response
        password = str(data.get("password", ""))[:1000]
        ok = await asyncio.to_thread(verify_password, password, self.settings.web_admin_password_hash)
        if not ok:
            self.audit(request, "login", "sai mật khẩu", False)
            return self.login_form(request, "Mật khẩu không đúng.", 401)
        self.guard.succeeded(client)
        session = self.sessions.create(client)
        self.audit(request, "login", "đăng nhập thành công", True)
        response = web.HTTPSeeOther("/admin")
        response.set_cookie(SESSION_COOKIE, session.token, path="/admin", httponly=True, samesite="Strict",
                            secure=self.settings.web_https, max_age=int(self.sessions.lifetime))
        raise response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        session = self.session(request)
        if session is not None and self.channel.same_origin(request):
            data = await self.channel.form(request)
            if same_secret(str(data.get("csrf", "")), session.csrf):
                self.sessions.drop(session.token)
                self.audit(request, "logout", "", True)
        response = web.HTTPSeeOther(LOGIN)
        response.del_cookie(SESSION_COOKIE, path="/admin")
        raise response

    # -- layout -----------------------------------------------------------------------------------------
    def html(self, request: web.Request, title: str, body: str, session: AdminSession | None = None,
             status: int = 200) -> web.Response:
        nav = ""
        if session is not None:
            current = ' aria-current="page"'
            links = "".join(f'<li><a href="{href}"{current if href == request.path else ""}>{h(label)}</a></li>'
                            for href, label in self.nav)
            nav = (f'<nav aria-label="Trang quản trị"><ul>{links}</ul>'
                   f'<form method="post" action="/admin/logout">{self.csrf_field(session)}'
                   '<button type="submit" class="link">Đăng xuất</button></form></nav>')
            flashes = "".join(f'<div class="flash {h(kind)}" role="status">{h(text)}</div>'
                              for kind, text in session.flash)
            session.flash.clear()
            body = flashes + body
        page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{h(title)} — Quản trị Trợ lý CCHC</title>"
                f'<link rel="stylesheet" href="/static/admin.css?v={self.channel.version}"></head>'
                f'<body><header><p class="brand">Trợ lý CCHC — quản trị</p>{nav}</header>'
                f'<main id="main"><h1>{h(title)}</h1>{body}</main></body></html>')
        return web.Response(text=page, content_type="text/html", charset="utf-8", status=status)

    @staticmethod
    def csrf_field(session: AdminSession) -> str:
        return f'<input type="hidden" name="csrf" value="{h(session.csrf)}">'

    async def not_found(self, request: web.Request) -> web.Response:
        return self.html(request, "Không tìm thấy trang", "<p>Trang này không có.</p>", request[SESSION_KEY], 404)

    # -- overview -----------------------------------------------------------------------------------------
    async def overview(self, request: web.Request) -> web.Response:
        session = request[SESSION_KEY]
        usage = usage_by_day(self.assistant.state, USAGE_DAYS)
        total = sum(u.total for u in usage)
        answered = sum(u.answered for u in usage)
        gaps = knowledge_gaps(self.assistant.state, GAP_DAYS, limit=5)
        engine = self.assistant.holder.engine
        passages = sum(int(d.get("passages") or 0) for d in engine.documents())
        share = answered / total if total else None
        cards = (f'<ul class="cards"><li><strong>{len(engine.docs)}</strong> tài liệu, {passages} đoạn văn</li>'
                 f"<li><strong>{total}</strong> câu hỏi trong {USAGE_DAYS} ngày</li>"
                 f"<li><strong>{'—' if share is None else f'{100 * share:.0f}%'}</strong> trả lời được "
                 f"{share_bar(share, 'Tỷ lệ câu hỏi trả lời được')}</li></ul>")
        body = (cards + self._feature_cards(request) + "<h2>Lượt hỏi theo ngày</h2>" + self._usage_chart(usage)
                + "<h2>Câu hỏi chưa trả lời được nhiều nhất</h2>" + self._gaps_table(gaps)
                + '<p><a href="/admin/gaps">Xem tất cả</a></p>')
        return self.html(request, "Tổng quan", body, session)

    def _feature_cards(self, request: web.Request) -> str:
        """The features' cards; a failing card is left out (and logged), never the whole overview."""
        out = []
        for card in self.cards:
            try:
                out.append(card(request))
            except Exception:
                log.exception("dashboard card %s failed", getattr(card, "__qualname__", card))
        return "".join(out)

    # -- documents --------------------------------------------------------------------------------------------
    async def documents(self, request: web.Request) -> web.Response:
        session = request[SESSION_KEY]
        self.assistant.holder.refresh_if_changed()
        docs = self.assistant.holder.engine.documents()
        rows = []
        for d in docs:
            remove = (f'<form method="post" action="/admin/documents/remove">{self.csrf_field(session)}'
                      f'<input type="hidden" name="doc_id" value="{h(d["doc_id"])}">'
                      f'<button type="submit" class="danger" aria-label="Xoá tài liệu {h(d["doc_id"])}">Xoá'
                      "</button></form>")
            card = f'/admin/documents/{quote(d["doc_id"], safe="")}'  # bot/web/document_card.py
            rows.append(f'<tr><td><a href="{h(card)}"><code>{h(d["doc_id"])}</code></a></td>'
                        f'<td>{h(d.get("title") or d.get("filename"))}'
                        f'</td><td class="nowrap">{h(d.get("number") or "—")}</td>'
                        f'<td class="nowrap">{h(d.get("date") or "—")}</td>'
                        f'<td class="num">{h(d.get("passages") or 0)}</td><td>{remove}</td></tr>')
        table = ('<table><caption>Tài liệu đang phục vụ</caption><thead><tr><th scope="col">Mã</th>'
                 '<th scope="col">Tiêu đề</th><th scope="col">Số hiệu</th><th scope="col">Ngày</th>'
                 '<th scope="col">Đoạn</th><th scope="col">Thao tác</th></tr></thead><tbody>'
                 + "".join(rows) + "</tbody></table>")
        mb = self.settings.max_upload_mb
        upload = ('<h2>Thêm hoặc thay tài liệu</h2><form method="post" action="/admin/documents/upload" '
                  f'enctype="multipart/form-data" class="upload">{self.csrf_field(session)}'
                  f'<label for="file">Tệp .docx, .pdf có lớp chữ, .txt hoặc .md (tối đa {mb} MB); '
                  "gửi tệp cùng tên để thay bản cũ</label>"
                  '<input type="file" id="file" name="file" required '
                  'accept=".docx,.pdf,.txt,.md,application/pdf,text/plain,text/markdown">'
                  '<button type="submit">Tải lên và dựng lại</button></form>')
        reload = ('<h2>Dựng lại cơ sở tri thức</h2><p>Đọc lại toàn bộ thư mục tài liệu (ví dụ sau khi chép tệp '
                  'lên máy chủ). Cơ sở tri thức cũ vẫn phục vụ cho đến khi bản mới sẵn sàng.</p>'
                  f'<form method="post" action="/admin/documents/reload">{self.csrf_field(session)}'
                  '<button type="submit" id="reload">Dựng lại</button></form>')
        return self.html(request, "Tài liệu", table + upload + reload, session)

    async def _run_admin(self, request: web.Request, work: Callable[[], list[Reply]]) -> web.StreamResponse:
        """Run an AdminService call off the event loop and show its report on the documents page."""
        replies = await asyncio.to_thread(work)
        text = "\n".join(r.text for r in replies)
        ok = text.startswith(("Đã ", "Tài liệu")) and "Không " not in text[:40]
        request[SESSION_KEY].flash.append(("ok" if ok else "error", text))
        raise web.HTTPSeeOther("/admin/documents")

    async def reload(self, request: web.Request) -> web.StreamResponse:
        incoming = self.incoming(request, "/reload")
        return await self._run_admin(request, lambda: self.assistant.admin.reload(incoming, ""))

    async def remove(self, request: web.Request) -> web.StreamResponse:
        doc_id = str(request[FORM_KEY].get("doc_id", "")).strip()[:200]
        incoming = self.incoming(request, f"/xoa {doc_id}")
        return await self._run_admin(request, lambda: self.assistant.admin.remove(incoming, doc_id))

    async def upload(self, request: web.Request) -> web.StreamResponse:
        """multipart/form-data: `csrf` first, then `file`; the file is read up to the size limit only,
        and no read may stall longer than the body timeout (bot/web/bodies.py)."""
        session = request[SESSION_KEY]
        idle = self.channel.body_timeout
        try:
            reader = await request.multipart()
        except (AssertionError, ValueError, KeyError):
            return self.forbidden(request, session)
        part = await within(request, reader.next(), idle)
        if part is None or getattr(part, "name", None) != "csrf":
            return self.forbidden(request, session)
        token = (await within(request, part.read(decode=True), idle))  # type: ignore[union-attr]
        if not same_secret(token[:200].decode("utf-8", "replace"), session.csrf):
            return self.forbidden(request, session)
        part = await within(request, reader.next(), idle)
        if part is None or getattr(part, "name", None) != "file" or not getattr(part, "filename", None):
            session.flash.append(("error", "Bạn chưa chọn tệp để tải lên."))
            raise web.HTTPSeeOther("/admin/documents")
        limit = self.channel.upload_limit
        data = bytearray()
        while chunk := await within(request, part.read_chunk(256 * 1024), idle):  # type: ignore[union-attr]
            data += chunk
            if len(data) > limit:
                break
        filename = str(part.filename)[:255]
        attachment = Attachment(filename, bytes(data),
                                part.headers.get("Content-Type", ""))  # type: ignore[union-attr]
        incoming = self.incoming(request, kind="file", attachment=attachment)
        return await self._run_admin(request, lambda: self.assistant.admin.add_file(incoming))

    # -- knowledge gaps, usage, contest, audit -----------------------------------------------------------
    @staticmethod
    def _gaps_table(gaps: list[GapGroup]) -> str:
        if not gaps:
            return f"<p>Không có câu hỏi nào bị từ chối trong {GAP_DAYS} ngày qua.</p>"
        rows = []
        for g in gaps:
            variants = "".join(f"<li>{h(v)}</li>" for v in g.variants())
            variants = f'<ul class="variants" aria-label="Cách hỏi khác">{variants}</ul>' if variants else ""
            channels = ", ".join(f"{CHANNEL_NAMES.get(p, p)} {n}" for p, n in g.platforms.most_common())
            rows.append(f'<tr><td class="num">{g.count}</td><td>{h(g.text)}{variants}</td>'
                        f'<td class="nowrap">{h(when(g.first_ts))}</td><td class="nowrap">{h(when(g.last_ts))}</td>'
                        f"<td>{h(channels)}</td></tr>")
        return ('<table class="gaps"><caption>Câu hỏi bị từ chối, gộp theo cách hỏi giống nhau</caption><thead><tr>'
                '<th scope="col">Số lần</th><th scope="col">Câu hỏi</th><th scope="col">Lần đầu</th>'
                '<th scope="col">Lần cuối</th><th scope="col">Kênh</th></tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>")

    async def gaps(self, request: web.Request) -> web.Response:
        gaps = knowledge_gaps(self.assistant.state, GAP_DAYS, limit=100)
        intro = (f"<p>Những câu người dân hỏi mà tài liệu hiện có không trả lời được ({GAP_DAYS} ngày gần nhất): "
                 "nên bổ sung tài liệu hoặc làm rõ nội dung.</p>")
        return self.html(request, "Câu hỏi chưa trả lời được", intro + self._gaps_table(gaps), request[SESSION_KEY])

    @staticmethod
    def _usage_chart(usage: list[DayUsage]) -> str:
        platforms = sorted({p for u in usage for p in u.per_platform})
        series = {p: [u.per_platform.get(p, 0) for u in usage] for p in platforms} or {"web": [0] * len(usage)}
        return stacked_bars([f"{u.day:%d/%m}" for u in usage], series, "Số câu hỏi mỗi ngày theo kênh",
                            CHANNEL_NAMES)

    async def usage(self, request: web.Request) -> web.Response:
        usage = usage_by_day(self.assistant.state, USAGE_DAYS)
        platforms = sorted({p for u in usage for p in u.per_platform})
        head = "".join(f'<th scope="col">{h(CHANNEL_NAMES.get(p, p))}</th>' for p in platforms)
        rows = []
        for u in reversed(usage):
            cells = "".join(f'<td class="num">{u.per_platform.get(p, 0)}</td>' for p in platforms)
            share = f"{100 * u.answered / u.total:.0f}%" if u.total else "—"
            rows.append(f'<tr><th scope="row">{u.day:%d/%m/%Y}</th>{cells}<td class="num">{u.total}</td>'
                        f'<td class="num">{u.answered}</td><td class="num">{share}</td></tr>')
        table = ('<table><caption>Câu hỏi mỗi ngày theo kênh và tỷ lệ trả lời được</caption><thead><tr>'
                 f'<th scope="col">Ngày</th>{head}<th scope="col">Tổng</th><th scope="col">Trả lời được</th>'
                 '<th scope="col">Tỷ lệ</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")
        return self.html(request, "Lượt hỏi", self._usage_chart(usage) + table, request[SESSION_KEY])

    async def contest(self, request: web.Request) -> web.Response:
        quiz = self.assistant.quiz
        perfect, ranked = await asyncio.to_thread(quiz.leaderboard)
        rows = "".join(
            f'<tr><td class="num">{s.rank}</td><td>{h(s.name)}</td>'
            f"<td>{h(CHANNEL_NAMES.get(s.exam.platform, s.exam.platform))}</td>"
            f'<td class="num">{s.exam.score}/{s.exam.n_questions}</td>'
            f'<td class="num">{"—" if s.distance is None else s.distance}</td>'
            f"<td>{h(fmt_duration(s.exam.duration))}</td>"
            f"<td>{h(when(s.exam.finished))}</td></tr>" for s in ranked[:50])
        board = (f"<p>Bài thi đúng tất cả các câu đến nay: {perfect}.</p>"
                 '<table><caption>Bảng xếp hạng thi thử (số câu đúng, rồi độ lệch dự đoán, rồi thời gian)</caption>'
                 '<thead><tr><th scope="col">Hạng</th><th scope="col">Thí sinh</th><th scope="col">Kênh</th>'
                 '<th scope="col">Điểm</th><th scope="col">Lệch dự đoán</th><th scope="col">Thời gian</th>'
                 f'<th scope="col">Hoàn thành</th></tr></thead><tbody>{rows}</tbody></table>'
                 if ranked else "<p>Chưa có bài thi nào hoàn thành.</p>")
        since = datetime.now().timestamp() - 7 * 86400
        totals = quiz_totals(self.assistant.state, since)
        rate = totals["rate"]
        summary = (f"<p>7 ngày qua: {totals['answered']} câu đã trả lời, {totals['users']} người dùng"
                   + (f", đúng {100 * float(rate):.0f}% {share_bar(float(rate), 'Tỷ lệ trả lời đúng')}"
                      if rate is not None else "") + ".</p>")
        attempts = recent_attempts(self.assistant.state, 50)
        arows = []
        for a in attempts:
            options = a["options"]
            chosen = options[a["chosen"]] if a["chosen"] is not None and a["chosen"] < len(options) else ""
            arows.append(f"<tr><td>{h(when(a['answered']))}</td><td>{h(mask_user(str(a['user_id'])))}</td>"
                         f"<td>{h(MODE_NAMES.get(a['mode'], a['mode']))}</td><td>{h(a['stem'])}</td>"
                         f"<td>{h(chosen)}</td><td>{'Đúng' if a['correct'] else 'Sai'}</td></tr>")
        table = ('<table><caption>Các câu trả lời gần nhất</caption><thead><tr><th scope="col">Lúc</th>'
                 '<th scope="col">Người dùng</th><th scope="col">Hình thức</th><th scope="col">Câu hỏi</th>'
                 '<th scope="col">Đã chọn</th><th scope="col">Kết quả</th></tr></thead><tbody>'
                 + "".join(arows) + "</tbody></table>") if arows else "<p>Chưa có câu trả lời nào.</p>"
        body = "<h2>Bảng xếp hạng</h2>" + board + "<h2>Luyện tập và thi thử</h2>" + summary + table
        return self.html(request, "Luyện thi", body, request[SESSION_KEY])

    async def audit_page(self, request: web.Request) -> web.Response:
        rows = "".join(
            f"<tr><td>{h(when(r['ts']))}</td><td>{h(CHANNEL_NAMES.get(r['platform'], r['platform']))}</td>"
            f"<td>{h(r['user_id'])}</td><td>{h(r['action'])}</td><td>{'có' if r['allowed'] else 'bị từ chối'}</td>"
            f'<td class="detail">{h(r["detail"])}</td></tr>' for r in audit_entries(self.assistant.state, 200))
        table = ('<table><caption>200 thao tác quản trị gần nhất (kể cả lần bị từ chối)</caption><thead><tr>'
                 '<th scope="col">Lúc</th><th scope="col">Kênh</th><th scope="col">Người thực hiện</th>'
                 '<th scope="col">Thao tác</th><th scope="col">Được phép</th><th scope="col">Chi tiết</th></tr>'
                 f"</thead><tbody>{rows}</tbody></table>")
        return self.html(request, "Nhật ký quản trị", table, request[SESSION_KEY])
