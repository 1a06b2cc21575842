"""The fixed vocabulary of administrative documents, restored from lists rather than guessed.

Why: the words a reader most needs are the ones a news LM knows least. "Số:" before a document's
number came back as "Sở:", "làm đầu mối" as "làm dâu mẹ", "bố trí kinh phí" as "bị trị kinh phí",
"hằng quý" as "hàng quà". These words are not free text: they are the parts of the standard form
every document follows (Nghị định 30/2020/NĐ-CP on clerical work, Phụ lục I: the number line, the
national motto, the signature block's authority words, the recipients), the names of state bodies
and their units (`agency_names.py`, the decrees that set them up; the procedure catalogue's
agencies and fields, `package_data.catalogue_names`), and the phrases the law uses for assigning
work and money (the Law on the State Budget's "dự toán", "bố trí kinh phí"; "đầu mối", "chủ trì,
phối hợp", "định kỳ hằng quý"). Nothing here is taken from the seed plans.

Each entry is a short line of running text; the restorer's LM counts its syllable pairs (with the
punctuation and number symbols around them: "Số" before ":" and a number) at `FIXED_PAIR_WEIGHT`
(model_store.py), so a damaged token that can be read as the listed word, next to the listed
neighbours, is read that way.
"""

from __future__ import annotations

import re

NUMBER_WORD = "số"  # the form's "Số:" before a document's number

# The standard form (Nghị định 30/2020/NĐ-CP, Phụ lục I), as its parts are written.
_FORM = """
Số: 12/KH-UBND; Số: 15/QĐ-UBND; Số: 20/BC-UBND; Số: 30/TB-UBND; Số: 40/UBND-VP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM; Độc lập - Tự do - Hạnh phúc
Nơi nhận:; - Như trên;; - Lưu: VT, VP.; - Lưu: VT.; - Lưu: VT, TCHC.
KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC; GIÁM ĐỐC; KT. CHỦ TỊCH; PHÓ CHỦ TỊCH; CHỦ TỊCH; TM. ỦY BAN NHÂN DÂN
KT. TRƯỞNG PHÒNG; PHÓ TRƯỞNG PHÒNG; TL. GIÁM ĐỐC; CHÁNH VĂN PHÒNG; Q. GIÁM ĐỐC; TUQ. CHỦ TỊCH
KẾ HOẠCH; QUYẾT ĐỊNH; THÔNG BÁO; BÁO CÁO; CÔNG VĂN; CHƯƠNG TRÌNH; HƯỚNG DẪN; PHỤ LỤC
Căn cứ Luật Tổ chức chính quyền địa phương; Căn cứ Nghị định số; Căn cứ Quyết định số
Kèm theo Kế hoạch số; ban hành kèm theo Quyết định số; để báo cáo; để chỉ đạo; để thực hiện; để phối hợp
I. MỤC ĐÍCH, YÊU CẦU; II. NỘI DUNG; III. TỔ CHỨC THỰC HIỆN; IV. KINH PHÍ THỰC HIỆN
Trên đây là Kế hoạch; Trong quá trình thực hiện, nếu có khó khăn, vướng mắc
"""

# Units of state bodies as commune, district and provincial offices name them (decrees on the
# organisation of specialised agencies: Nghị định 37/2014, 108/2020, 150/2025; the People's
# Councils' and Committees' offices); the bodies themselves are in agency_names.py.
_UNITS = """
Phòng Văn hóa - Xã hội; Phòng Tổ chức - Hành chính; Phòng Kinh tế - Hạ tầng; Phòng Kinh tế - Hạ tầng và Đô thị
Văn phòng HĐND và UBND; Văn phòng Hội đồng nhân dân và Ủy ban nhân dân; Văn phòng Đảng ủy
Phòng Tài chính - Kế hoạch; Phòng Kế hoạch - Tài chính; Phòng Hành chính - Tổng hợp; Phòng Tổ chức cán bộ
Trung tâm Phục vụ hành chính công; Bộ phận Một cửa; Bộ phận tiếp nhận và trả kết quả
Sở, ban, ngành; các sở, ban, ngành; các phòng, ban, đơn vị; các cơ quan, đơn vị; các đoàn thể
Ủy ban nhân dân các xã, phường; Ủy ban nhân dân cấp xã; Ủy ban nhân dân cấp huyện; công chức Văn phòng - Thống kê
"""

