"""Decode a text document whatever the office saved it in: UTF-8, UTF-16, Windows-1258, TCVN3, VNI.

Offices still hold plans typed before Unicode: TCVN3 (the "ABC" fonts, .VnTime) and VNI (VNI-Times)
store Vietnamese letters in the Latin-1 byte range, and Windows Notepad saves "Unicode" as UTF-16.
Read as UTF-8 such a file is either refused as binary or becomes mojibake that no question matches,
so the bytes are identified and converted to Unicode (NFC) here, before anything else reads them.

How the encoding is decided, in order:
1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32);
2. NUL bytes on one side of the byte pairs: UTF-16 without a mark;
3. strict UTF-8 (ASCII included) — legacy bytes almost never form valid UTF-8;
4. otherwise each legacy decoding is tried and scored by how many of its words are well-formed
   Vietnamese syllables (one tone mark at most, consonants–vowels–final consonant): the right
   decoding makes syllables ("Việt"), the wrong ones make impossible letter runs ("Vieọt", "Haø").

The TCVN3 and VNI tables are written from the published character tables (TCVN 5712:1993 VN3;
VNI Windows as the VNI fonts lay it out). The encoders are the exact inverses, used by the tests to
make legacy files from known text and by anyone checking a conversion by round trip.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

# -- TCVN3 (TCVN 5712:1993, VN3: the "ABC" fonts) -------------------------------------------------
# Bytes 0xA1–0xFE hold the lower-case letters with their tones and the seven upper-case base letters
# (Ă Â Ê Ô Ơ Ư Đ). Upper-case toned letters have no code: .VnTimeH "capital" fonts draw the lower-case
# codes as capitals, which is why headings are re-capitalised after decoding (see _recapitalise).
TCVN3_TABLE: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_TCVN3_ENCODE = {ch: bytes([b]) for b, ch in TCVN3_TABLE.items()}

# -- VNI Windows (VNI-Times and the other VNI fonts) ----------------------------------------------
# A base letter followed by a mark byte; a few letters are single precomposed bytes. Bytes are read
# as Windows-1252 characters (what the VNI fonts sit on), so the tables are written with those.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
VNI_MARKS: dict[str, str] = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRC, "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK, "ã": _CIRC + _TILDE,
    "ä": _CIRC + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
VNI_MARKS.update({k.upper(): v for k, v in list(VNI_MARKS.items())})
VNI_LETTERS: dict[str, str] = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "í": "í", "Í": "Í", "ì": "ì", "Ì": "Ì", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị",
    "î": "ỵ", "Î": "Ỵ",
}
_VOWELS = set("aeiouyAEIOUYăâêôơưĂÂÊÔƠƯ")
_TONES = {_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT}


@dataclass(frozen=True)
class Decoded:
    """The text, and the encoding it was read from (one of ENCODING_NAMES' keys)."""

    text: str
    encoding: str


ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (có BOM)", "utf-16": "UTF-16 (Unicode của Windows)",
    "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE", "utf-32": "UTF-32",
    "cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI Windows",
}
LEGACY = ("cp1258", "tcvn3", "vni")


class UnknownEncoding(ValueError):
    """The bytes are not text in any encoding this module knows."""


# -- decoders --------------------------------------------------------------------------------------
def decode_tcvn3(data: bytes) -> str:
    """TCVN3 bytes as Unicode; bytes outside the table read as Windows-1252 (the font's code page)."""
    out = []
    for b in data:
        ch = TCVN3_TABLE.get(b)
        out.append(ch if ch is not None else bytes([b]).decode("cp1252", errors="replace"))
    return _recapitalise(unicodedata.normalize("NFC", "".join(out)))


def decode_vni(data: bytes) -> str:
    """VNI Windows bytes as Unicode: precomposed letters mapped, mark bytes joined to their vowel."""
    chars = data.decode("cp1252", errors="replace")
    out: list[str] = []
    for ch in chars:
        mark = VNI_MARKS.get(ch)
        if mark is not None and out and _takes(out[-1], mark):
            out[-1] = unicodedata.normalize("NFC", out[-1] + mark)
            continue
        out.append(VNI_LETTERS.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def _takes(letter: str, mark: str) -> bool:
    """Whether a VNI mark byte can follow `letter` (so it is a mark, not a Latin-1 letter)."""
    base = unicodedata.normalize("NFD", letter)
    if not base or base[0] not in _VOWELS:
        return False
    have = set(base[1:])
    if have & _TONES and set(mark) & _TONES:
        return False  # one tone per letter
    if _CIRC in mark and (base[0].lower() not in "aeo" or have & {_BREVE, _CIRC, _HORN}):
        return False
    if _BREVE in mark and (base[0].lower() != "a" or have & {_BREVE, _CIRC}):
        return False
    return True


def decode_cp1258(data: bytes) -> str:
    """Windows-1258 (combining tone marks after the vowel), composed to NFC."""
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


_DECODERS = {"cp1258": decode_cp1258, "tcvn3": decode_tcvn3, "vni": decode_vni}


def _recapitalise(text: str) -> str:
    """Words drawn in a TCVN3 capital font come back as "CộNG HòA": upper-case a word whose ASCII
    letters (two or more) are all capitals, and every word of a line whose ASCII letters (three or
    more) are."""
    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        ascii_letters = [c for c in w if c.isascii() and c.isalpha()]
        if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters):
            return w.upper()
        return w

    lines = []
    for line in text.split("\n"):
        ascii_letters = [c for c in line if c.isascii() and c.isalpha()]
        if len(ascii_letters) >= 3 and all(c.isupper() for c in ascii_letters):
            lines.append(line.upper())
        else:
            lines.append(re.sub(r"\w+", word, line))
    return "\n".join(lines)


