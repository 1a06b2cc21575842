"""What a question asks and what it is constrained to: one analysis for ranking, answering, declining.

Everything works on the folded question (no diacritics, lower case, chat shorthand expanded), so
"Kế hoạch ban hành ngày nào?", "ke hoach ban hanh ngay nao" and "kh bh ngay nao" meet the same
patterns. The patterns are general Vietnamese question forms ("bao nhiêu", "khi nào", "cơ quan
nào", "ai ký", "có … không"), not the wording of any particular question.

- `asks`: what kind of answer would answer it — a date, a number, an agency, a person's name, a
  contact, the plan's own metadata (issue date, number, issuer, signer, legal basis), a list, a
  yes/no, or "general".
- constraints: years, periods (6 tháng đầu/cuối, quý), places, plan numbers, a counted unit
  ("bao nhiêu đội" → "doi"), "now" words. The engine checks them against the knowledge base and
  the answer before it answers: a wrong year, place or plan is the worst answer the bot can give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import fold, strip_marks

# Each pattern is tried on " folded question " (spaces around); order matters (first match wins).
_ASKS: list[tuple[str, str]] = [
    ("signer", r" (ai|nguoi nao|chuc vu nao|lanh dao nao) (da )?ky | (nguoi|ai la nguoi) ky | ky boi | do ai ky "
               r"| nguoi ky | chuc danh (nguoi )?ky | ai ky "),
    ("issuer", r" (co quan|don vi|noi|ai) (nao )?(da )?ban hanh | do (co quan |don vi )?(nao|ai) ban hanh "
               r"| ban hanh boi | cua (co quan|don vi) nao "),
    ("issued", r" ban hanh (vao |tu )?(ngay|thang|nam|khi|luc|bao gio)| ngay ban hanh | ky (vao |ngay )"
               r"(ngay|khi|luc)| ban hanh khi nao | ra doi (khi|ngay|luc)"),
    ("plan_number", r" so hieu | (ke hoach|van ban) (la )?so (may|bao nhieu|gi) | so ky hieu "),
    ("basis", r" can cu | dua (tren|vao) (van ban|quyet dinh|ke hoach|nghi quyet|chi thi)? ?(nao|gi) "
              r"| (xay dung|ban hanh|thuc hien) (theo|can cu|dua tren) (van ban|quyet dinh|ke hoach|nghi quyet"
              r"|chi thi|thong tu|nghi dinh)? ?(nao|gi) "),
    ("recipients", r" noi nhan | (gui|duoc gui|gui ve|gui toi|gui den|gui cho) (toi |den |cho |ve )?(nhung )?"
                   r"(ai|noi nao|don vi nao|co quan nao|dau|nhung noi nao|nhung ai|nhung don vi nao) "),
    ("yesno", r" co [a-z ]{1,60} (khong|ko|hok|hong|chua) (a |vay |nhi |the )?$| (phai|dung) (khong|ko) "),
    # "… được gọi là gì?": the name of what it describes, whatever the description says of time or
    # numbers ("trong một khoảng thời gian", "các chỉ tiêu").
    ("general", r" (duoc )?goi la (gi|cai gi)[ ?.!]*$"),
    ("hours", r" gio (lam viec|mo cua|tiep dan|hanh chinh|tiep nhan)| mo cua | tu may gio | may gio (den|mo|dong)"
              r"| (lam viec|mo cua|tiep dan|tiep nhan ho so)( vao)? (nhung )?(gio nao|khung gio nao|may gio)"
              r"| lich (lam viec|tiep dan) "),
    ("contact", r" (hotline|duong day nong|so dien thoai|dien thoai|tong dai|email|thu dien tu|website|trang web"
                r"|duong link|link"
                r"|cong thong tin|dia chi (trang|web|email|lien he)|lien he|so may|goi so) "),
    ("address", r" dia chi (nao|o dau|tru so|cua|la gi|la o dau)| tru so [a-z ]{0,40}(o dau|dia chi|nam o|dat o)"
                r"| (dat|nam) (tru so )?o dau "),
    ("person", r" (giam doc|chu tich|pho chu tich|pho giam doc|truong phong|bi thu)[a-z0-9 ]{0,60}"
               r" la (ai|ong nao|ba nao) | (ai|nguoi nao) (dang )?(la|lam) (pho )?(giam doc|chu tich|truong phong"
               r"|bi thu|thu tuong|bo truong) "
               r"| (giam doc|chu tich|truong phong|truong ban|bi thu|lanh dao|thu truong|nguoi dung dau|ong|ba)"
               r" [a-z ]{0,50}(ten (la |cua )?(gi|ai)|ho (va )?ten|ten gi)| la ong nao | la ba nao "),
    ("rank", r" (xep thu|thu may|xep hang thu|dung thu|dung hang thu|xep hang may) "),
    ("duration", r" (bao lau|bao nhieu lau|mat bao lau|trong bao nhieu (ngay|thang|nam|gio)|may ngay"
                 r"|bao nhieu ngay) "),
    ("day", r" (ngay nao|han chot|han cuoi|truoc ngay|tu ngay|ngay bao nhieu|ngay may) "),
    ("date", r" (khi nao|bao gio|thoi diem nao|thang nao|nam nao|quy nao|thoi gian nao|bao lau|may gio|gio nao) "),
    ("number", r" (thanh|gom|co|chia|phan) may | may (nhom|loai|muc|hang|cap|buoc|lan|nguoi|doi|khoan|dieu|noi dung"
               r"|hinh thuc|truong hop|giai doan|phuong an|chi tieu|nhiem vu)"
               r"| (bao nhieu|ty le|phan tram|so luong|toi thieu|toi da|muc (tieu|phan dau)? ?(la|dat)"
               r"|chi tieu|dat bao|xep thu|thu may|la may) "),
    ("agency", r" (co quan|don vi|phong|so|ban|to chuc|bo phan|khoa|nganh|ai) (nao|gi)? ?(chu tri|phu trach"
               r"|thuc hien|tham muu|chiu trach nhiem|phoi hop|duoc giao) | (chu tri|phu trach|tham muu|chiu"
               r" trach nhiem|duoc giao|giao ai|giao cho) | (co quan|don vi|phong|so|ban|to chuc|bo phan|khoa) nao "
               r"| ai "),
    ("list", r" nhung (gi|nao|[a-z]+ nao|[a-z]+ [a-z]+ nao) | (cac|gom) [a-z ]{1,30} nao | gom nhung | nhung gi "
             r"| (kenh|hinh thuc|linh vuc|noi dung|bien phap|giai phap|nhiem vu) nao "),
    ("yesno", r" co [a-z ]{1,60} (khong|ko|hok|hong|chua) | (khong|ko|hok|chua) $"),
    ("place", r" (o dau|noi nao|dia diem nao|khu vuc nao|tai dau) "),
    # Words about time that are no interrogative ("định kỳ", "khoảng thời gian"): only when nothing
    # above asks ("Số lần họp định kỳ … là bao nhiêu?" asks a number).
    ("date", r" (dinh ky|khoang thoi gian) "),
    ("duration", r" (thoi han|thoi gian (giai quyet|xu ly|toi da|toi thieu)) "),
]
_ASK_RES = [(name, re.compile(pattern)) for name, pattern in _ASKS]
_STATEMENT = re.compile(r" (dung hay sai|dung hoac sai|la dung hay sai|dung hay khong|nhan dinh (tren|sau) (dung|sai))"
                        r"[ ?.!]*$")

_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d/])")
_RANGE = re.compile(r"(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2}")
_PERIOD = re.compile(r"\b(6 thang (?:dau|cuoi)|nua (?:dau|cuoi) nam|quy (?:i{1,3}|iv|[1-4]))\b")
_PLAN_NUMBER = re.compile(r"\b(?:ke hoach|kh)\s+(?:so\s+)?(\d{1,5})\b")  # "Kế hoạch số 155", "kh 24"
_PLAN_SYMBOL = re.compile(r"(?i)\b(\d{1,5})\s*/\s*KH\b")  # a plan's number and symbol anywhere: "… số 148/KH-SYT"
_COUNT_UNIT = re.compile(r"\bbao nhieu\s+([a-z]+(?:\s[a-z]+)?)")
_PRICED = re.compile(r"\b(le phi|gia ve|gia ca|gia (la )?bao nhieu|muc luong|tien luong|chi phi|bi phat)\b")
# "Which unit leads / is in charge", asked in words: the unit is the slot whatever the task names.
_AGENCY_ASKED = re.compile(r" (?:co quan|don vi|phong|so|ban|to chuc|bo phan) nao (?:se |duoc giao )?"
                           r"(?:chu tri|phu trach|thuc hien|tham muu|chiu trach nhiem|phoi hop) ")
_NOW = re.compile(r"\b(hien nay|hien tai|bay gio|hom nay|ngay mai|tuan nay|tuan sau|sap toi|luc nay)\b")
# Units a count question may ask for that are not a thing counted ("bao nhiêu phần trăm" is a share).
_NOT_UNITS = frozenset("phan tram ty le lan nam thang ngay tien dong a a vay the nhi chu ha nua la".split())


@dataclass(frozen=True)
class Question:
    """The analysis of one question."""

    folded: str
    asks: str
    years: tuple[int, ...] = ()
    periods: tuple[str, ...] = ()
    plan_numbers: tuple[str, ...] = ()
    count_unit: str = ""
    now: bool = False
    money: bool = False
    percent: bool = False
    listed: str = ""  # the noun a "những/các … gì/nào" question asks for ("chi tieu"), folded
    duty: bool = False  # "Sở Nội vụ có nhiệm vụ gì?": what a named body must do
    emergency: bool = False  # someone is hurt, in danger or a fire is burning: 112–115 at once
    cited: tuple[str, ...] = ()  # numbers of other documents it names ("60 2021 nd cp"), folded
    position: str = ""  # the post a "who is …" question names ("chu tich"), folded, "pho" kept
    focus: str = ""  # the two words the interrogative asks about ("đề xuất gì" → "de xuat"), folded

    @property
    def about_issuance(self) -> bool:
        """Whether it asks about the document as issued (its metadata, or what it was issued on or
        for): its header and preamble are then answers, not preambles to pass over."""
        return self.meta or bool(_ISSUANCE.search(f" {self.folded} "))

    @property
    def answer_kind(self) -> str:
        """The kind of sentence that answers it, for picking the answer sentence: number, date,
        who, contact, meta or general (one analysis: the slot decides it)."""
        if self.meta:
            return "meta"
        return {"number": "number", "rank": "number", "duration": "date", "day": "date", "date": "date",
                "agency": "who", "person": "who", "contact": "contact"}.get(self.asks, "general")

    @property
    def meta(self) -> bool:
        """Whether the plan's own metadata answers it (number, issue date, issuer, signer, basis)."""
        return self.asks in ("signer", "issuer", "issued", "plan_number", "basis")


