"""The report files a bulk run writes to its output folder: their names, each written whole (by
rename, `core.files`), and the temporary files of a killed run cleared when the next one starts."""
from __future__ import annotations

from pathlib import Path

from ...core.errors import DomainError
from ...core.files import remove_partial_files, write_atomically


def report_file_name(urn: int, term: str) -> str:
    return f"governor-report-{urn}-{term}.pdf"


def remove_partial_reports(out_dir: Path) -> int:
    """Remove temporary report files a killed run left behind."""
    return remove_partial_files(out_dir, "governor-report-*.pdf")


def write_report_file(final: Path, data: bytes) -> None:
    """Write one report's PDF whole; a failure (a full disk) is the school's, with the reason."""
    try:
        write_atomically(final, data)
    except OSError as err:  # a full disk, say: the draft is saved, the file can be written by running again
        raise DomainError(f"the draft is saved but its PDF could not be written to {final.parent}: "
                          f"{err.strerror or err}. Run again to write it") from err
