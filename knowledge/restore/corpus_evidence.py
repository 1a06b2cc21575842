"""The knowledge base's own documents as evidence for restoring one more text.

An office's plans repeat their agencies, places and phrases; restored together they teach the
LM what this corpus says ("Trung tâm Y tế khu vực …", "Cổng dịch vụ công …"). Restoring the
corpus takes seconds, so its sentences are cached on disk, keyed by the documents' content and
the model version: `cchc text restore` pays for it once per change of the documents folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from knowledge.restore.stage import cache_root, restorer_fingerprint

log = logging.getLogger(__name__)


def corpus_sentences(texts: list[str]) -> list[list[str]]:
    """Restored syllable sentences of `texts` (from the disk cache when they were seen before)."""
    from knowledge.restore import get_restorer

    digest = hashlib.sha256(restorer_fingerprint().encode())
    for text in sorted(texts):
        digest.update(hashlib.sha256(text.encode("utf-8", "replace")).digest())
    path = cache_root() / f"corpus-{digest.hexdigest()[:20]}.pickle"
    try:
        with path.open("rb") as f:
            cached = pickle.load(f)
        if isinstance(cached, list):
            return cached
    except FileNotFoundError:
        pass
    except Exception as e:  # noqa: BLE001 - a damaged cache is recomputed
        log.debug("corpus cache unreadable (%s)", e)
    sentences = get_restorer().corpus_sentences(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as tmp:
            pickle.dump(sentences, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except Exception as e:  # noqa: BLE001 - without a cache the next call recomputes, nothing more
        log.debug("corpus cache not written (%s)", e)
    return sentences


def folder_texts(folder: Path) -> list[str]:
    """The plain-text documents of a folder (what a build reads), for corpus evidence."""
    from knowledge.readers import DocumentError, read_path

    texts = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.suffix.lower() in (".txt", ".md", ".docx", ".pdf") and not path.name.startswith("."):
            try:
                texts.append(read_path(path).text)
            except (DocumentError, OSError):
                continue
    return texts
