"""Document parts (issue 18): what the standard form of an administrative document (Nghị định
30/2020/NĐ-CP) gives every document — letterhead, number, place and date, kind and title,
recipients, signature, cited documents, and a plan's tasks and targets — read from the restored
text with the scan's wording kept for citation, and stored as typed rows in knowledge.db."""

from knowledge.parts.model import Cite, DocumentParts, Recipient, Signer, Target, Task
from knowledge.parts.parse import parse_parts, parts_for_build
from knowledge.parts.store import all_tasks, create_tables, read_parts, write_parts, write_parts_many

__all__ = ["Cite", "DocumentParts", "Recipient", "Signer", "Target", "Task", "all_tasks", "create_tables",
           "parse_parts", "parts_for_build", "read_parts", "write_parts", "write_parts_many"]