# Phrases of assigning work, money and reporting, as the laws and the form write them.
_PHRASES = """
làm đầu mối; là đầu mối; đầu mối tổng hợp; cơ quan đầu mối; đơn vị đầu mối; làm đầu mối tham mưu
bố trí kinh phí; đã bố trí; được bố trí trong dự toán; bố trí trong dự toán; dự toán ngân sách; dự toán được giao
kinh phí thực hiện; nguồn kinh phí; kinh phí chi thường xuyên; ngân sách nhà nước
định kỳ hằng quý; báo cáo hằng quý; hằng quý; hằng năm; hằng tháng; định kỳ 6 tháng, hằng năm; báo cáo định kỳ
chủ trì, phối hợp; chủ trì, phối hợp với; phối hợp thực hiện; tổ chức thực hiện; triển khai thực hiện
người đứng đầu; người đứng đầu cơ quan, đơn vị; chịu trách nhiệm; có trách nhiệm; theo dõi, đôn đốc
gửi về Sở; báo cáo về Sở; gửi về Ủy ban nhân dân; gửi về Phòng; gửi về Văn phòng; về Sở Nội vụ
số điện thoại; số đường dây nóng; số hotline; địa chỉ thư điện tử; công khai số điện thoại
Cổng Dịch vụ công quốc gia; dịch vụ công trực tuyến; thủ tục hành chính; cải cách hành chính
tuyên truyền; phổ biến, quán triệt; chủ động nắm bắt; đúng thời gian quy định; đúng quy định
"""


def fixed_lines() -> list[str]:
    """Every entry above, one per list item (`;` separates items; a lone `;` ends a recipient)."""
    out: list[str] = []
    for block in (_FORM, _UNITS, _PHRASES):
        for line in block.strip().splitlines():
            for part in line.split("; "):
                part = part.strip()
                if part and part != ";":
                    out.append(part)
    return out


def _acronyms() -> frozenset[str]:
    """The form's own abbreviations ("VT" văn thư, "KT.", "TM.", "TCHC", "HĐND"): left as written."""
    from knowledge.restore.syllables import fold_syllable, is_syllable_shape

    text = " ".join(fixed_lines())
    return frozenset(w for w in re.findall(r"\b[A-ZĐ]{2,6}\b", text) if not is_syllable_shape(fold_syllable(w.lower())))


FORM_ACRONYMS = _acronyms()


# Kinds of document in a number ("139/KH-TTYT", "107/2021/NĐ-CP"), Nghị định 30/2020/NĐ-CP Phụ lục III,
# and the legal normative ones.
DOCUMENT_TYPES = frozenset("NQ QĐ CT QC QyĐ TB HD CTr KH PA ĐA DA BC BB TTr HĐ CĐ GUQ GM GGT NĐ TT TTg".split())
_CODE = re.compile(r"^(.*/)([A-Za-zĐđ]{2,4})(-.*)$")
_D_GLYPHS = str.maketrans({"B": "Đ", "P": "Đ", "b": "Đ", "p": "Đ"})  # OCR reads Đ as B or P


def fix_code(code: str) -> str:
    """A document number whose kind the scan misread is written with the listed kind ("3041/QB-UBND"
    → "3041/QĐ-UBND", "NB-CP" → "NĐ-CP"); any other code is returned as it is."""
    m = _CODE.match(code)
    if not m or m.group(2) in DOCUMENT_TYPES:
        return code
    kind = m.group(2)
    for pos, ch in enumerate(kind):
        fixed = kind[:pos] + ch.translate(_D_GLYPHS) + kind[pos + 1:]
        if fixed != kind and fixed in DOCUMENT_TYPES:
            return m.group(1) + fixed + m.group(3)
    # A scan's engine without Đ prints D ("99/2022/ND-CP", "Nd-CP"): the listed kind with Đ, when
    # the kind with D is none ("HD" Hướng dẫn and "DA" Dự án are kinds themselves and stay).
    upper = kind.upper()
    if upper not in DOCUMENT_TYPES:
        for pos, ch in enumerate(upper):
            fixed = upper[:pos] + "Đ" + upper[pos + 1:]
            if ch == "D" and fixed in DOCUMENT_TYPES:
                return m.group(1) + fixed + m.group(3)
    return code
