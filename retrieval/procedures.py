"""Finding the procedure a question is about, and deciding whether a question is one.

Ranking: the same BM25 core as passages (retrieval/inverted_index.py) over three views of each
procedure — its name, its field (lĩnh vực) and its body (documents, who files, agency, result,
conditions) — summed with the name weighted highest: a citizen names the procedure, or the thing it
issues, far more often than its paperwork. The indexes are built with the knowledge DB and stored
in it (one generation with the procedures table), so opening a bot loads them instead of re-reading
2,849 records.

Routing (`route`): a question goes to the documents (plans, laws) or to the catalogue, never
both, by what it asks and how well each side answers (see `route`'s docstring).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from knowledge.procedures.records import filed_by_person
from knowledge.text import fold
from retrieval.inverted_index import InvertedBM25Index, code_fingerprint
from retrieval.procedure_terms import document_tokens, question_terms, split_ask, with_bigrams
from retrieval.question import understand

VIEWS = ("name", "field", "body")
# Weights of the three views' BM25 scores, set on half of the dev questions (README, issue 19).
VIEW_WEIGHTS = {"name": 1.0, "field": 0.6, "body": 0.7}
BODY_FIELDS = ("thanh_phan_ho_so", "doi_tuong_thuc_hien", "ket_qua", "yeu_cau_dieu_kien", "co_quan_thuc_hien")
BODY_CHARS = 3000  # of each body field: the documents list is what matters, not every sub-clause
ROWS_SQL = "SELECT code, name, field, level, person FROM procedures ORDER BY code"
RECORDS_SQL = "SELECT record FROM procedures ORDER BY code"
REFERENCE_SQL = "SELECT record FROM procedure_reference ORDER BY rowid"
RECORD_CACHE = 256  # decoded records kept (a record is up to ≈ 60 KB of JSON; the same few are asked about)
# A person asking about their own affairs ("tôi", "con tôi") is served by procedures a citizen files;
# a question naming a business or organisation is not (set on half of the dev questions).
PERSON_PRIOR = 0.6
_ORGANISATION = re.compile(r"\b(doanh nghiep|cong ty|to chuc|hop tac xa|chi nhanh|quy|nha dau tu)\b")


def view_texts(rec: dict[str, Any]) -> dict[str, str]:
    """The text each view indexes, from a stored record."""
    return {"name": rec.get("ten_thu_tuc", ""), "field": rec.get("linh_vuc", ""),
            "body": "\n".join((rec.get(f) or "")[:BODY_CHARS] for f in BODY_FIELDS)}


def view_terms(text: str) -> list[str]:
    return with_bigrams(document_tokens(text))


def index_fingerprint() -> str:
    return code_fingerprint(view_texts, view_terms, document_tokens, with_bigrams, RECORDS_SQL, REFERENCE_SQL)


def _table(view: str) -> str:
    return f"procedure_index_{view}"


def _rows(conn: sqlite3.Connection) -> list[tuple]:
    """(code, name, field, level, filed by a person) of each served procedure, by code."""
    try:
        return conn.execute(ROWS_SQL).fetchall()
    except sqlite3.Error:  # a knowledge DB built before procedures (or their `person` column) existed
        try:
            return [(c, n, f, lv, int(filed_by_person(json.loads(rec)))) for c, n, f, lv, rec in
                    conn.execute("SELECT code, name, field, level, record FROM procedures ORDER BY code")]
        except sqlite3.Error:
            return []


def _texts(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """The views' texts of the served procedures (in `_rows` order), then of the reference ones."""
    records = [json.loads(r[0]) for r in conn.execute(RECORDS_SQL)]
    try:
        records += [json.loads(r[0]) for r in conn.execute(REFERENCE_SQL)]
    except sqlite3.Error:  # built before reference rows existed: the served ones alone
        pass
    return [view_texts(r) for r in records]


# The last catalogue indexed in this process: (digest of its texts, the views' indexes). A bot's
# reload and an admin's change rebuild a knowledge base whose catalogue rarely changed; counting the
# 2,849 records' terms again took 1.8 s of a 4 s one-plan rebuild (tests/test_admin_reload.py).
_last_indexes: tuple[str, dict[str, InvertedBM25Index]] | None = None
_last_lock = threading.Lock()


