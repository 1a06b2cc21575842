"""Turn a document file into plain text: .txt, .md, .docx and PDF with a text layer.

The type is decided by content, not by extension, so a renamed file is read for what it is and a
file whose content contradicts its extension is refused with a clear message. Each format uses a
well-kept library: python-docx for Word, pypdf for PDF.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.encodings import ENCODING_NAMES, UnknownEncoding, decode_text, looks_like_text
from knowledge.text import nfc

SUPPORTED_SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".docx": "docx", ".pdf": "pdf"}
# A document is refused only when it has no text: no word of letters at all (a scanned PDF's
# page numbers, an empty file). The old floor of 200 characters refused 238 of the 2,249 ALQAC law
# articles and any short notice with a hotline number, which are worth answering from.
MIN_LETTERS = 1


class DocumentError(ValueError):
    """A document that cannot be used; the message is Vietnamese and says why."""


@dataclass(frozen=True)
class DocumentText:
    text: str
    fmt: str  # text | markdown | docx | pdf
    encoding: str = ""  # text files: what they were saved in (knowledge.encodings), "" otherwise

    @property
    def converted_from(self) -> str:
        """The legacy or UTF-16 encoding a text file was converted from, for the admin's report;
        "" for UTF-8 (with or without BOM) and for Word/PDF files."""
        if self.encoding in ("", "utf-8", "utf-8-sig"):
            return ""
        return ENCODING_NAMES.get(self.encoding, self.encoding)


def sniff_format(data: bytes) -> str:
    """What the bytes are: pdf, docx, text, or 'binary' for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return "binary"
        return "zip"
    # UTF-8, UTF-16 (Notepad's "Unicode"), Windows-1258, TCVN3 and VNI are all text.
    return "text" if looks_like_text(data) else "binary"


def read_bytes(data: bytes, filename: str) -> DocumentText:
    """Extract the text of a document given as bytes; raises `DocumentError` in Vietnamese."""
    name = Path(filename).name
    suffix = Path(filename).suffix.lower()
    if not data:
        raise DocumentError(f"Tệp {name} rỗng.")
    actual = sniff_format(data)
    expected = SUPPORTED_SUFFIXES.get(suffix)
    if expected is None:
        raise DocumentError(f"Tệp {name}: chỉ nhận .txt, .md, .docx hoặc .pdf.")
    expected_kind = "text" if expected in ("text", "markdown") else expected
    if actual != expected_kind:
        seen = {"pdf": "PDF", "docx": "Word (.docx)", "text": "văn bản thuần", "zip": "tệp nén ZIP",
                "binary": "dữ liệu nhị phân"}[actual]
        raise DocumentError(f"Tệp {name} có đuôi {suffix} nhưng nội dung là {seen}: tệp bị hỏng hoặc đặt sai đuôi.")
    encoding = ""
    if expected == "pdf":
        text = _read_pdf(data, name)
    elif expected == "docx":
        text = _read_docx(data, name)
    else:
        try:
            decoded = decode_text(data)
        except UnknownEncoding as exc:  # sniff_format said text: only a damaged tail gets here
            raise DocumentError(f"Tệp {name}: không nhận ra bảng mã của văn bản; hãy lưu lại dưới dạng "
                                "UTF-8 (hoặc .docx) rồi gửi lại.") from exc
        text, encoding = decoded.text, decoded.encoding
        if expected == "markdown":
            text = strip_markdown(text)
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    if len(re.findall(r"[^\W\d_]", text)) < MIN_LETTERS:
        if expected == "pdf":
            raise DocumentError(f"Tệp PDF {name} không có lớp chữ (có thể là bản quét): "
                                "hãy dùng bản PDF có chữ hoặc .docx.")
        raise DocumentError(f"Tệp {name} không có nội dung chữ.")
    return DocumentText(text, expected, encoding if expected in ("text", "markdown") else "")


def read_path(path: Path) -> DocumentText:
    return read_bytes(path.read_bytes(), path.name)


def _read_pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"Không đọc được tệp PDF {name}: tệp bị hỏng ({type(exc).__name__}).") from exc
    return "\n\n".join(pages)


def _read_docx(data: bytes, name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(f"Không đọc được tệp Word {name}: tệp bị hỏng ({type(exc).__name__}).") from exc
    except Exception as exc:  # lxml errors on a damaged document.xml
        raise DocumentError(f"Không đọc được tệp Word {name}: nội dung bị hỏng.") from exc
    lines: list[str] = []
    for block in _docx_blocks(document):
        lines.append(block)
    return "\n\n".join(lines)


def _docx_blocks(document: object) -> list[str]:
    """Paragraphs and table rows in document order (tables become 'cell | cell' lines)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body  # type: ignore[attr-defined]
    blocks: list[str] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                blocks.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = []
                for cell in row.cells:
                    t = " ".join(cell.text.split())
                    if t and (not cells or cells[-1] != t):
                        cells.append(t)
                if cells:
                    blocks.append(" | ".join(cells))
    return blocks


def strip_markdown(text: str) -> str:
    """Keep the words, drop the markup: headings, emphasis, links, table rules, code fences."""
    out = []
    for line in text.splitlines():
        if re.match(r"^\s*```", line) or re.match(r"^\s*\|?\s*:?-{3,}", line):
            continue
        line = re.sub(r"^\s{0,3}#{1,6}\s*", "", line)
        line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", line)
        line = re.sub(r"(\*\*|__|\*|_|`)(\S.*?\S|\S)\1", r"\2", line)
        if line.strip().startswith("|"):
            line = " | ".join(c.strip() for c in line.strip().strip("|").split("|"))
        out.append(line)
    return "\n".join(out)
