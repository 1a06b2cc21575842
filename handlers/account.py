"""`/whoami`: the id a person needs to be made an admin, on whatever channel they are.

Admins are configured as `CCHC_ADMINS=telegram:123456789,zalo:abc...`, but nobody knows their
Telegram user id or Zalo id by heart, and neither app shows it. The bot does know it, so it says
it, in the exact form CCHC_ADMINS wants. Platform-neutral: every channel (terminal, Telegram,
Zalo, web) gets it through the dispatcher.
"""

from __future__ import annotations

from handlers.dispatch import Command, Dispatcher
from handlers.messages import Incoming, Reply

PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "cửa sổ dòng lệnh", "web": "trang web"}


def whoami_text(incoming: Incoming) -> str:
    """The user's id as a CCHC_ADMINS entry, and how to use it."""
    entry = f"{incoming.platform}:{incoming.user_id}"
    where = PLATFORM_NAMES.get(incoming.platform, incoming.platform)
    name = f" ({incoming.user_name})" if incoming.user_name else ""
    lines = [f"Mã người dùng của bạn trên {where}{name}: {incoming.user_id}",
             f"Mục để đặt vào CCHC_ADMINS: {entry}"]
    if incoming.is_group and incoming.chat_id != incoming.user_id:
        lines.append(f"(Mã cuộc trò chuyện nhóm này: {incoming.chat_id} — không dùng cho CCHC_ADMINS.)")
    if incoming.is_admin:
        lines.append("Bạn đang là quản trị viên của bot.")
    else:
        lines.append("Để cấp quyền quản trị cho tài khoản này, người vận hành máy chủ thêm mục trên vào biến "
                     f"CCHC_ADMINS (nhiều người cách nhau dấu phẩy), ví dụ: CCHC_ADMINS={entry} — "
                     "rồi khởi động lại bot.")
    return "\n".join(lines)


def register_account(dispatcher: Dispatcher) -> None:
    """Wire /whoami (aliases /toila, /id) into `dispatcher`."""

    def whoami(incoming: Incoming, _args: str) -> list[Reply]:
        return [Reply(whoami_text(incoming))]

    dispatcher.add_command(Command("whoami", "Xem mã người dùng của bạn (để cấp quyền quản trị)", whoami),
                           "toila", "id", "myid")
