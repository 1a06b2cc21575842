"""The dashboard's "Thủ tục" page: search and list the procedures served, import a catalogue file
or a detail page, stop serving a procedure.

The same operations as `cchc tthc` (handlers/procedure_admin.py): an import keeps the good records,
reports the refused ones with their reasons, and rebuilds the knowledge DB; the report is shown as
the page's flash message. Server-rendered like the rest of the dashboard, every text through `h()`.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.web.admin import FORM_KEY, SESSION_KEY, h
from bot.web.bodies import within
from bot.web.features import Site
from bot.web.security import same_secret
from knowledge.text import fold

PATH = "/admin/thu-tuc"
LIST_LIMIT = 100  # rows shown without a search (the whole catalogue is 2,849)
SEARCH_LIMIT = 30


def _rows(found: list[tuple[str, str, str, str]], csrf: str) -> str:
    if not found:
        return "<p>Không có thủ tục nào khớp.</p>"
    rows = []
    for code, name, level, field in found:
        remove = (f'<form method="post" action="{PATH}/remove">{csrf}<input type="hidden" name="code" '
                  f'value="{h(code)}"><button type="submit" class="danger">Ngừng phục vụ</button></form>')
        rows.append(f'<tr><td class="nowrap">{h(code)}</td><td>{h(name)}</td><td>{h(level)}</td><td>{h(field)}</td>'
                    f"<td>{remove}</td></tr>")
    return ('<table class="procedures"><thead><tr><th scope="col">Mã</th><th scope="col">Tên thủ tục</th>'
            '<th scope="col">Cấp</th><th scope="col">Lĩnh vực</th><th scope="col"></th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def setup(site: Site) -> None:
    channel = site.channel

    def procedure_admin():
        from handlers.procedure_admin import ProcedureAdmin

        assistant = channel.assistant
        return ProcedureAdmin(assistant.admin.kb, assistant.holder)

    def listing(query: str, level: str) -> tuple[list[tuple[str, str, str, str]], int]:
        from retrieval.procedures import matcher_for

        matcher = matcher_for(channel.assistant.holder.engine)
        rows = list(zip(matcher.codes, matcher.names, matcher.levels, matcher.fields))
        if query:
            by_code = [r for r in rows if r[0] == query]
            ranked = by_code or [rows[matcher.codes.index(c.code)] for c in matcher.rank(query, SEARCH_LIMIT)]
            rows = ranked
        if level:
            rows = [r for r in rows if level in fold(r[2])]
        return rows[:LIST_LIMIT], len(matcher)

    async def page(request: web.Request) -> web.Response:
        session = request[SESSION_KEY]
        csrf = site.admin.csrf_field(session)
        query = request.query.get("q", "").strip()[:200]
        level = fold(request.query.get("cap", ""))[:20]
        found, total = await asyncio.to_thread(listing, query, level)
        search = (f'<form method="get" action="{PATH}" class="search" role="search">'
                  f'<label>Tìm thủ tục <input type="search" name="q" value="{h(query)}" '
                  'placeholder="ví dụ: đăng ký khai sinh, 1.001193"></label>'
                  f'<label>Cấp <input type="text" name="cap" value="{h(level)}" placeholder="xa, tinh, bo" size="6">'
                  '</label><button type="submit">Tìm</button></form>')
        head = (f"<p>Đang phục vụ {total} thủ tục. " + (f"Kết quả cho “{h(query)}”:" if query else
                f"{min(total, LIST_LIMIT)} thủ tục đầu theo mã:") + "</p>")
        upload = ('<h2>Nhập thủ tục</h2><p>Tệp .jsonl, .json, .csv (có thể nén .gz) theo tên trường của danh mục '
                  'quốc gia, hoặc trang chi tiết thủ tục .docx, .pdf, .html, .txt. Bản ghi hỏng bị từ chối kèm lý do, '
                  'bản ghi tốt vẫn được nhập; thủ tục trùng mã thay bản cũ.</p>'
                  f'<form method="post" action="{PATH}/upload" enctype="multipart/form-data" class="upload">{csrf}'
                  '<label>Tệp <input type="file" name="file" required></label>'
                  '<button type="submit">Nhập và dựng lại</button></form>')
        body = search + head + _rows(found, csrf) + upload
        return site.admin.html(request, "Thủ tục", body, session)

    async def upload(request: web.Request) -> web.StreamResponse:
        """multipart/form-data: `csrf` first, then `file` (read up to the upload limit)."""
        session = request[SESSION_KEY]
        idle = channel.body_timeout
        try:
            reader = await request.multipart()
        except (AssertionError, ValueError, KeyError):
            return site.admin.forbidden(request, session)
        part = await within(request, reader.next(), idle)
        if part is None or getattr(part, "name", None) != "csrf":
            return site.admin.forbidden(request, session)
        token = await within(request, part.read(decode=True), idle)  # type: ignore[union-attr]
        if not same_secret(token[:200].decode("utf-8", "replace"), session.csrf):
            return site.admin.forbidden(request, session)
        part = await within(request, reader.next(), idle)
        if part is None or getattr(part, "name", None) != "file" or not getattr(part, "filename", None):
            session.flash.append(("error", "Bạn chưa chọn tệp để nhập."))
            raise web.HTTPSeeOther(PATH)
        data = bytearray()
        while chunk := await within(request, part.read_chunk(256 * 1024), idle):  # type: ignore[union-attr]
            data += chunk
            if len(data) > channel.upload_limit:
                session.flash.append(("error", "Tệp lớn quá giới hạn tải lên."))
                raise web.HTTPSeeOther(PATH)
        filename = str(part.filename)[:255]
        changed, text = await asyncio.to_thread(procedure_admin().import_bytes, bytes(data), filename)
        site.admin.audit(request, "nhapthutuc", f"{filename}: {'ok' if changed else 'không đổi'}", True)
        session.flash.append(("ok" if changed else "error", text))
        raise web.HTTPSeeOther(PATH)

    async def remove(request: web.Request) -> web.StreamResponse:
        code = str(request[FORM_KEY].get("code", "")).strip()[:60]
        ok, text = await asyncio.to_thread(procedure_admin().remove, code)
        site.admin.audit(request, "xoathutuc", f"{code}: {'ok' if ok else 'không có'}", True)
        request[SESSION_KEY].flash.append(("ok" if ok else "error", text))
        raise web.HTTPSeeOther(PATH)

    channel.upload_paths.add(f"{PATH}/upload")  # a catalogue file is an upload, not a small form
    site.admin_page(PATH, "Thủ tục", page)
    site.admin_page(f"{PATH}/upload", "", upload, in_menu=False, method="POST", form=False)
    site.admin_page(f"{PATH}/remove", "", remove, in_menu=False, method="POST", form=True)
