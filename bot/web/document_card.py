"""The dashboard's document card: /admin/documents/<id> shows a document's parts — issuer, number,
date, signer, recipients, cited documents, tasks, targets — with the same labels as
`cchc kb show ID` (knowledge/parts/card.py), server-rendered, every text through `h()`."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from aiohttp import web

from bot.web.admin import SESSION_KEY, h
from bot.web.features import Site
from knowledge.parts import DocumentParts, read_parts
from knowledge.parts.card import MISSING, card_fields

PATH = "/admin/documents/{doc_id}"


def _read(kb_path: Path, doc_id: str) -> DocumentParts | None:
    try:
        conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return read_parts(conn, doc_id)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def card_html(parts: DocumentParts) -> str:
    rows = []
    for label, value in card_fields(parts):
        if isinstance(value, list):
            shown = (f'<ol>{"".join(f"<li>{h(item)}</li>" for item in value)}</ol>' if value else h(MISSING))
            rows.append(f"<dt>{h(label)} ({len(value)})</dt><dd>{shown}</dd>")
        else:
            rows.append(f"<dt>{h(label)}</dt><dd>{h(value)}</dd>")
    return f'<dl class="document-card">{"".join(rows)}</dl>'


def setup(site: Site) -> None:
    channel = site.channel

    async def page(request: web.Request) -> web.Response:
        session = request[SESSION_KEY]
        doc_id = request.match_info["doc_id"]
        holder = channel.assistant.holder
        holder.refresh_if_changed()
        parts = await asyncio.to_thread(_read, Path(holder.kb_path), doc_id)
        if parts is None:
            body = (f"<p>Không có tài liệu mã {h(doc_id)}.</p>"
                    '<p><a href="/admin/documents">Về danh sách tài liệu</a></p>')
            return site.admin.html(request, "Không tìm thấy tài liệu", body, session, 404)
        body = (f'<p><a href="/admin/documents">← Danh sách tài liệu</a></p>'
                f"<p>Mã: <code>{h(doc_id)}</code></p>{card_html(parts)}")
        return site.admin.html(request, parts.title or doc_id, body, session)

    site.admin_page(PATH, "", page, in_menu=False)
