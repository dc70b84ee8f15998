"""``crmlink gc``: remove blobs that no row names (and stale staging files).

An upload writes its blob before its row commits, and a delete commits before removing the
blob, so a crash (or a store outage) can leave blobs that no row names, never rows without
their blob. Such orphans older than a grace period (uploads in flight are younger) are removed
here; each is checked against the database just before it goes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from crmlink.storage.attachments import blob_is_referenced
from crmlink.storage.blobs import BlobStore
from crmlink.storage.engine import Database

DEFAULT_GRACE_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class SweepResult:
    checked: int
    removed: int
    staging_removed: int


def sweep_orphans(
    db: Database, blobs: BlobStore, *, older_than: float = DEFAULT_GRACE_SECONDS
) -> SweepResult:
    cutoff = time.time() - older_than
    checked = removed = 0
    for blob in list(blobs.list()):
        checked += 1
        if blob.modified > cutoff:
            continue
        org_id = int(blob.key.split("/", 1)[0])
        with db.read() as conn:
            if blob_is_referenced(conn, org_id, blob.key):
                continue
        blobs.delete(blob.key)
        removed += 1
    staging_removed = 0
    staging_dir = getattr(blobs, "staging_dir", None)
    if staging_dir is not None and staging_dir.exists():
        for entry in os.scandir(staging_dir):
            if entry.is_file() and entry.stat().st_mtime <= cutoff:
                os.unlink(entry.path)
                staging_removed += 1
    return SweepResult(checked, removed, staging_removed)