# -- encoders (exact inverses, for tests and round-trip checks) ------------------------------------
def encode_tcvn3(text: str) -> bytes:
    """Unicode as TCVN3 bytes. Upper-case toned letters have no TCVN3 code and are written lower-case
    (as a capital font would store them); anything else outside the table must be Windows-1252."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        code = _TCVN3_ENCODE.get(ch)
        if code is None and ch not in _TCVN3_ENCODE and ch.lower() in _TCVN3_ENCODE and not ch.isascii():
            code = _TCVN3_ENCODE[ch.lower()]
        out += code if code is not None else ch.encode("cp1252")
    return bytes(out)


_VNI_LETTERS_BACK = {v: k for k, v in VNI_LETTERS.items()}
_VNI_MARKS_BACK: dict[tuple[str, bool], str] = {}
for _byte, _mark in VNI_MARKS.items():
    _VNI_MARKS_BACK[(_mark, _byte.isupper())] = _byte


def encode_vni(text: str) -> bytes:
    """Unicode as VNI Windows bytes: precomposed letters where VNI has them, else base + mark byte."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _VNI_LETTERS_BACK:
            out.append(_VNI_LETTERS_BACK[ch])
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if not marks or not base.isascii():
            out.append(ch)
            continue
        upper = base.isupper()
        if _HORN in marks:  # ơ / ư are single bytes; the tone follows as a mark byte
            horned = unicodedata.normalize("NFC", base + _HORN)
            out.append(_VNI_LETTERS_BACK[horned])
            marks = marks.replace(_HORN, "")
        else:
            out.append(base)
        shape = "".join(m for m in marks if m in (_CIRC, _BREVE))
        tone = "".join(m for m in marks if m in _TONES)
        if shape or tone:
            out.append(_VNI_MARKS_BACK[(shape + tone, upper)])
    return "".join(out).encode("cp1252")


def encode_cp1258(text: str) -> bytes:
    """Unicode as Windows-1258 the way Windows writes it: a letter that has its own code as that code,
    else the letter without its tone followed by the combining tone byte."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tone = "".join(m for m in decomposed if m in _TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


# -- detection -------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]+")
_SYLLABLE = re.compile(r"(?:[bcdđghklmnpqrstvx]{0,3})([aăâeêioôơuưy]{1,3})(?:[cghmnpt]{0,2})")
_VIETNAMESE_LETTERS = frozenset(
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ")


def _is_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable: only Vietnamese letters, at most one tone mark, and the
    shape consonants–vowels–final consonant."""
    lower = word.lower()
    if any(ch not in _VIETNAMESE_LETTERS for ch in lower):
        return False
    decomposed = unicodedata.normalize("NFD", lower)
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def vietnamese_score(text: str) -> int:
    """Well-formed syllables minus malformed words, counting only words with non-ASCII letters
    (ASCII words read the same in every decoding and decide nothing)."""
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        score += 1 if _is_syllable(word) else -1
    return score


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs sit on one side of the byte pairs (ASCII letters, spaces
    and digits of UTF-16 text all have a zero high byte), else None."""
    pairs = len(data) // 2
    if pairs < 2:
        return None
    even = sum(1 for b in data[0:pairs * 2:2] if b == 0)
    odd = sum(1 for b in data[1:pairs * 2:2] if b == 0)
    if odd >= 0.2 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.2 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def decode_text(data: bytes) -> Decoded:
    """The document's text in Unicode (NFC) and the encoding it came in; `UnknownEncoding` when the
    bytes are not text in any encoding known here."""
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(unicodedata.normalize("NFC", data.decode(name)), name)
            except UnicodeDecodeError as exc:
                raise UnknownEncoding(f"{name}: {exc.reason}") from None
    if b"\x00" in data:
        name = _utf16_without_bom(data)
        if name is None:
            raise UnknownEncoding("NUL bytes")
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise UnknownEncoding(f"{name}: {exc.reason}") from None
        if _CONTROL.search(text):
            raise UnknownEncoding("control characters")
        return Decoded(unicodedata.normalize("NFC", text), name)
    try:
        return Decoded(unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    mostly = data.decode("utf-8", errors="replace")
    damaged = mostly.count("\ufffd")
    if damaged <= max(1, sum(1 for ch in mostly if ord(ch) > 0x7F and ch != "\ufffd") // 100):
        return Decoded(unicodedata.normalize("NFC", mostly), "utf-8")  # UTF-8 with a stray bad byte
    if len(_CONTROL.findall(data.decode("latin-1"))) > max(2, len(data) // 200):
        raise UnknownEncoding("control characters")
    best: Decoded | None = None
    best_score = 0
    for name in LEGACY:
        text = _DECODERS[name](data)
        score = vietnamese_score(text)
        if score > best_score:
            best, best_score = Decoded(text, name), score
    if best is None:
        raise UnknownEncoding("no Vietnamese encoding fits")
    return best


def looks_like_text(data: bytes) -> bool:
    """Cheap check on a file's first bytes (a cut multi-byte character at the end is fine)."""
    head = data[:65536]
    if len(data) > len(head):  # do not judge a character cut by the 64 KiB window
        for cut in range(4):
            try:
                decode_text(head[:len(head) - cut])
                return True
            except UnknownEncoding:
                continue
        return False
    try:
        decode_text(head)
    except UnknownEncoding:
        return False
    return True
