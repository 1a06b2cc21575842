"""Index terms for procedures, and citizens' words turned into the catalogue's.

Citizens name procedures by what they hold in hand ("sổ đỏ", "CCCD", "hộ khẩu") or by what they do
("làm giấy khai sinh"); the catalogue names them by law ("Đăng ký khai sinh", "Cấp giấy chứng nhận
quyền sử dụng đất", "Đăng ký thường trú"). `EVERYDAY_NAMES` maps the first to the second, from
general knowledge of Vietnamese administrative vocabulary (not from any question set): both the
citizen's and the catalogue's words stay in the question, so nothing the citizen wrote is lost.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import fold, nfc
from retrieval.normalize import ABBREVIATIONS, analyze_question, expand, fold_tokens, strip_question_phrases

# Folded everyday phrase → folded catalogue phrase. Applied to whole-word runs of the question.
EVERYDAY_NAMES: dict[str, str] = {
    # land and housing
    "so do": "giay chung nhan quyen su dung dat",
    "so hong": "giay chung nhan quyen su dung dat quyen so huu nha o",
    "gcn": "giay chung nhan", "gcnqsdd": "giay chung nhan quyen su dung dat",
    "qsdd": "quyen su dung dat", "sang ten": "dang ky bien dong chuyen nhuong",
    "tach thua": "tach thua dat", "hop thua": "hop thua dat",
    # identity and residence
    "cccd": "can cuoc cong dan", "can cuoc cong dan": "can cuoc", "cmnd": "chung minh nhan dan can cuoc",
    "cmt": "chung minh nhan dan can cuoc", "chung minh thu": "chung minh nhan dan can cuoc",
    "the can cuoc": "can cuoc", "dinh danh": "dinh danh dien tu",
    "nhap ho khau": "dang ky thuong tru", "nhap khau": "dang ky thuong tru", "tach ho khau": "tach ho thuong tru",
    "tach khau": "tach ho thuong tru", "chuyen ho khau": "dang ky thuong tru", "ho khau": "thuong tru",
    "so ho khau": "thuong tru", "kt3": "tam tru", "cat khau": "xoa dang ky thuong tru",
    "ho chieu": "ho chieu pho thong", "passport": "ho chieu pho thong", "visa": "thi thuc",
    "xuat canh": "xuat nhap canh",
    # civil status
    "lam giay khai sinh": "dang ky khai sinh", "lam khai sinh": "dang ky khai sinh",
    "giay khai sinh": "khai sinh", "khai sinh cho con": "dang ky khai sinh",
    "lam giay chung tu": "dang ky khai tu", "giay chung tu": "khai tu", "bao tu": "dang ky khai tu",
    "lam dam cuoi": "dang ky ket hon", "dang ky ket hon": "dang ky ket hon",
    "giay xac nhan doc than": "xac nhan tinh trang hon nhan", "xac nhan doc than": "xac nhan tinh trang hon nhan",
    "giay doc than": "xac nhan tinh trang hon nhan", "doc than": "tinh trang hon nhan",
    "nguoi nuoc ngoai": "yeu to nuoc ngoai", "chong nguoi nuoc ngoai": "ket hon co yeu to nuoc ngoai",
    "vo nguoi nuoc ngoai": "ket hon co yeu to nuoc ngoai", "viet kieu": "nguoi viet nam dinh cu o nuoc ngoai",
    "nhan con nuoi": "nuoi con nuoi", "xin con nuoi": "nuoi con nuoi", "doi ten": "thay doi ho tich",
    "sua ten": "thay doi cai chinh ho tich", "sua giay khai sinh": "cai chinh ho tich",
    "nhan cha con": "nhan cha me con", "nhan bo con": "nhan cha me con", "llTP": "ly lich tu phap",
    "lltp": "ly lich tu phap", "ban sao": "chung thuc ban sao", "cong chung": "cong chung",
    "sao y": "chung thuc ban sao tu ban chinh", "trich luc": "cap ban sao trich luc",
    # business, tax, insurance, transport
    "mo cong ty": "dang ky thanh lap doanh nghiep", "thanh lap cong ty": "dang ky thanh lap doanh nghiep",
    "lap cong ty": "dang ky thanh lap doanh nghiep", "dkkd": "dang ky kinh doanh",
    "giay phep kinh doanh": "giay chung nhan dang ky kinh doanh", "mo quan": "dang ky ho kinh doanh",
    "ho kinh doanh ca the": "ho kinh doanh", "mst": "ma so thue", "thue tncn": "thue thu nhap ca nhan",
    "tncn": "thu nhap ca nhan", "gtgt": "gia tri gia tang", "vat": "gia tri gia tang", "ttdb": "tieu thu dac biet",
    "kcb": "kham chua benh",
    "kham chua benh ban dau": "kham chua benh ban dau the bao hiem y te",  # a BHYT notion
    "the bhyt": "the bao hiem y te", "bhtn": "bao hiem that nghiep",
    "lanh bhxh 1 lan": "huong bao hiem xa hoi mot lan", "rut bhxh": "huong bao hiem xa hoi mot lan",
    "so bhxh": "so bao hiem xa hoi", "gplx": "giay phep lai xe", "bang lai": "giay phep lai xe",
    "bang lai xe": "giay phep lai xe", "dang kiem": "kiem dinh", "bien so": "dang ky xe",
    "giay phep xay dung": "cap giay phep xay dung", "xin phep xay nha": "cap giay phep xay dung",
    "nop online": "truc tuyen", "nop truc tuyen": "truc tuyen", "chu ky so": "chu ky so",
}
# A need said in two parts of a sentence ("thay đổi phần quốc tịch của bố trong Giấy khai sinh"):
# (what is done, to what) → the catalogue phrase for it. General knowledge of civil-status work:
# changing what a birth certificate or a civil-status paper says is "thay đổi, cải chính, bổ sung
# thông tin hộ tịch"; a lost one is re-issued as a copy of the register ("bản sao trích lục").
NEEDS: list[tuple[re.Pattern, re.Pattern, str]] = [
    (re.compile(r"\b(thay doi|bo sung|sua|sua doi|cai chinh|ghi sai|ghi nham|dieu chinh|doi lai)\b"),
     re.compile(r"\b(giay khai sinh|khai sinh|ho tich|giay ket hon|trich luc)\b"),
     "thay doi cai chinh bo sung thong tin ho tich"),
    # … and so is changing a person's own recorded facts: surname, given name, ethnicity, nationality
    # entry, date or place of birth ("thay đổi họ từ Hoàng sang Nguyễn", "bổ sung thông tin quốc tịch").
    (re.compile(r"\b(thay doi|bo sung|sua|cai chinh|doi lai|lay lai)\b"),
     re.compile(r"\b(ho ten|ten goi|dan toc|que quan|ngay sinh|noi sinh|gioi tinh|thong tin (?:ve )?quoc tich|"
                r"ho(?! (?:khau|chieu|kinh|so|gia|ngheo|tro|tich|dan|chua|nhu|xa|nuoi))|"
                r"ten(?! (?:mien|goi cong ty)))\b"),
     "thay doi cai chinh bo sung thong tin ho tich"),
    (re.compile(r"\b(mat|that lac|bi hong|rach|lam lai|cap lai)\b"),
     re.compile(r"\b(giay khai sinh|giay chung nhan ket hon|giay ket hon|trich luc)\b"),
     "cap ban sao trich luc ho tich"),
]
_PHRASES = sorted(EVERYDAY_NAMES, key=lambda p: -len(p.split()))
_MAX_WORDS = max(len(p.split()) for p in _PHRASES)
_LOOKUP = {p.lower(): EVERYDAY_NAMES[p] for p in _PHRASES}
_FIRST_WORDS = frozenset(p.split()[0] for p in _LOOKUP)

# Words a citizen's question is made of that name no procedure ("tôi muốn hỏi … thì phải làm thế nào").
ASKING_WORDS = frozenset(
    "la gi nao ai dau sao khong nhung cac cua va voi vay oi a e o toi minh muon biet hay ma nay kia duoc co "
    "thi phai lam nhu hoi em anh ong ba xin cho se roi nua neu khi vi nen ve den".split())


# The asking words as function words are spelled ("được", "có", "về"); typed with its marks, a word
# that folds to one of them but is spelled otherwise is content ("dược", "cơ", "vé", "chợ").
FUNCTION_SPELLINGS = frozenset(
    "là gì nào ai đâu sao không những nhưng các của và với vậy ơi à ạ a e ê ở ơ tôi tới mình muốn biết "
    "hay mà này nay kia được có cô thì phải làm như hỏi em anh ông bà xin cho sẽ rồi nữa nếu khi vì "
    "nên về đến".split())
_MARKED_WORD = re.compile(r"[^\W\d_]+")


def marked_content(text: str) -> frozenset[str]:
    """Folded asking words that `text` spells as content words (empty for text without marks:
    "duoc" could be either, and is read as the asking word)."""
    out = set()
    for word in _MARKED_WORD.findall(nfc(text)):
        low = word.lower()
        folded = fold(low)
        if folded in ASKING_WORDS and folded != low and low not in FUNCTION_SPELLINGS:
            out.add(folded)
    return frozenset(out)


def document_tokens(text: str) -> list[str]:
    """A catalogue text's folded syllables, abbreviations spelled out ("UBND" → "uy ban nhan dan")."""
    return expand(fold_tokens(text), ABBREVIATIONS)