_ISSUANCE = re.compile(r" (ban hanh|can cu|so hieu|nguoi ky|ngay ky|ky ban hanh|xay dung (theo|dua tren)"
                       r"|thuc hien theo) ")


def understand(question: str, tokens: list[str] | None = None) -> Question:
    """The analysis of `question`; `tokens` are its folded, expanded syllables when already known."""
    folded = " ".join(tokens) if tokens is not None else fold(question)
    padded = f" {folded} "
    raw = fold(question)  # years and codes are read before shorthand expansion
    statement = _STATEMENT.search(f" {raw} ")
    # "…, đúng hay sai?": a statement to judge, whatever it says inside (its dates and numbers are
    # claims, not the slot asked).
    asks = "yesno" if statement else next((name for name, rx in _ASK_RES if rx.search(padded)), "general")
    if asks == "contact" and re.search(r"\b(ty le|phan tram|bao nhieu phan)\b", padded):
        asks = "number"  # "tỷ lệ Cổng thông tin … đạt bao nhiêu": a share, not an address
    elif asks == "contact" and _AGENCY_ASKED.search(padded):
        asks = "agency"  # "đơn vị nào chủ trì đăng bài trên cổng thông tin": the unit, not the portal
    no_ranges = _RANGE.sub(" ", _code_free(question))
    years = tuple(sorted({int(y) for y in _YEAR.findall(no_ranges)}))
    periods = tuple(sorted({_period_key(p) for p in _PERIOD.findall(padded)}))
    numbers = tuple(sorted(set(_PLAN_NUMBER.findall(raw)) | set(_PLAN_SYMBOL.findall(question))))
    unit = ""
    m = _COUNT_UNIT.search(padded)
    if m:
        first = m.group(1).split()[0]
        if first not in _NOT_UNITS and len(first) >= 2:
            unit = first
    money = bool(re.search(r"\b(bao nhieu tien|bao nhieu dong|muc phat|phat bao nhieu)\b", padded)) or (
        "bao nhieu" in padded and bool(_PRICED.search(padded)) and not unit)  # "bao nhiêu khoản chi phí" counts
    percent = bool(re.search(r"\b(phan tram|ty le)\b", padded))
    m = _LISTED.search(padded)
    listed = " ".join(m.group(1).split()[:2]) if m and m.group(1).split()[0] not in _NOT_LISTED else ""
    position = ""
    if asks == "person":
        m = _POSITION.search(padded)
        position = m.group(1) if m else ""
    m = _FOCUS.search(padded)
    focus = m.group(1) if m and not set(m.group(1).split()) & _NOT_FOCUS else ""
    return Question(folded, asks, years, periods, numbers, unit, bool(_NOW.search(padded)), money, percent,
                    listed, bool(_DUTY.search(padded)), is_emergency(padded), cited_numbers(question), position,
                    focus)