def store_procedure_indexes(conn: sqlite3.Connection) -> None:
    """Build time: the three views' indexes over the served and the reference procedures, stored
    beside the procedures table (the same catalogue's indexes are reused within one process)."""
    global _last_indexes
    texts = _texts(conn) if _rows(conn) else []
    fingerprint = index_fingerprint()
    digest = hashlib.sha256(json.dumps([fingerprint, texts], ensure_ascii=False).encode()).hexdigest()
    with _last_lock:
        cached = _last_indexes
    if cached is not None and cached[0] == digest:
        indexes = cached[1]
    else:
        indexes = {view: InvertedBM25Index([view_terms(t[view]) for t in texts]) for view in VIEWS}
        with _last_lock:
            _last_indexes = (digest, indexes)
    for view in VIEWS:
        indexes[view].store(conn, fingerprint, _table(view))


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    field: str
    level: str
    score: float


class ProcedureMatcher:
    """The procedures of one knowledge DB and their indexes (read once, then read-only)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        rows = _rows(conn)
        self.codes = [r[0] for r in rows]
        self.names = [r[1] for r in rows]
        self.fields = [r[2] or "" for r in rows]
        self.levels = [r[3] or "" for r in rows]
        self._conn = conn
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}  # the procedures asked about lately, decoded
        self.indexes: dict[str, InvertedBM25Index] = {}
        self.person_filed = np.array([float(r[4] or 0) for r in rows])
        if not rows:
            return
        fingerprint = index_fingerprint()
        texts = None
        for view in VIEWS:
            index = InvertedBM25Index.load(conn, fingerprint, _table(view))
            if index is None or index.size < len(rows):
                if texts is None:
                    texts = _texts(conn)
                index = InvertedBM25Index([view_terms(t[view]) for t in texts])
            self.indexes[view] = index

    def __len__(self) -> int:
        return len(self.codes)

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        """Each served procedure's score (the reference rows after them only weigh the words)."""
        n = len(self.codes)
        total = np.zeros(n)
        for view, index in self.indexes.items():
            part = index.scores(weights)
            if part is not None:
                total += VIEW_WEIGHTS[view] * part[:n]
        return total

    def rank(self, question: str, n: int = 5) -> list[Candidate]:
        if not self.codes:
            return []
        weights = question_terms(question)
        if not weights:
            return []
        scores = self.scores(weights)
        if not _ORGANISATION.search(fold(question)):
            scores = scores * (1.0 + PERSON_PRIOR * self.person_filed)
        if n < len(scores):  # the n best without sorting all 2,849: ties broken by position, as before
            top = np.argpartition(-scores, n - 1)[:n]
            order = top[np.lexsort((top, -scores[top]))]
        else:
            order = np.argsort(-scores, kind="stable")[:n]
        return [Candidate(self.codes[i], self.names[i], self.fields[i], self.levels[i], float(scores[i]))
                for i in order if scores[i] > 0]

    def record(self, code: str) -> dict[str, Any] | None:
        """One stored record (read-only: shared by the answers that show it)."""
        cached = self._records.get(code)
        if cached is not None:
            return cached
        with self._lock:
            try:
                row = self._conn.execute("SELECT record FROM procedures WHERE code = ?", (code,)).fetchone()
            except sqlite3.Error:
                return None
        if not row:
            return None
        record = json.loads(row[0])
        with self._lock:  # question threads share the cache: evict and insert as one step
            if len(self._records) >= RECORD_CACHE:
                self._records.pop(next(iter(self._records)), None)
            self._records[code] = record
        return record


_MATCHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MATCHERS_LOCK = threading.Lock()


def matcher_for(engine: Any) -> ProcedureMatcher:
    """The matcher of an engine's knowledge DB, made on first use and kept as long as the engine
    (a reload's new engine gets its own: procedures and documents stay one generation)."""
    matcher = _MATCHERS.get(engine)
    if matcher is None:
        with _MATCHERS_LOCK:
            matcher = _MATCHERS.get(engine)
            if matcher is None:
                conn = sqlite3.connect(f"file:{engine.kb_path}?mode=ro", uri=True, check_same_thread=False)
                matcher = ProcedureMatcher(conn)
                _MATCHERS[engine] = matcher
    return matcher


