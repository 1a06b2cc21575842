"""Build the knowledge DB from a folder of documents, safely.

The knowledge DB is derived data: it is written to a new file, validated, and only then moved over
the old one with `os.replace` (atomic on POSIX). A document that cannot be read (too short, broken,
no passages), a question file that cannot be parsed or a question that does not check out is
skipped with its reason and the rest is built: one bad file among 2,000 must not keep the other
1,999 out. Every refusal is listed in the report (and kept in the DB's meta table, so the next
change can tell new refusals from known ones); the build fails — and the old DB keeps serving —
only when no document is left to serve.

The documents folder starts as a copy of the embedded seed plans and their question files; admins
add, replace and remove files there (`cchc kb add/remove`, or from the chat).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from knowledge.contacts import extract_contacts
from knowledge.display import DocumentDisplay, TokenMap, document_display
from knowledge.journal import crash_point
from knowledge.metadata import DocumentMeta, citations_in, extract_metadata, number_suffix, resolve_from_citations
from knowledge.parts import DocumentParts, parts_for_build, write_parts_many
from knowledge.readers import SUPPORTED_SUFFIXES, DocumentError, read_bytes
from knowledge.restore import needs_restoring, restore
from knowledge.structure import document_passages, end_matter

SCHEMA_VERSION = "9"  # 5: restored text for people to read beside the raw text; 6: signer;
# 7: index terms include the restored words (headings and sentences); 8: the procedures table;
# 9: document parts (doc_parts, doc_recipients, doc_cites, doc_tasks, doc_targets)
QUESTION_SUFFIXES = (".yaml", ".yml")
SEEDS_DIR = Path(__file__).parent / "seeds"
BUNDLED_QUESTIONS_DIR = Path(__file__).parent / "questions"

Indexer = Callable[[sqlite_utils.Database], None]


class BuildError(Exception):
    """The build was refused; `errors` lists every reason in Vietnamese."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class BuildReport:
    """What a build produced, for `cchc kb build` and the admin's /reload reply."""

    documents: list[dict] = field(default_factory=list)
    passages: int = 0
    contacts: int = 0
    questions: int = 0
    restored: int = 0  # scanned documents whose Vietnamese was restored for reading
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    refused: list[str] = field(default_factory=list)  # every file or question skipped, with its reason
    warnings_by_doc: dict[str, list[str]] = field(default_factory=dict)  # doc_id → its warnings
    procedures: int = 0  # procedures served: the shipped catalogue in scope + the office's imports


# Called with the build's refusals before anything is written; the reasons it returns refuse the
# whole build (an admin's add/remove must not quietly knock other content out).
RefusalGuard = Callable[[list[str]], list[str]]
REFUSED_META_KEY = "refused"


def stored_refusals(kb_path: Path) -> list[str]:
    """The refusals recorded by the build of the DB at `kb_path` ([] when none or unreadable)."""
    if not kb_path.exists():
        return []
    try:
        db = sqlite_utils.Database(kb_path)
        try:
            rows = list(db.query("SELECT value FROM meta WHERE key = ?", [REFUSED_META_KEY]))
        finally:
            db.close()
        return list(json.loads(rows[0]["value"])) if rows else []
    except Exception:
        return []


def doc_id_for(path: Path) -> str:
    return path.stem


def document_files(docs_dir: Path) -> list[Path]:
    return sorted(p for p in docs_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))


def question_files(docs_dir: Path) -> list[Path]:
    return sorted(p for p in docs_dir.iterdir() if p.is_file() and p.suffix.lower() in QUESTION_SUFFIXES)