# The words right before "gì"/"nào" (past "là", "những", "các"): what the answer sentence must be
# about ("được khuyến khích đề xuất gì" → a sentence where something is "đề xuất").
_FOCUS = re.compile(r" ([a-z]+ [a-z]+) (?:la |nhung |cac )?(?:gi|nao|nhung gi)(?= |$)")
_NOT_FOCUS = frozenset("la co nhung cac cua va duoc theo ve cho tai o thi ma".split())


# An emergency is an event happening to someone now, not a topic: "tai nạn giao thông" alone is a
# plan's subject, "có người bị tai nạn", "đang bốc cháy", "ngất xỉu" are calls for help.
_EMERGENCY_EVENT = re.compile(r" (?:bi tai nan|gap tai nan|tai nan (?:giao thong )?(?:nghiem trong|o|tai|tren|ngay)"
                              r"|boc chay|dang chay|chay nha|chay lon|hoa hoan|duoi nuoc|chet duoi|ngat xiu"
                              r"|bat tinh|ngung tho|kho tho|dot quy|co giat|ngo doc|bi cuop|cuop giat|an cuop"
                              r"|bi dam|bi danh|hanh hung|bi thuong nang|chay mau|cap cuu|dien giat|sap nha"
                              r"|nuoc cuon|lu cuon) ")