# -- what is asked, and whether the catalogue answers it ------------------------------------------
# Folded cue → the catalogue field a question asks for; the first cue found wins, in this order.
ASKED_FIELDS: list[tuple[str, str]] = [
    ("thanh_phan_ho_so", r"ho so gom|ho so can|giay to|can nhung gi|can chuan bi|chuan bi nhung|can gi|"
                         r"can mang|thanh phan"),
    ("phi_le_phi", r"le phi|phi|bao nhieu tien|mat tien|ton tien|chi phi|mien phi"),
    ("thoi_han_giai_quyet", r"bao lau|thoi han|may ngay|bao nhieu ngay|thoi gian giai quyet|khi nao co|"
                            r"bao gio co|bao gio nhan|mat may"),
    ("cach_thuc_thuc_hien", r"truc tuyen|online|qua mang|buu dien|buu chinh|cach thuc|nop qua|tai nha"),
    ("co_quan_thuc_hien", r"o dau|noi nao|co quan nao|den dau|nop tai|tham quyen|dia chi"),
    ("yeu_cau_dieu_kien", r"dieu kien|yeu cau"),
    ("can_cu_phap_ly", r"can cu phap ly|can cu|van ban nao|luat nao|nghi dinh nao|quy dinh tai"),
    ("doi_tuong_thuc_hien", r"doi tuong|ai duoc|ai co the|nhung ai"),
    ("mau_don_to_khai", r"mau don|to khai|bieu mau"),
    ("ket_qua", r"ket qua|nhan duoc gi|duoc cap gi"),
    ("thanh_phan_ho_so", r"ho so"),
    ("trinh_tu_thuc_hien", r"trinh tu|cac buoc|quy trinh|lam the nao|nhu the nao|the nao|ra sao|lam sao|"
                           r"thu tuc"),
]
_ASKED = [(field, re.compile(rf"\b(?:{cues})\b")) for field, cues in ASKED_FIELDS]


def asked_field(question: str) -> str:
    """The catalogue field the question asks for ("" when it only names the procedure)."""
    story, ask = split_ask(question)
    for text in (ask, story):
        folded = fold(text)
        for field, pattern in _ASKED:
            if pattern.search(folded):
                return field
    return ""


# Words that put a question in the documents' world: plans and their programme (a citizen asking
# about a procedure does not name a plan, a target or a campaign), laws cited by article, exam
# questions about them ("đúng hay sai", "… nào sau đây"), and court proceedings, which are not
# administrative procedures ("đương sự nộp tạm ứng án phí": the procedural code, not a card).
_DOCUMENT_CUE = re.compile(
    r"\b(ke hoach|cai cach hanh chinh|chi tieu|muc tieu|tuyen truyen|giai doan|chuong trinh|de an|"
    r"bao cao|chu tri|phoi hop|trien khai|kh so|kh ubnd|dung hay sai|nao sau day|sau day|"
    r"duong su|to tung|bi cao|bi can|toa an|vu an|khoi kien|trong tai|xet xu|ban an|dieu \d+|khoan \d+|bo luat|"
    r"theo quy dinh cua luat|luat [a-z]+ [a-z]+ quy dinh)\b")
# Words that ask how to get something done at an office.
_PROCEDURE_CUE = re.compile(
    r"\b(thu tuc|ho so|giay to|le phi|phi|bao lau|nop|dang ky|cap lai|cap doi|cap moi|xin cap|lam lai|"
    r"can nhung gi|can gi|mau don|to khai|trinh tu|o dau|co quan nao|dieu kien|doi ten|truc tuyen|online|"
    r"thoi han|doi tuong nao|muc dong|muc huong|buu dien|buu chinh|qua mang|nop qua|gui ho so|gui don|"
    r"lam the nao|lam sao de|phai lam gi|can lam gi|lam giay|lam so|lam ho|cap the|cap giay|duoc cap)\b")


@lru_cache(maxsize=8192)
def base_name(name: str) -> str:
    """A name without the level it is performed at or its foreign element: "Trình báo mất hộ chiếu
    phổ thông (thực hiện tại cấp xã)" and "(… tại cấp tỉnh)", "Đăng ký kết hôn" and "… có yếu tố nước
    ngoài" are one name to a citizen: the one shown offers the others as choices."""
    name = re.sub(r"\((?:thực hiện )?(?:tại )?(?:cấp|ở cấp|cơ quan)[^)]*\)", " ", name, flags=re.I)
    name = re.sub(r"\b(?:tại|ở) cấp (?:xã|huyện|tỉnh|bộ|trung ương)\b", " ", name, flags=re.I)
    name = re.sub(r"\s+có yếu tố nước ngoài\b", " ", name, flags=re.I)
    return " ".join(fold(name).removeprefix("thu tuc ").split())


def same_name_choices(matcher: ProcedureMatcher, code: str) -> list[str]:
    """The codes sharing `code`'s base name (other levels, or the same name twice), best level
    order: commune, province, ministry, as the catalogue lists them."""
    try:
        i = matcher.codes.index(code)
    except ValueError:
        return []
    key = base_name(matcher.names[i])
    return [c for c, name in zip(matcher.codes, matcher.names) if c != code and base_name(name) == key]


_FOREIGN = re.compile(r"\b(nuoc ngoai|quoc tich|viet kieu|dinh cu|ngoai quoc|my|han quoc|nhat ban|trung quoc|"
                      r"dai loan|duc|phap|uc|anh quoc|campuchia|lao|thai lan|singapore)\b")


