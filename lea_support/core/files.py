"""Files written whole: a reader (or a run started again) never sees half a file."""
from __future__ import annotations

import os
from pathlib import Path


def _partial_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file under a temporary name in the same folder, then rename it into place.
    If the write fails (a full disk), the temporary file is removed and any file already at
    `path` is left as it was."""
    partial = _partial_name(path)
    try:
        with open(partial, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def remove_partial_files(folder: Path, final_names: str) -> int:
    """Remove the temporary files a killed writer left behind in `folder`: those of final files
    named like the glob `final_names` (only ours, by their pattern)."""
    removed = 0
    for partial in folder.glob(f".{final_names}.*.tmp"):
        partial.unlink(missing_ok=True)
        removed += 1
    return removed