_EMERGENCY_NOW = re.compile(r" (?:co nguoi|nguoi|toi|em|con|me|bo|ong|ba|benh nhan|chau|anh|chi|ban|nha|dang|vua"
                            r"|ngay|goi|cuu|can lam gi|phai lam gi|lam sao|giup) ")


# The number of an emergency service asked for ("số điện thoại cứu hỏa"): the emergency numbers too.
_EMERGENCY_SERVICE = re.compile(r" (?:so dien thoai|dien thoai|sdt|so may|goi so|goi|tong dai|hotline|duong day nong"
                                r"|so) (?:cua )?(?:cuu hoa|chua chay|cuu thuong|cap cuu|cuu nan|canh sat|khan cap) ")


def is_emergency(padded_folded: str) -> bool:
    """Someone is in danger right now, or an emergency service's number is asked: the reply is the
    emergency numbers, never a plan's hotline."""
    happening = bool(_EMERGENCY_EVENT.search(padded_folded)) and bool(_EMERGENCY_NOW.search(padded_folded))
    return happening or bool(_EMERGENCY_SERVICE.search(padded_folded))


# "Nghị định 60/2021/NĐ-CP", "Quyết định 3041/QĐ-UBND", "Nghị quyết 18-NQ/TW": a number and symbol
# (NĐ 30/2020 form) of a document other than a plan the question names by its plan number.
_CITED = re.compile(r"(?i)\b(nghị định|nghi dinh|quyết định|quyet dinh|nghị quyết|nghi quyet|thông tư|thong tu"
                    r"|chỉ thị|chi thi|công văn|cong van|luật|luat|tiêu chuẩn|tieu chuan|kết luận|ket luan"
                    r"|nđ|nd|qđ|qd|nq|ct|kl)"
                    r"\s+(?:số\s+|so\s+)?"
                    r"(\d{1,5}(?:[/-][\w.đĐ-]+)+|[a-z]{2,6}\s+(?:iso\s+)?\d{3,6}(?::\d{4})?)")