def seed_documents(docs_dir: Path) -> None:
    """Create the documents folder from the embedded seed plans and their question files."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(SEEDS_DIR.glob("*.txt")):
        shutil.copy2(src, docs_dir / src.name)
    if BUNDLED_QUESTIONS_DIR.is_dir():
        for src in sorted(BUNDLED_QUESTIONS_DIR.glob("*.yaml")):
            shutil.copy2(src, docs_dir / src.name)


def parse_documents(docs_dir: Path, refused_ids: set[str] | None = None) -> tuple[list[dict], list[str]]:
    """Read and analyse every document; returns (documents, refusals). Large folders are read by
    worker processes (knowledge/workers.py), with the same result in the same order. The ids of the
    refused documents are added to `refused_ids` when given (their questions are skipped too)."""
    from knowledge.workers import chunked, map_chunks

    paths = document_files(docs_dir)
    work = sum(_size(p) for p in paths) // BYTES_PER_PASSAGE
    docs: list[dict] = []
    errors: list[str] = []
    chunks = chunked(paths, DOCUMENTS_PER_CHUNK)
    for chunk, results in zip(chunks, map_chunks(_parse_chunk, chunks, work=work)):
        for path, (doc, error) in zip(chunk, results):
            if error is not None:
                errors.append(error)
                if refused_ids is not None:
                    refused_ids.add(doc_id_for(path))
            else:
                docs.append(doc)
    # numbers OCR destroyed, recovered from citations in the other documents
    lost = [i for i, doc in enumerate(docs) if not doc["meta"].number and number_suffix(doc["header"])]
    cited = [citations_in(d["text"]) for d in docs] if lost else []
    for i in lost:
        resolve_from_citations(number_suffix(docs[i]["header"]), docs[i]["meta"], cited[:i] + cited[i + 1:])
    return docs, errors


BYTES_PER_PASSAGE = 900  # ≈ 600 characters of Vietnamese in UTF-8: sizes a folder's work in passages
DOCUMENTS_PER_CHUNK = 20


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _parse_chunk(paths: list[Path]) -> list[tuple[dict | None, str | None]]:
    return [_parse_one(path) for path in paths]


def _parse_one(path: Path) -> tuple[dict | None, str | None]:
    """One document read, sectioned, described and its contacts found, or the reason it cannot be."""
    try:
        raw = path.read_bytes()
        content = read_bytes(raw, path.name)
    except DocumentError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"Không mở được tệp {path.name}: {exc.strerror or exc}."
    except Exception as exc:  # a reader library choking on a hostile file refuses that file only
        return None, f"Không đọc được tệp {path.name}: tệp bị hỏng hoặc không đúng định dạng ({type(exc).__name__})."
    header, passages = document_passages(content.text)
    if len(passages) == 0:
        return None, f"Tệp {path.name}: không tách được đoạn văn nào."
    meta = extract_metadata(header, content.text, path.stem)
    if not _has_plan_header(header, meta):  # a law article, a notice: nothing was missed
        meta.warnings = [w for w in meta.warnings if w not in PLAN_HEADER_WARNINGS]
    if content.converted_from:
        meta.warnings.append(f"văn bản lưu bằng bảng mã {content.converted_from}, đã chuyển sang Unicode")
    return {"path": path, "text": content.text, "fmt": content.fmt, "header": header,
            "passages": passages, "meta": meta, "contacts": extract_contacts(content.text),
            "sha256": hashlib.sha256(raw).hexdigest(), "needs_restoring": needs_restoring(content.text),
            "end_matter": end_matter(content.text)}, None


# What extract_metadata says when a plan's header could not be read. A document with no plan header
# at all (a law article, a notice: 2,249 ALQAC articles gave 6,673 such lines) is normal, not faulty.
PLAN_HEADER_WARNINGS = frozenset({"không đọc được ngày ban hành", "không đọc được số hiệu văn bản",
                                  "không đọc được tên văn bản", "chỉ đọc được năm ban hành"})
NATIONAL_MOTTO = ("cong hoa", "doc lap")  # folded; OCR keeps these words better than the rest


def _has_plan_header(header: list[str], meta: DocumentMeta) -> bool:
    """An official document's header: a kind line ("KẾ HOẠCH"), a number, or the national motto."""
    from knowledge.text import fold

    return bool(meta.kind or meta.number or any(m in fold(line) for line in header for m in NATIONAL_MOTTO))


