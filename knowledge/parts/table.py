"""A plan's appendix table (PHỤ LỤC / DANH MỤC NHIỆM VỤ): STT, nhiệm vụ, chủ trì, phối hợp, thời gian,
sản phẩm. A table whose cells are separated ("|", tabs, wide gaps, as .docx and PDF text give them)
is read by its header; an OCR'd table, whose columns ran together, gives one task per numbered row
with the time found in it."""

from __future__ import annotations

import re

from knowledge.parts.aligned import Aligned, Token, raw_text, shown_text
from knowledge.parts.model import Task
from knowledge.parts.tasks import deadline_in
from knowledge.text import fold

_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{3,}")
_ROLES = (("stt", ("stt", "tt")), ("task", ("nhiem vu", "noi dung", "cong viec", "ten nhiem vu")),
          ("lead", ("chu tri",)), ("support", ("phoi hop",)),
          ("deadline", ("thoi gian", "thoi han", "tien do", "hoan thanh")), ("product", ("san pham", "ket qua")))


def find_table_tasks(al: Aligned, start: int) -> list[Task]:
    """Rows of the first task table after line `start` (the appendix)."""
    header_at, roles = None, []
    for i in range(start, min(len(al), start + 40)):
        f = fold(al.shown(i)) + " " + fold(al.raw(i))
        if sum(w in f for w in ("nhiem vu", "noi dung", "cong viec", "chu tri", "phoi hop", "thoi gian",
                                "san pham", "stt")) >= 3:
            header_at = i
            cells = _CELL_SPLIT.split(al.raw_lines[i].strip().strip("|"))
            shown = _CELL_SPLIT.split(al.shown(i).strip().strip("|"))
            roles = [_role(c) or (_role(shown[k]) if len(shown) == len(cells) else "")
                     for k, c in enumerate(cells)] if len(cells) >= 3 else []
            if roles and "task" not in roles and "stt" in roles[:-1]:
                roles[roles.index("stt") + 1] = "task"  # the standard order: STT, then the task
            break
    if header_at is None:
        return []
    if roles and "task" in roles:
        return _cell_rows(al, header_at + 1, roles)
    return _free_rows(al, header_at + 1)


def _role(cell: str) -> str:
    f = fold(cell)
    for role, words in _ROLES:
        if any(f == w or f.startswith(w + " ") or f" {w}" in f" {f}" for w in words):
            return role
    return ""


def _split_tokens(tokens: list[Token], n: int) -> list[list[Token]] | None:
    """Tokens of one table line cut into its cells where the raw line is cut."""
    cells: list[list[Token]] = [[]]
    for raw, shown in tokens:
        if raw == "|":
            cells.append([])
            continue
        if raw.startswith("|"):
            cells.append([])
            raw, shown = raw[1:], shown[1:] if shown.startswith("|") else shown
        tail = raw.endswith("|") and len(raw) > 1
        if tail:
            raw, shown = raw[:-1], shown[:-1] if shown.endswith("|") else shown
        if raw:
            cells[-1].append((raw, shown))
        if tail:
            cells.append([])
    cells = [c for k, c in enumerate(cells) if c or 0 < k < len(cells) - 1]
    return cells if len(cells) == n else None


def _cell_rows(al: Aligned, start: int, roles: list[str]) -> list[Task]:
    rows: list[list[list[Token]]] = []
    for i in range(start, len(al)):
        line = al.raw(i)
        if not line.strip():
            continue
        if "|" in line:
            cells = _split_tokens(al.lines[i], len(roles))
        else:
            cells = _gap_cells(al, i, len(roles))
        if cells is None:
            if rows:
                break
            continue
        first = raw_text(cells[roles.index("stt")]) if "stt" in roles else "x"
        if rows and "stt" in roles and not first.strip():
            for k, cell in enumerate(cells):  # a cell that runs on to the next line
                rows[-1][k] = rows[-1][k] + cell
            continue
        rows.append(cells)
    tasks = []
    for cells in rows:
        by_role = {role: cells[k] for k, role in enumerate(roles) if role}
        task = shown_text(by_role.get("task", []))
        if not task:
            continue
        lead = shown_text(by_role.get("lead", [])) or None
        support = [s.strip() for s in re.split(r";|,\s*(?=[A-ZĐ])", shown_text(by_role.get("support", [])))
                   if s.strip()]
        deadline = shown_text(by_role.get("deadline", [])) or None
        product = shown_text(by_role.get("product", [])) or None
        source = " | ".join(raw_text(c) for c in cells)
        tasks.append(Task(task, lead, support, deadline, product, "Phụ lục", source))
    return tasks


def _gap_cells(al: Aligned, i: int, n: int) -> list[list[Token]] | None:
    """A line whose cells are separated by tabs or wide gaps, cut at the same places."""
    raw_line = al.lines[i]
    pieces = [p for p in _CELL_SPLIT.split(al.raw_lines[i].strip()) if p.strip()]
    if not pieces or len(pieces) != n:
        return None
    cells, k = [], 0
    for piece in pieces:
        count = len(piece.split())
        cells.append(raw_line[k:k + count])
        k += count
    return cells


def _free_rows(al: Aligned, start: int) -> list[Task]:
    """An OCR'd table: a row starts with its number; its time is found in it."""
    rows: list[list[Token]] = []
    for i in range(start, len(al)):
        tokens = al.lines[i]
        if not tokens:
            continue
        if re.fullmatch(r"\|?\d{1,2}[.|)]?\|?", tokens[0][0]) and len(tokens) > 2:
            rows.append(list(tokens[1:]))
        elif rows:
            rows[-1].extend(tokens)
    return [Task(shown_text(r), None, [], deadline_in(shown_text(r), cell=True), None, "Phụ lục", raw_text(r))
            for r in rows if shown_text(r)]