_POSITION = re.compile(r" ((?:pho )?(?:chu tich|giam doc|truong phong|bi thu|thu truong|truong ban|chanh van phong"
                       r"|thu tuong|bo truong))")


def cited_numbers(question: str) -> tuple[str, ...]:
    """The numbers of the (non-plan) documents a question names, folded: "60 2021 nd cp"."""
    return tuple(sorted({" ".join(fold(m.group(2)).split()) for m in _CITED.finditer(question)}))


# "… có nhiệm vụ gì", "… có trách nhiệm gì", "… phải làm gì", "… được giao những việc gì"
_DUTY = re.compile(r" (?:co |la )?(?:nhiem vu|trach nhiem|vai tro) (?:gi|nao|the nao)"
                   r"| (?:phai |can |se )?lam (?:gi|nhung gi)| duoc giao (?:nhung )?(?:viec|nhiem vu) (?:gi|nao) ")


# "có những chỉ tiêu gì", "các nhiệm vụ nào", "gồm những hình thức nào": the noun of the list asked for.
_LISTED = re.compile(r" (?:nhung|cac|mot so) ([a-z]+(?: [a-z]+){0,3}?) (?:chu yeu |cu the |khac )?(?:gi|nao) ")
# Nouns whose answer is a body or a vague "thing", never a heading's list ("những đơn vị nào").
_NOT_LISTED = frozenset("don co phong ban so to bo nganh khoa ai viec cai gi nao ve".split())


def _code_free(question: str) -> str:
    """The question without document codes (130/2005/NĐ-CP, 01-KL/TW): their years are not constraints."""
    return re.sub(r"\S*\d+\s*/\s*\d{4}\S*|\S*/[A-Za-zĐđ]+\S*", " ", question)


def _period_key(period: str) -> str:
    roman = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
    if period.startswith("quy "):
        n = period.split()[1]
        return f"quy {roman.get(n, n)}"
    if period.startswith("nua "):
        return "6 thang dau" if "dau" in period else "6 thang cuoi"
    return period


def periods_in(folded_text: str) -> set[str]:
    """The periods a text (a plan's title) names, in `Question.periods`' form."""
    return {_period_key(p) for p in _PERIOD.findall(folded_text)}


def years_in(text: str) -> set[int]:
    return {int(y) for y in _YEAR.findall(_code_free(text))}