def add_displays(docs: list[dict], questions: list | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
    """Restore the documents that need it (knowledge/restore/stage.py: once, then cached), with the
    folder's clean documents as evidence; then, per document, map every extracted fragment onto
    the restored text and read the document's parts (knowledge/parts) from it: `doc["restored"]`,
    `doc["display"]` and `doc["parts"]`. Both readings are done in one pass over the documents
    (worker processes for a large build), so each document's texts go to a worker once.

    The question banks are not evidence: they were written by people reading these very plans,
    and restoration must rest on package data and the documents themselves (issue 11), so that
    an office's new scan gets the same restorer the seed plans get."""
    from knowledge.workers import chunked, map_chunks

    del questions  # kept in the signature for callers; see the docstring
    evidence = [d["text"] for d in docs if not d["needs_restoring"]]
    restored = restore([d["text"] for d in docs], evidence, progress,
                       decided=[d["needs_restoring"] for d in docs])
    items = [(d["text"], text, d["meta"], [(p.text, p.headings) for p in d["passages"]],
              [c.sentence for c in d["contacts"]], doc_id_for(d["path"])) for d, text in zip(docs, restored)]
    work = sum(len(d["passages"]) for d in docs)
    read = [one for chunk in map_chunks(_read_chunk, chunked(items, DOCUMENTS_PER_CHUNK), work=work)
            for one in chunk]
    for doc, text, (shown, parts) in zip(docs, restored, read):
        doc["restored"], doc["display"], doc["parts"] = text, shown, parts


def _read_chunk(items: list[tuple]) -> list[tuple[DocumentDisplay, DocumentParts]]:
    """What people read of each document, and its parts."""
    out = []
    for text, restored, meta, passages, sentences, doc_id in items:
        shown = document_display(text, restored, meta.title, meta.issuer, passages, sentences)
        out.append((shown, parts_for_build({"text": text, "restored": restored, "meta": meta}, doc_id)))
    return out


def load_questions(docs_dir: Path, texts: dict[str, str], refused_ids: set[str]) -> tuple[list, list[str]]:
    """The question files' questions that check out against the documents being built, and one
    refusal line per file or question left out (a refused document's questions: one line)."""
    from knowledge.quiz_bank import BankError, load_bank_file, split_valid

    questions = []
    refusals: list[str] = []
    for qfile in question_files(docs_dir):
        try:
            loaded = load_bank_file(qfile)
        except BankError as exc:
            reasons = [e.removeprefix(f"tệp {qfile.name}: ") for e in exc.errors]
            refusals.append(f"Bỏ qua tệp câu hỏi {qfile.name}: " + "; ".join(reasons))
            continue
        orphans: dict[str, int] = {}
        for q in loaded:
            if q.doc_id in refused_ids:
                orphans[q.doc_id] = orphans.get(q.doc_id, 0) + 1
            else:
                questions.append(q)
        for doc_id, n in orphans.items():
            refusals.append(f"Bỏ qua {n} câu hỏi trong {qfile.name} vì tài liệu {doc_id} không dùng được.")
    kept, problems = split_valid(questions, texts)
    refusals += [f"Bỏ qua {p}" for p in problems]
    return kept, refusals


def build_knowledge_db(docs_dir: Path, out_path: Path, indexer: Indexer | None = None,
                       progress: Callable[[str, int, int], None] | None = None,
                       guard: RefusalGuard | None = None, meta: dict[str, str] | None = None) -> BuildReport:
    """Build a new knowledge DB at `out_path` (written beside it first, then swapped in).

    Bad documents and questions are skipped and listed in `report.refused`; `BuildError` only when
    no document can be served, or when `guard` objects to the refusals. `meta` rows are stored in
    the DB's meta table (an admin's change stores its journal id: knowledge/journal.py)."""
    started = time.perf_counter()
    if not docs_dir.is_dir():
        seed_documents(docs_dir)
    refused_ids: set[str] = set()
    docs, refusals = parse_documents(docs_dir, refused_ids)
    if not docs:
        if not refusals:
            raise BuildError([f"Thư mục tài liệu {docs_dir} không có tài liệu nào (.txt, .md, .docx, .pdf)."])
        raise BuildError([*refusals, "Không còn tài liệu nào dùng được để dựng cơ sở tri thức."])
    texts = {doc_id_for(d["path"]): d["text"] for d in docs}
    questions, question_refusals = load_questions(docs_dir, texts, refused_ids)
    refusals += question_refusals
    if guard is not None:
        objections = guard(refusals)
        if objections:
            raise BuildError(objections)
    add_displays(docs, questions, progress)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.{time.time_ns()}.tmp")
    report = BuildReport(refused=refusals)
    try:
        db = sqlite_utils.Database(tmp)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        _write(db, docs, questions, report, progress)
        report.procedures = _write_procedures(db, out_path.parent)
        if indexer is not None:
            indexer(db)
        _validate(db, report)
        db["meta"].insert_all([{"key": "schema", "value": SCHEMA_VERSION},
                               {"key": "built_at", "value": str(time.time())},
                               {"key": REFUSED_META_KEY, "value": json.dumps(refusals, ensure_ascii=False)},
                               *({"key": k, "value": v} for k, v in (meta or {}).items())],
                              pk="key", replace=True)
        db.conn.commit()
        db.close()
        crash_point("swap")
        os.replace(tmp, out_path)
        crash_point("swapped")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _write(db: sqlite_utils.Database, docs: list[dict], questions: list, report: BuildReport,
           progress: Callable[[str, int, int], None] | None) -> None:
    """Raw text as extracted (`text`, `headings`, `title`, `issuer`, `sentence`, `quote`), and beside
    it what people read (`display`, `headings_display`, `title_display`, `issuer_display`,
    `sentence_display`, `quote_display`); a `*_display` passage or contact column is NULL when it is
    the raw text itself (clean documents)."""
    doc_rows, passage_rows, contact_rows = [], [], []
    pid = 0
    for n, doc in enumerate(docs, 1):
        meta = doc["meta"]
        shown: DocumentDisplay = doc["display"]
        doc_id = doc_id_for(doc["path"])
        for warning in meta.warnings:
            report.warnings.append(f"{doc['path'].name}: {warning}")
            report.warnings_by_doc.setdefault(doc_id, []).append(f"{doc['path'].name}: {warning}")
        first_pid = pid + 1
        for p, text, headings in zip(doc["passages"], shown.passages, shown.headings):
            pid += 1
            passage_rows.append({"id": pid, "doc_id": doc_id, "ordinal": p.ordinal, "section": p.section,
                                 "headings": json.dumps(list(p.headings), ensure_ascii=False), "text": p.text,
                                 "display": text,
                                 "headings_display": None if headings is None else json.dumps(
                                     headings, ensure_ascii=False)})
        for c, sentence in zip(doc["contacts"], shown.sentences):
            contact_rows.append({"doc_id": doc_id, "kind": c.kind, "label": c.label, "value": c.value,
                                 "sentence": c.sentence, "purpose": c.purpose,
                                 "passage_id": _passage_of(passage_rows, first_pid, pid, c.value),
                                 "sentence_display": sentence})
        doc_rows.append({"doc_id": doc_id, "filename": doc["path"].name, "format": doc["fmt"],
                         "title": meta.title, "kind": meta.kind, "number": meta.number, "date": meta.date,
                         "issuer": meta.issuer, "header": "\n".join(doc["header"]), "sha256": doc["sha256"],
                         "chars": len(doc["text"]), "passages": len(doc["passages"]),
                         "warnings": json.dumps(meta.warnings, ensure_ascii=False),
                         "title_display": shown.title, "issuer_display": shown.issuer,
                         "restored": int(shown.restored), "signer": meta.signer,
                         "signature": doc.get("end_matter", ""),
                         "signature_display": _signature_display(doc) if shown.restored else None})
        if progress:
            progress("documents", n, len(docs))
    db["documents"].insert_all(doc_rows, pk="doc_id")
    # document parts (issue 18): letterhead, recipients, signer, cites, tasks, targets
    write_parts_many(db, [(parts.doc_id or "", parts) for parts in (d["parts"] for d in docs)])
    db["passages"].insert_all(passage_rows, pk="id", batch_size=2000,
                              columns={"display": str, "headings_display": str})
    db["passages"].create_index(["doc_id"])
    contact_columns = {"id": int, "doc_id": str, "kind": str, "label": str, "value": str, "sentence": str,
                       "purpose": str, "passage_id": int, "sentence_display": str}
    if contact_rows:
        db["contacts"].insert_all(contact_rows, pk="id", columns=contact_columns)
    else:
        db["contacts"].create(contact_columns, pk="id")
    token_maps: dict[str, TokenMap] = {}
    by_id = {doc_id_for(d["path"]): d for d in docs}

    def quote_display(doc_id: str, quote: str) -> str | None:
        """The quote as the restored plan has it (quotes are copied from the scan)."""
        doc = by_id.get(doc_id)
        if doc is None or doc.get("restored") is None or not quote.strip():
            return None
        if doc_id not in token_maps:
            token_maps[doc_id] = TokenMap(doc["text"], doc["restored"])
        return token_maps[doc_id].find_folded(quote)

    q_rows = [{"id": q.id, "doc_id": q.doc_id, "question": q.question,
               "options": json.dumps(list(q.options), ensure_ascii=False), "answer": q.answer,
               "explanation": q.explanation, "quote": q.quote, "section": q.section,
               "quote_display": quote_display(q.doc_id, q.quote)} for q in questions]
    q_columns = {"id": str, "doc_id": str, "question": str, "options": str, "answer": int,
                 "explanation": str, "quote": str, "section": str, "quote_display": str}
    if q_rows:
        db["questions"].insert_all(q_rows, pk="id", columns=q_columns)
    else:
        db["questions"].create(q_columns, pk="id")
    report.documents = [{"doc_id": r["doc_id"], "filename": r["filename"], "title": r["title_display"],
                         "number": r["number"], "date": r["date"], "issuer": r["issuer_display"],
                         "passages": r["passages"], "sha256": r["sha256"]} for r in doc_rows]
    report.passages, report.contacts, report.questions = len(passage_rows), len(contact_rows), len(q_rows)
    report.restored = sum(r["restored"] for r in doc_rows)


def _write_procedures(db: sqlite_utils.Database, data_dir: Path) -> int:
    """The procedure catalogue goes in the same new file as the documents (one generation); the
    office's imports are kept in the data dir, beside the knowledge DB (knowledge/procedures)."""
    from knowledge.procedures.catalogue import write_catalogue

    return write_catalogue(db, data_dir)


def _signature_display(doc: dict) -> str | None:
    """The "Nơi nhận" and signature block as people read it: the restored document's same lines."""
    block = doc.get("end_matter") or ""
    restored = doc.get("restored") or ""
    if not block or not restored:
        return None
    raw_lines, shown_lines = doc["text"].split("\n"), restored.split("\n")
    first = block.split("\n")[0]
    for i, line in enumerate(raw_lines):
        if line.rstrip() == first and len(shown_lines) == len(raw_lines):
            n = len(block.split("\n"))
            return "\n".join(x.rstrip() for x in shown_lines[i:i + n]).strip()
    return None


def _passage_of(rows: list[dict], first: int, last: int, value: str) -> int:
    """The passage (of this document) whose text holds the contact value, for citing it."""
    from knowledge.text import fold

    needle = fold(value)
    for row in rows[first - 1:last]:
        if needle and needle in fold(row["text"]):
            return int(row["id"])
    return first


def _validate(db: sqlite_utils.Database, report: BuildReport) -> None:
    """Refuse a DB that could not serve: no document, a document without passages, no index."""
    problems = []
    if db["documents"].count == 0:
        problems.append("Cơ sở tri thức mới không có tài liệu nào.")
    for row in db.query("SELECT d.filename FROM documents d LEFT JOIN passages p ON p.doc_id = d.doc_id "
                        "GROUP BY d.doc_id HAVING COUNT(p.id) = 0"):
        problems.append(f"Tài liệu {row['filename']} không có đoạn văn nào.")
    if problems:
        raise BuildError(problems)
