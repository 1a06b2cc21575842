"""Real document files for the admin tests: a Word file made by python-docx, PDFs written by hand
(a text layer in the standard Helvetica font, or a page with only a drawing), and broken files.

Nothing here is a mock: the bytes are what Word, a PDF printer or a damaged download produce, and
the knowledge base reads them with the same readers as in production.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

# A short plan whose facts no seed document holds: its answers appear only after it is added.
NEW_PLAN_LINES = [
    "ỦY BAN NHÂN DÂN",
    "XÃ AN LẠC",
    "Số: 77/KH-UBND",
    "An Lạc, ngày 15 tháng 3 năm 2024",
    "KẾ HOẠCH",
    "Tổ chức Ngày hội cải cách hành chính xã An Lạc năm 2024",
    "Thực hiện Kế hoạch cải cách hành chính năm 2024 của Ủy ban nhân dân huyện, Ủy ban nhân dân xã "
    "An Lạc xây dựng Kế hoạch tổ chức Ngày hội cải cách hành chính năm 2024 như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Mục đích",
    "- Nâng cao nhận thức của cán bộ, công chức và người dân về cải cách thủ tục hành chính, "
    "khuyến khích người dân nộp hồ sơ trực tuyến.",
    "2. Yêu cầu",
    "- Ngày hội được tổ chức thiết thực, tiết kiệm, thu hút đông đảo người dân tham gia.",
    "II. NỘI DUNG",
    "1. Thời gian, địa điểm",
    "- Ngày hội cải cách hành chính được tổ chức tại Nhà văn hóa thôn Đông Hòa vào sáng ngày 20 tháng 4 "
    "năm 2024, với khẩu hiệu “Chính quyền thân thiện, người dân hài lòng”.",
    "2. Hội thi tìm hiểu thủ tục hành chính",
    "- Mỗi thôn cử 05 thành viên tham gia hội thi tìm hiểu thủ tục hành chính. Giải nhất hội thi được "
    "thưởng 3.000.000 đồng, giải nhì 2.000.000 đồng, giải ba 1.000.000 đồng.",
    "3. Kinh phí",
    "- Tổng kinh phí tổ chức Ngày hội là 45.000.000 đồng, từ nguồn ngân sách xã năm 2024.",
    "III. TỔ CHỨC THỰC HIỆN",
    "- Văn phòng HĐND và UBND xã chủ trì, phối hợp với các thôn tổ chức Ngày hội; báo cáo kết quả về "
    "Ủy ban nhân dân xã trước ngày 30 tháng 4 năm 2024.",
]
NEW_PLAN_QUESTION = "Giải nhất hội thi tìm hiểu thủ tục hành chính xã An Lạc được thưởng bao nhiêu?"
NEW_PLAN_FACT = "3.000.000"
NEW_PLAN_NUMBER = "77/KH-UBND"

# The same kind of plan, written without diacritics for a PDF in the standard (Latin-1) font.
PDF_PLAN_LINES = [
    "UY BAN NHAN DAN XA BINH MINH",
    "So: 41/KH-UBND",
    "Binh Minh, ngay 09 thang 05 nam 2024",
    "KE HOACH",
    "Tuyen truyen cai cach hanh chinh xa Binh Minh nam 2024",
    "Thuc hien Ke hoach cai cach hanh chinh nam 2024 cua huyen, Uy ban nhan dan xa Binh Minh "
    "ban hanh Ke hoach tuyen truyen nhu sau:",
    "I. MUC DICH, YEU CAU",
    "1. Muc dich",
    "- Nang cao nhan thuc cua nguoi dan ve dich vu cong truc tuyen va thu tuc hanh chinh.",
    "II. NOI DUNG",
    "1. Hinh thuc tuyen truyen",
    "- Phat song chuyen muc cai cach hanh chinh tren loa truyen thanh xa vao 17 gio thu Sau hang tuan.",
    "- Treo 12 bang ron khau hieu tai cong Uy ban nhan dan xa va cac nha van hoa thon.",
    "III. TO CHUC THUC HIEN",
    "- Cong chuc Van phong - Thong ke xa chu tri thuc hien, bao cao ket qua truoc ngay 15 thang 12 nam 2024.",
]
PDF_PLAN_QUESTION = "Chuyên mục CCHC trên loa truyền thanh xã Bình Minh phát lúc mấy giờ thứ Sáu?"
PDF_PLAN_FACT = "17 gio"
PDF_PLAN_NUMBER = "41/KH-UBND"

# Markdown notes with neither a number nor a date: the rebuild report must warn about both.
UNDATED_NOTE_MD = """# Ghi chú tuyên truyền cải cách hành chính tại bộ phận một cửa