def _domestic_first(candidates: list[Candidate], folded_question: str) -> list[Candidate]:
    """A question that names no foreign element gets the domestic procedure of a name first
    ("Đăng ký khai sinh" before "Đăng ký khai sinh có yếu tố nước ngoài"); the other is a choice."""
    if _FOREIGN.search(folded_question):
        return candidates
    out = list(candidates)
    for i, c in enumerate(out):
        if "nuoc ngoai" not in fold(c.name):
            continue
        key = base_name(c.name)
        for j in range(i + 1, len(out)):
            if base_name(out[j].name) == key and "nuoc ngoai" not in fold(out[j].name):
                out.insert(i, out.pop(j))
                break
    return out


def names_documents(question: str) -> bool:
    """The question is about the documents' world (a plan, a campaign, a law's article)."""
    return bool(_DOCUMENT_CUE.search(fold(question)))


@dataclass(frozen=True)
class Routing:
    """Why a question went where it went (kept for tests and for tuning)."""

    to_procedure: bool
    candidates: tuple[Candidate, ...]
    strength: float  # how much of the best procedure's name the question says, or of the question its name
    procedure_cue: bool
    document_cue: bool


_NAME_QUALIFIER = re.compile(r"\s*(?:\(|,|;| đối với | cho | trong trường hợp | tại | thực hiện tại | theo )", re.I)


def name_head(name: str) -> str:
    """A name's head: what is done to what, before its qualifiers ("Khai thuế tiêu thụ đặc biệt"
    of "Khai thuế tiêu thụ đặc biệt đối với sản xuất, kinh doanh hàng hóa …")."""
    cut = _NAME_QUALIFIER.search(name, 8)
    return name[:cut.start()] if cut else name


def name_strength(matcher: ProcedureMatcher, question_weights: dict[str, float], code: str,
                  i: int | None = None) -> float:
    """The IDF-weighted share of a procedure name's head words that the question (with its everyday
    names spelled out) says: 1.0 when the question names the procedure, low when it only shares a
    common word ("cấp", "đăng ký")."""
    index = matcher.indexes.get("name")
    if index is None:
        return 0.0
    i = matcher.codes.index(code) if i is None else i
    words = [t for t in dict.fromkeys(document_tokens(name_head(matcher.names[i]))) if t not in _NAME_FILLER]
    total = sum(index.idf(t) for t in words)
    said = sum(index.idf(t) for t in words if t in question_weights)
    return said / total if total else 0.0


def question_coverage(matcher: ProcedureMatcher, question_weights: dict[str, float], code: str) -> float:
    """The IDF-weighted share of the question's asking words (its last sentence's syllables) that
    the procedure's name and field say: high when the question is about this procedure even if the
    name is long ("Khai thuế tiêu thụ đặc biệt đối với …"), low when the question is about
    something the catalogue does not hold ("giá vé xe buýt", "giờ làm việc")."""
    index = matcher.indexes.get("name")
    if index is None:
        return 0.0
    i = matcher.codes.index(code)
    said = set(document_tokens(matcher.names[i] + " " + matcher.fields[i]))
    total = covered = 0.0
    for term, weight in question_weights.items():
        if "_" in term or weight < 1.0:
            continue
        value = index.idf(term) if index.df(term) else RARE_IDF
        total += value
        covered += value if term in said else 0.0
    return covered / total if total else 0.0


RARE_IDF = 7.0  # ≈ the IDF of a word in one name of 2,849: a word no name has counts as that rare


# Words every other name has ("Thủ tục cấp … (thực hiện tại cấp tỉnh)"): they say nothing about which.
_NAME_FILLER = frozenset("thu tuc cap thuc hien tai tinh xa bo huyen trung uong doi voi cua cho va cac o".split())



# "How many" asks a statistic (teams, files handled, people), which no card holds, unless it asks a
# procedure's own numbers: its fee, its time, its documents, a contribution or benefit rate.
_COUNTING = re.compile(r"\b(bao nhieu|may)\b")
_COUNTED_FIELDS = frozenset({"phi_le_phi", "thoi_han_giai_quyet", "thanh_phan_ho_so"})
_RATES = re.compile(r"\b(muc dong|muc huong|muc phi|muc thu|ty le huong)\b")