def with_bigrams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


def everyday_expansion(tokens: list[str]) -> list[list[str]]:
    """The catalogue phrases the question's everyday phrases stand for, longest phrase first, each
    run of words used once: "lam giay khai sinh" gives "dang ky khai sinh", not also "khai sinh"."""
    found: list[list[str]] = []
    i = 0
    while i < len(tokens):
        if tokens[i] not in _FIRST_WORDS:  # most words start no phrase: one set lookup
            i += 1
            continue
        for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            target = _LOOKUP.get(" ".join(tokens[i:i + n]))
            if target is not None:
                found.append(target.split())
                i += n
                break
        else:
            i += 1
    return found


BIGRAM_WEIGHT = 1.0
STORY_WEIGHT = 0.5  # a long question's earlier sentences (the story) against its last one (the ask)
_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+(?=\S)")


def split_ask(question: str) -> tuple[str, str]:
    """(story, ask): a citizen's long message tells a story and asks in one sentence:
    "Năm 2011, bà Mai … Nay ông A muốn thay đổi phần khai trong Giấy khai sinh, thủ tục thế nào?"
    The ask is the last sentence ending in "?" (a remark after it is story: "…cần giấy tờ gì? Tôi
    và bạn gái chưa đăng ký kết hôn."), else the last sentence; with the one before it when it is
    short ("Có được không?")."""
    parts = [p for p in _SENTENCE_END.split(question.strip()) if p.strip()]
    if len(parts) <= 1:
        return "", question
    asking = [i for i, p in enumerate(parts) if p.rstrip().endswith("?")]
    end = asking[-1] if asking else len(parts) - 1
    start = end
    while start > 0 and len(" ".join(parts[start:end + 1]).split()) < 8:
        start -= 1
    return " ".join(parts[:start] + parts[end + 1:]), " ".join(parts[start:end + 1])


