"""The administrative procedure catalogue (thủ tục hành chính): records, their import from what
offices have, the shipped national catalogue, and the `procedures` table of the knowledge DB."""
