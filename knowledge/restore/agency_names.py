"""Names of Vietnam's state bodies and posts, as an LM source for restoring administrative text.

Why: a news LM (VLSP) and a dictionary know "sẽ", "sự" and "sử" far better than "Sở", so OCR's
"Sé Y té" / "S& Nội vụ" came back as "Sẽ Y tế" / "Sự Nội vụ" in every plan — the word a reader
most needs to trust ("gửi về Sở Thông tin"). Government documents name the same few dozen kinds of
body over and over; these are their standard names (ministries, provincial departments under
Decree 24/2014/NĐ-CP and its 2020 and 2025 amendments, commune/district offices, the mass
organisations, the one-stop units), written as the law writes them. Nothing here comes from any
document of the knowledge base, and no place names (those come from the address data).
"""

from __future__ import annotations

_BODIES = """
Bộ Nội vụ; Bộ Tư pháp; Bộ Tài chính; Bộ Y tế; Bộ Công an; Bộ Quốc phòng; Bộ Ngoại giao; Bộ Xây dựng
Bộ Công Thương; Bộ Nông nghiệp và Môi trường; Bộ Nông nghiệp và Phát triển nông thôn
Bộ Tài nguyên và Môi trường; Bộ Kế hoạch và Đầu tư; Bộ Giao thông vận tải; Bộ Khoa học và Công nghệ
Bộ Thông tin và Truyền thông; Bộ Giáo dục và Đào tạo; Bộ Văn hóa, Thể thao và Du lịch
Bộ Lao động - Thương binh và Xã hội; Bộ Dân tộc và Tôn giáo; Ủy ban Dân tộc; Thanh tra Chính phủ
Ngân hàng Nhà nước Việt Nam; Văn phòng Chính phủ; Thủ tướng Chính phủ; Phó Thủ tướng Chính phủ
Sở Nội vụ; Sở Tư pháp; Sở Tài chính; Sở Y tế; Sở Xây dựng; Sở Công Thương; Sở Ngoại vụ; Sở Du lịch
Sở Nông nghiệp và Môi trường; Sở Nông nghiệp và Phát triển nông thôn; Sở Tài nguyên và Môi trường
Sở Kế hoạch và Đầu tư; Sở Giao thông vận tải; Sở Khoa học và Công nghệ; Sở Thông tin và Truyền thông
Sở Giáo dục và Đào tạo; Sở Văn hóa, Thể thao và Du lịch; Sở Văn hóa và Thể thao
Sở Lao động - Thương binh và Xã hội; Sở Dân tộc và Tôn giáo; Sở Quy hoạch - Kiến trúc
Thanh tra tỉnh; Thanh tra thành phố; Ban Dân tộc; Ban Quản lý các khu công nghiệp
Ủy ban nhân dân tỉnh; Ủy ban nhân dân thành phố; Ủy ban nhân dân huyện; Ủy ban nhân dân quận
Ủy ban nhân dân thị xã; Ủy ban nhân dân xã; Ủy ban nhân dân phường; Ủy ban nhân dân thị trấn
Hội đồng nhân dân tỉnh; Hội đồng nhân dân thành phố; Hội đồng nhân dân xã; Hội đồng nhân dân phường
Văn phòng Ủy ban nhân dân; Văn phòng Hội đồng nhân dân và Ủy ban nhân dân; Văn phòng Đoàn đại biểu Quốc hội
Chủ tịch Ủy ban nhân dân; Phó Chủ tịch Ủy ban nhân dân; Chủ tịch Hội đồng nhân dân
Giám đốc Sở; Phó Giám đốc Sở; Chánh Văn phòng; Phó Chánh Văn phòng; Chánh Thanh tra; Trưởng phòng
Phó Trưởng phòng; Thủ trưởng các cơ quan, đơn vị; Người đứng đầu cơ quan, đơn vị
Phòng Nội vụ; Phòng Tư pháp; Phòng Tài chính - Kế hoạch; Phòng Kinh tế; Phòng Văn hóa - Xã hội
Phòng Văn hóa và Thông tin; Phòng Y tế; Phòng Giáo dục và Đào tạo; Phòng Kinh tế, Hạ tầng và Đô thị
Phòng Tài nguyên và Môi trường; Phòng Lao động - Thương binh và Xã hội; Phòng Tổ chức - Hành chính
Phòng Tổ chức cán bộ; Phòng Kế hoạch - Tài chính; Phòng Nghiệp vụ; Văn phòng Sở
Trung tâm Phục vụ hành chính công; Bộ phận Một cửa; Bộ phận tiếp nhận và trả kết quả
Cổng Dịch vụ công quốc gia; Cổng thông tin điện tử; Hệ thống thông tin giải quyết thủ tục hành chính
Trung tâm Y tế; Trung tâm Kiểm soát bệnh tật; Trung tâm Văn hóa, Thể thao và Truyền thanh
Trung tâm Văn hóa, Thông tin và Thể thao; Đài Phát thanh và Truyền hình; Đài Truyền thanh
Báo Nhân dân; Thông tấn xã Việt Nam; Đài Truyền hình Việt Nam; Đài Tiếng nói Việt Nam
Ủy ban Mặt trận Tổ quốc Việt Nam; Đoàn Thanh niên Cộng sản Hồ Chí Minh; Hội Liên hiệp Phụ nữ
Hội Cựu chiến binh; Hội Nông dân; Liên đoàn Lao động; Công đoàn viên chức; Thành đoàn; Tỉnh đoàn
Công an tỉnh; Công an thành phố; Công an xã; Bộ Chỉ huy Quân sự; Ban Chỉ huy Quân sự
Kho bạc Nhà nước; Cục Thuế; Chi cục Thuế; Bảo hiểm xã hội; Tòa án nhân dân; Viện Kiểm sát nhân dân
Ban Chỉ đạo cải cách hành chính; Hội đồng phối hợp phổ biến, giáo dục pháp luật
cán bộ, công chức, viên chức và người lao động; đoàn viên thanh niên; cải cách hành chính nhà nước
"""


def agency_names() -> list[str]:
    """The names above, one per entry (a comma inside a name is kept: it is part of the name)."""
    names = []
    for line in _BODIES.strip().splitlines():
        names.extend(part.strip() for part in line.split(";") if part.strip())
    return names