# -- what an answer must hold, by what the question asks ------------------------------------------
_DATE_IN_TEXT = re.compile(r"\b\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?\b|\bngay\s+\d{1,2}\b|\bthang\s+\d{1,2}\b"
                           r"|\bquy\s+(?:i{1,3}|iv|[1-4])\b|\bnam\s+(?:19|20)\d{2}\b|\bhang\s+(?:quy|thang|nam|tuan"
                           r"|ngay)\b|\bdinh ky\b|\bthuong xuyen\b|\btruoc ngay\b|\btrong (?:nam|quy|thang)\b"
                           r"|\b\d{1,2}\s*gio\b|\btrong ngay\b|\bngay lam viec\b")
_DAY_IN_TEXT = re.compile(r"\b\d{1,2}\s*/\s*\d{1,2}\b|\bngay\s+\d{1,2}\b|\bhang (?:quy|thang|tuan|ngay)\b")
_CONDITION_IN_TEXT = re.compile(r"\b(?:khi|truong hop|neu|sau khi|truoc khi|trong thoi gian)\b")
_COMPOSED = re.compile(r"\b(?:bao gom|gom co|gom|sau day)\b[^.;]{0,80}:")  # a list introduced as the parts of a whole
_ENUMERATED = re.compile(r"(?:^|\n|;|:)\s*(?:[a-zđ]\)|\d{1,2}[.)])\s")
_NUMBER_IN_TEXT = re.compile(r"\d|\b(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi) (?:loai|nhom|khoan|truong hop|"
                             r"noi dung|hinh thuc|bien phap|muc|dieu|lan|thang|nam|ngay)\b")
# A count written out: "mỗi năm hai kỳ", "ba trình độ". Read with diacritics ("hai" is not "hải",
# "ba" not "bà"); "một" (also "a") and "năm" (also "year") are left out.
_COUNT_WRITTEN = re.compile(r"(?i)\b(?:hai|ba|bốn|sáu|bảy|tám|chín|mười)\s+[^\W\d_]")
_COUNT_WORD = r"(?:hai|ba|bon|sau|bay|tam|chin|muoi)"  # the same, folded, before the counted unit
_NUMBER_WORD = r"(?:\d+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|muoi [a-z]+|[a-z]+ muoi(?: [a-z]+)?)"
_DURATION_IN_TEXT = re.compile(rf"\b{_NUMBER_WORD}\s+(?:ngay|thang|nam|gio|tuan|phut|ngay lam viec)\b"
                               r"|\bngay lam viec\b|\bthuong xuyen\b|\bhang (?:nam|quy|thang|tuan)\b|\bvo thoi han\b"
                               r"|\bngay (?:sau khi|ke tu)\b|\bkhong thoi han\b")
_HOURS_IN_TEXT = re.compile(r"\b\d{1,2}\s*(?:gio|h)(?:\s*\d{2})?\b|\b\d{1,2}h\d{2}\b|\bgio hanh chinh\b")
# A street address; a web address answers too ("địa chỉ nào được công khai để nộp hồ sơ") unless a
# building is asked for ("trụ sở … ở địa chỉ nào").
_WEB_ADDRESS_IN_TEXT = re.compile(r"https?:|\bwww\b|\b[a-z0-9-]+ (?:gov )?vn\b")
_PREMISES = re.compile(r" (tru so|dat o|nam o|o dau|toa nha|van phong lam viec) ")
_ADDRESS_IN_TEXT = re.compile(r"\bdia chi\s*:"
                              r"|\bso \d+[a-z/]*,? (?:duong|pho|ngo|hem)\b"
                              r"|\b(?:duong|pho) [a-z]+(?: [a-z]+)?,? (?:phuong|xa|quan|huyen|thi tran)\b")
_PERCENT_IN_TEXT = re.compile(r"%|\bphan tram\b")
_MONEY_IN_TEXT = re.compile(r"\b\d[\d.,]*\s*(?:dong|trieu|ty|nghin|vnd)\b")