I. NỘI DUNG

1. Bảng hướng dẫn
- Bộ phận một cửa đặt **bảng hướng dẫn** quét mã QR để người dân tra cứu tình trạng hồ sơ trực tuyến.
- Mỗi quầy có tờ gấp giới thiệu dịch vụ công trực tuyến toàn trình và cách thanh toán trực tuyến.

2. Phản hồi của người dân
- Hòm thư góp ý được mở vào chiều thứ Hai hằng tuần; ý kiến được trả lời trong năm ngày làm việc.
"""


def make_docx(lines: list[str] = NEW_PLAN_LINES) -> bytes:
    """A Word document, one paragraph per line, saved by python-docx (a real .docx package)."""
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(content_streams: list[bytes]) -> bytes:
    """A well-formed PDF (correct xref offsets), one page per content stream, Helvetica as F1."""
    objects: list[bytes] = []
    n_pages = len(content_streams)
    page_ids = [3 + 2 * i for i in range(n_pages)]
    font_id = 3 + 2 * n_pages
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{p} 0 R" for p in page_ids).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n_pages).encode() + b" >>")
    for i, stream in enumerate(content_streams):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 "
                       + str(font_id).encode() + b" 0 R >> >> /Contents " + str(page_ids[i] + 1).encode()
                       + b" 0 R >>")
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def make_text_pdf(lines: list[str] = PDF_PLAN_LINES) -> bytes:
    """A PDF with a real text layer (what a PDF printer writes for a typed document)."""
    ops = [b"BT /F1 10 Tf 40 800 Td 13 TL"]
    for line in lines:
        ops.append(b"(" + _escape(line) + b") Tj T*")
    ops.append(b"ET")
    return _pdf([b"\n".join(ops)])


def make_scanned_pdf() -> bytes:
    """A PDF whose pages only draw (like a scan): a text layer does not exist."""
    drawing = b"0.2 0.2 0.2 rg 40 400 515 380 re f 0 0 1 RG 60 60 m 535 780 l S"
    return _pdf([drawing, drawing])


def make_truncated_docx() -> bytes:
    """A .docx cut off in the middle, as an interrupted download leaves it."""
    data = make_docx()
    return data[: len(data) // 2]


def make_docx_with_broken_xml() -> bytes:
    """A complete zip package whose word/document.xml is not XML any more."""
    src = zipfile.ZipFile(io.BytesIO(make_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 3] + b"<<<&&& not xml"
            dst.writestr(item, data)
    return out.getvalue()


def make_big_file(megabytes: int = 50) -> bytes:
    """A PDF-looking file of `megabytes` MB: refused for its size before anything parses it."""
    head = make_text_pdf()
    return head + b"\n%" + b"0" * (megabytes * 1024 * 1024 - len(head) - 2)


def ask_service_over(root: Path, documents: dict[str, str]):
    """An AskService over a knowledge base built, through the real build, from `documents`
    (file name → text) written to `root`/documents: the made-up plans of the answer tests."""
    from handlers.core import AskService
    from handlers.knowledge_holder import KnowledgeHolder
    from retrieval.engine import AskEngine
    from retrieval.indexer import rebuild

    docs = root / "documents"
    docs.mkdir()
    for name, text in documents.items():
        (docs / name).write_text(text, encoding="utf-8")
    rebuild(docs, root / "knowledge.db")
    return AskService(KnowledgeHolder(AskEngine.open(root / "knowledge.db")))