@lru_cache(maxsize=256)
def question_terms(question: str) -> dict[str, float]:
    """A question's weighted terms for the procedure indexes: its own content syllables and the
    bigrams between them, and those of the catalogue phrases its everyday words stand for (what
    the citizen meant). The asking sentence weighs 1.0, the story before it STORY_WEIGHT.
    Remembered for the last questions (ranking and routing read the same terms): do not modify."""
    story, ask = split_ask(question)
    weights: dict[str, float] = {}

    content = marked_content(question)

    def add(run: list[str], weight: float) -> None:
        for t in run:
            if (t not in ASKING_WORDS or t in content) and not re.fullmatch(r"\d{1,3}", t):
                weights[t] = max(weights.get(t, 0.0), weight)
        for a, b in zip(run, run[1:]):
            if a in ASKING_WORDS and b in ASKING_WORDS and a not in content and b not in content:
                continue
            weights[f"{a}_{b}"] = max(weights.get(f"{a}_{b}", 0.0), BIGRAM_WEIGHT * weight)

    for text, weight in ((ask, 1.0), (story, STORY_WEIGHT)):
        if not text:
            continue
        tokens = strip_question_phrases(analyze_question(text))  # "bao nhiêu", "như thế nào": no topic
        add(tokens, weight)
        for run in everyday_expansion(fold_tokens(text)) + everyday_expansion(tokens):
            add(run, weight)
        folded = " ".join(tokens)
        for action, thing, phrase in NEEDS:
            if action.search(folded) and thing.search(folded):
                add(phrase.split(), weight)
    return weights
