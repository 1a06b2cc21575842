"""Request bodies of the web channel: read once, within a size limit and a time limit.

Every small body (JSON questions, the admin's urlencoded or multipart forms) is read by the limits
middleware before any handler runs, whether it came with a Content-Length or chunked, and kept on
the request; handlers parse that copy (`parse_form`, `json.loads`). Reading it twice was the bug of
issue 22: a chunked login was read empty by the form parser and counted as a failed attempt.

Time limits, so a half-sent request cannot hold a connection open forever (slowloris):
- request line and headers: aiohttp's keep-alive timer, armed from the moment a connection opens
  and between requests, closes a connection whose headers have not arrived in HEADER_TIMEOUT_SECONDS;
- a small body must arrive whole within BODY_TIMEOUT_SECONDS; an upload may take longer but may not
  stall for more than that between two chunks.
A client that gives up half-way is normal on the web (a phone loses signal): one INFO line, no
traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from email.parser import BytesParser
from email.policy import HTTP
from typing import TypeVar
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

log = logging.getLogger(__name__)

T = TypeVar("T")

# A phone on a weak 3G link sends a request's headers in well under a second; 15 s leaves room for
# a stalled radio and still frees a slowloris connection quickly.
HEADER_TIMEOUT_SECONDS = 15.0
# 64 KB (the largest small body) at 20 kbit/s (a poor 2G link) takes 26 s; the same bound is the
# longest an upload may pause between two chunks.
BODY_TIMEOUT_SECONDS = 30.0
# After an early answer (413, 408) aiohttp reads and drops the rest of a body for this long before
# closing, so the client can still read the answer; its default (10 s) would hold a staller longer.
LINGER_SECONDS = 2.0
READ_CHUNK = 64 * 1024
MAX_FORM_FIELDS = 50


class BodyTooLarge(Exception):
    """The body grew past its route's limit while it was read (chunked bodies have no length)."""


def _json_error(status: int, message: str) -> dict[str, str]:
    return {"text": json.dumps({"ok": False, "error": message}, ensure_ascii=False),
            "content_type": "application/json"}


def client_of(request: web.Request) -> str:
    from bot.web.app import CLIENT_KEY

    return request.get(CLIENT_KEY) or request.remote or "?"


def timed_out(request: web.Request) -> web.HTTPRequestTimeout:
    """The 408 answer to a client that stopped sending, logged as one INFO line."""
    log.info("client %s sent its request body too slowly (%s %s): 408", client_of(request), request.method,
             request.path[:100])
    return web.HTTPRequestTimeout(**_json_error(408, "Hết thời gian chờ dữ liệu gửi lên. Vui lòng gửi lại."))


async def within(request: web.Request, step: Awaitable[T], seconds: float) -> T:
    """`step` (one read of the body), or a 408 raised when it takes longer than `seconds`."""
    try:
        return await asyncio.wait_for(step, seconds)
    except asyncio.TimeoutError:
        raise timed_out(request) from None


async def read_body(request: web.Request, limit: int, seconds: float) -> bytes:
    """The whole body, at most `limit` bytes, arriving within `seconds` in total."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    body = bytearray()
    while True:
        chunk = await within(request, request.content.read(min(READ_CHUNK, limit + 1 - len(body))),
                             max(0.0, deadline - loop.time()))
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge()


def parse_form(body: bytes, content_type_header: str) -> MultiDictProxy[str]:
    """The text fields of an urlencoded or multipart form already read in full (files are ignored:
    only the upload route takes files, and it streams them)."""
    out: MultiDict[str] = MultiDict()
    kind = content_type_header.split(";", 1)[0].strip().lower()
    if kind in ("", "application/x-www-form-urlencoded"):
        try:
            fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                               max_num_fields=MAX_FORM_FIELDS)
        except ValueError:  # more fields than any of our forms has: not one of ours
            fields = []
        for name, value in fields:
            out.add(name, value)
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type_header}\r\n\r\n".encode("latin-1", "replace")
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        if message.is_multipart():
            for part in list(message.iter_parts())[:MAX_FORM_FIELDS]:  # type: ignore[attr-defined]
                name = part.get_param("name", header="content-disposition")
                if not name or part.get_filename():
                    continue
                payload = part.get_payload(decode=True) or b""
                out.add(str(name), payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return MultiDictProxy(out)