# Thresholds of `route`, measured on the procedure dev questions and the plan sets (README, issue 19).
MIN_STRENGTH = 0.30  # below: the best procedure shares only common words with the question
STRONG_STRENGTH = 0.40  # at or above: the question names the procedure even without asking "thủ tục"
DOC_BIGRAMS_SAY_IT = 0.45  # a cited passage holding this share of the question's word pairs answers it
DOC_WORDS_SAY_IT = 0.90  # … or this share of its words
EVIDENCE_DEPTH = 3  # candidates whose names are read for the routing's evidence (the citations shown)
COVERAGE_OVER_DOCUMENTS = 0.35  # over an answer from the documents, the procedure must cover the question


def _said(weights: dict[str, float], text: str) -> tuple[float, float]:
    """The shares of the question's syllables and syllable pairs that `text` holds."""
    tokens = document_tokens(text)
    words, pairs = set(tokens), {f"{a}_{b}" for a, b in zip(tokens, tokens[1:])}
    uni = [t for t in weights if "_" not in t]
    bi = [t for t in weights if "_" in t]
    return (sum(t in words for t in uni) / max(1, len(uni)), sum(t in pairs for t in bi) / max(1, len(bi)))


# Slots of the one question analysis (retrieval/question.py) that no procedure card fills: a
# person, a document's signer, issuer, date, number or recipients, a rank, an office's address or hours.
NOT_PROCEDURE_SLOTS = frozenset({"person", "signer", "issuer", "issued", "plan_number", "recipients", "rank",
                                 "basis", "address", "hours", "contact"})


def route(matcher: ProcedureMatcher, question: str, documents_found: bool, document_text: str = "",
          n: int = 5) -> Routing:
    """Whether the catalogue answers `question` rather than the documents (plans, laws).

    - A question in the documents' world (a plan, a target, a campaign, a law's article) stays there.
    - A procedure answers if the question asks how to get something done and names a procedure
      (MIN_STRENGTH, by its name or by covering the question), or, not asking, names one squarely
      (STRONG_STRENGTH) or both names one and is about it (MIN_STRENGTH each, STRONG_STRENGTH either);
    - and, when the documents answered too, only if the question asks how to get something done,
      the procedure's name and field say much of the
      question (COVERAGE_OVER_DOCUMENTS: a law article on a tourist guide's card is not "Cấp lại
      Thẻ Thừa phát lại") and the cited passage does not (a plan mentions "đăng ký khám chữa bệnh"
      in passing; it does not explain the procedure).
    Otherwise the documents' answer, or their decline, stands (an emergency, a bus fare, a salary,
    the weather: not procedures)."""
    folded = fold(question)
    procedure_cue = bool(_PROCEDURE_CUE.search(folded))
    document_cue = bool(_DOCUMENT_CUE.search(folded))
    if document_cue:  # the documents' world: no ranking
        return Routing(False, (), 0.0, procedure_cue, document_cue)
    # Who signed, who chairs, an office's hours: no card says; but "căn cứ pháp lý của thủ tục …" and
    # "nộp hồ sơ ở đâu" ask a procedure's own fields.
    if not procedure_cue:
        asked = understand(question)
        if asked.asks in NOT_PROCEDURE_SLOTS or asked.percent:
            return Routing(False, (), 0.0, False, False)
    if _COUNTING.search(folded) and asked_field(question) not in _COUNTED_FIELDS and not _RATES.search(folded):
        return Routing(False, (), 0.0, procedure_cue, document_cue)  # "có bao nhiêu đội tham gia"
    candidates = tuple(_domestic_first(matcher.rank(question, n), folded))
    if not candidates:
        return Routing(False, candidates, 0.0, procedure_cue, document_cue)
    weights = question_terms(question)
    coverage = question_coverage(matcher, weights, candidates[0].code)
    named = name_strength(matcher, weights, candidates[0].code)
    strength = max(named, coverage)
    # Without a word asking for a procedure, the question must both name one and be about it
    # ("giá vé xe buýt" shares "xe buýt" with a bus-loan procedure's description, but names none).
    go = (strength >= MIN_STRENGTH if procedure_cue
          else named >= STRONG_STRENGTH or (min(named, coverage) >= MIN_STRENGTH and strength >= STRONG_STRENGTH))
    if go and documents_found:
        words, pairs = _said(weights, document_text)
        # Against the documents, the best of the cited few: a short, generic name ("Xóa đăng ký") may
        # rank above the one the question names ("Xóa đăng ký tàu cá, …"); the answer cites them all.
        coverage = max(question_coverage(matcher, weights, c.code) for c in candidates[:EVIDENCE_DEPTH])
        go = (procedure_cue and coverage >= COVERAGE_OVER_DOCUMENTS and pairs < DOC_BIGRAMS_SAY_IT
              and words < DOC_WORDS_SAY_IT)
    return Routing(go, candidates, strength, procedure_cue, document_cue)
