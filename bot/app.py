"""Wiring: settings → knowledge base, state DB and the dispatcher with every feature registered.

Every channel starts from `build_assistant(settings)`, so the terminal, Telegram and Zalo serve the
same features from the same databases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.settings import Settings
from handlers.account import register_account
from handlers.admin import AdminService
from handlers.admin import register as register_admin
from handlers.core import AskService, register_core
from handlers.dispatch import Dispatcher
from handlers.duties import DutyService
from handlers.duties import register as register_duties
from handlers.flood import FloodGuard
from handlers.kb_admin import KnowledgeAdmin, audit_to
from handlers.knowledge_holder import KnowledgeHolder
from handlers.messages import Incoming
from handlers.office import Office
from handlers.procedure_admin import register_procedure_admin
from handlers.procedure_chat import register_procedures
from handlers.quiz import QuizService
from handlers.quiz import register as register_quiz
from handlers.state_db import StateDB
from retrieval.engine import AskEngine

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    """Everything a channel needs: dispatch messages, know admins, reach the databases.

    The feature services are kept so that channels and tests reach them by name instead of digging
    through the dispatcher's registered handlers.
    """

    settings: Settings
    dispatcher: Dispatcher
    holder: KnowledgeHolder
    state: StateDB
    ask: AskService
    quiz: QuizService
    admin: AdminService
    duties: DutyService | None = None

    def incoming(self, platform: str, user_id: str, chat_id: str, text: str, **kw: object) -> Incoming:
        """Build an `Incoming`, deciding `is_admin` from CCHC_ADMINS in one place."""
        return Incoming(platform=platform, user_id=str(user_id), chat_id=str(chat_id), text=text,
                        is_admin=self.settings.is_admin(platform, str(user_id)), **kw)  # type: ignore[arg-type]

    def close(self) -> None:
        self.state.close()


def office_of(settings: Settings) -> Office:
    """The office's own contacts (CCHC_OFFICE_*), as the handlers take them."""
    return Office(settings.office_name, settings.office_hotline, settings.office_portal, settings.office_address)


def build_assistant(settings: Settings) -> Assistant:
    """Open (building on first use) the knowledge DB, open the state DB, register all features."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Under the knowledge base's file lock: two bots started together on one data volume (Telegram
    # and Zalo in docker compose) must not both copy the seed plans and build at the same time.
    # It also finishes or undoes a change a crash interrupted, and audits what it did.
    state = StateDB(settings.state_path)
    KnowledgeAdmin(settings.docs_dir, settings.kb_path, audit=audit_to(state)).ensure()
    holder = KnowledgeHolder(AskEngine.open(settings.kb_path))
    dispatcher = Dispatcher(FloodGuard(settings.flood_per_minute))
    ask = register_core(dispatcher, holder, state, office=office_of(settings))
    # Registration order is the order of the command menu: learners' commands before admin ones.
    quiz = register_quiz(dispatcher=dispatcher, holder=holder, state=state, settings=settings)
    duties = register_duties(dispatcher=dispatcher, holder=holder, state=state, settings=settings)
    register_procedures(dispatcher, holder, state, ask.ask)  # after quiz and duties: their replies come first
    admin = register_admin(dispatcher=dispatcher, holder=holder, state=state, settings=settings)
    register_procedure_admin(dispatcher, holder, state, admin.kb)  # /thutuc, /nhapthutuc, /xoathutuc
    register_account(dispatcher)
    return Assistant(settings, dispatcher, holder, state, ask, quiz, admin, duties)