_RANK_IN_TEXT = re.compile(r"\b(?:thu|hang)\s+\d+\b|\bdung dau\b|\bthu nhat\b|\btop\s+\d+")
# An ordinal written out ("Hội nghị lần thứ tư"), read with diacritics ("thứ tư" is not "thứ tự").
_RANK_WRITTEN = re.compile(r"(?i)\bthứ\s+(?:hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b")
# A person's name: a common Vietnamese family name, then 1–3 capitalised syllables ("Nguyễn Văn An").
_SURNAMES = ("Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Ha Dinh Trinh Dao Mai Cao "
             "Lam Truong Ta Luong Doan Vuong Kieu Quach To Chu Trieu Luu Thai Tang Chau La Nghiem Khuc").split()
_NAME = re.compile(r"\b(?:" + "|".join(_SURNAMES) + r")(?:\s+[A-Z][a-z]+){1,3}\b")


def answer_holds(q: Question, folded_answer: str, raw: str = "", strict: bool = False) -> bool:
    """Whether a passage or sentence (folded) holds the kind of thing the question asks for.

    A question asking "when" answered by a sentence with no time in it, "how many teams" by one
    with no count of teams, "how much is the fine" by one with no amount: the plans do not say,
    and the bot must not pretend they do. `strict` (for ranking, not declining) wants a share
    written as a share."""
    text = f" {folded_answer} "
    if q.asks == "duration":
        return bool(_DURATION_IN_TEXT.search(text)) or bool(_DAY_IN_TEXT.search(text))
    if q.asks == "hours":
        return bool(_HOURS_IN_TEXT.search(text))
    if q.asks == "address":
        web = not _PREMISES.search(f" {q.folded} ") and bool(_WEB_ADDRESS_IN_TEXT.search(text))
        return web or bool(_ADDRESS_IN_TEXT.search(text))
    if q.asks == "person" and q.position:
        plain = strip_marks(raw) if raw else ""
        for m in _NAME.finditer(plain):
            before = fold(plain[max(0, m.start() - 40):m.start()])
            at = before.rfind(q.position)
            if at >= 0 and not before[:at].rstrip().endswith("pho") and not q.position.startswith("pho"):
                return True
            if at >= 0 and q.position.startswith("pho"):
                return True
        return False
    if q.asks == "person":
        return bool(_NAME.search(strip_marks(raw))) if raw else True
    if q.asks == "rank":
        return bool(_RANK_IN_TEXT.search(text)) or bool(_RANK_WRITTEN.search(raw))
    if q.asks == "day":
        return bool(_DAY_IN_TEXT.search(text))
    if q.asks == "date":
        # "Khi nào …?" in a law is answered by the case it applies in ("khi …", "trong trường hợp …").
        condition = " khi nao " in f" {q.folded} " and bool(_CONDITION_IN_TEXT.search(text))
        return bool(_DATE_IN_TEXT.search(text)) or condition
    if q.money:
        return bool(_MONEY_IN_TEXT.search(text))
    if q.asks == "number":
        if q.count_unit:
            unit = re.escape(q.count_unit)
            counted = bool(re.search(rf"\b(?:\d[\d.,]*|{_COUNT_WORD})\s+{unit}\b", text)) or \
                bool(re.search(rf"\b{unit}\s+\d", text))
            # "Bao nhiêu khoản …?" is answered by the list of them (a), b), c) or 1., 2., 3.) naming
            # them, or by the unit named item after item ("trình độ sơ cấp, trình độ trung cấp, …").
            named = text.count(f" {q.count_unit} ")
            # "Phí trọng tài bao gồm: a) … b) …" (read with its colon: folding drops punctuation)
            composed = named >= 1 or bool(_COMPOSED.search(strip_marks(raw).lower() if raw else text))
            listed = (composed and len(_ENUMERATED.findall(raw or folded_answer)) >= 2) or named >= 3
            return counted or listed
        if q.percent:  # a share is written as one ("100%", "phần trăm"): a year or a count is no share
            share = bool(_PERCENT_IN_TEXT.search(text)) or "%" in raw
            return share
        return bool(_NUMBER_IN_TEXT.search(text)) or bool(_COUNT_WRITTEN.search(raw))
    return True
