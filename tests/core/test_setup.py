"""What a fresh machine needs: the Debian packages that `make run` and `make test` install or name,
and dependencies without known vulnerabilities."""
from __future__ import annotations

import os
import re
import subprocess  # nosec B404  # runs the project's own script
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages"


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_pypdf_has_the_fixes_of_version_6_and_setuptools_is_current() -> None:
    assert _numbers(version("pypdf")) >= (6, 1, 0)  # CVE-2025-55197 and the other 5.x fixes
    assert _numbers(version("setuptools")) >= (78, 1, 1)  # CVE-2025-47273


def _fake_machine(tmp_path: Path, *, installed: set[str], uid: int) -> dict[str, str]:
    """A PATH whose dpkg-query knows only `installed`, whose id prints `uid`, with no sudo."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    known = " ".join(sorted(installed))
    (bin_dir / "dpkg-query").write_text(
        "#!/bin/sh\nfor p in " + known + "; do [ \"$p\" = \"$3\" ] && printf 'install ok installed' && exit 0; done\nexit 1\n")
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text("#!/bin/sh\necho apt-get ran >&2\nexit 99\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    for name in ("bash", "grep", "env", "sh"):  # what the script itself runs
        target = next(Path(d) / name for d in ("/usr/bin", "/bin") if (Path(d) / name).exists())
        (bin_dir / name).symlink_to(target)
    return {**os.environ, "PATH": str(bin_dir)}


def test_a_missing_package_without_root_stops_at_once_with_the_command_to_run(tmp_path: Path) -> None:
    env = _fake_machine(tmp_path, installed={"libharfbuzz-subset0"}, uid=1000)
    done = subprocess.run(["bash", str(SCRIPT), "libharfbuzz-subset0", "chromium"], env=env,  # nosec B603
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "sudo apt-get update && sudo apt-get install -y chromium" in done.stderr
    assert "apt-get ran" not in done.stderr


def test_nothing_happens_when_every_package_is_there(tmp_path: Path) -> None:
    env = _fake_machine(tmp_path, installed={"libharfbuzz-subset0", "chromium"}, uid=1000)
    done = subprocess.run(["bash", str(SCRIPT), "libharfbuzz-subset0", "chromium"], env=env,  # nosec B603
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_as_root_the_missing_packages_are_installed(tmp_path: Path) -> None:
    env = _fake_machine(tmp_path, installed=set(), uid=0)
    done = subprocess.run(["bash", str(SCRIPT), "chromium"], env=env,  # nosec B603
                          capture_output=True, text=True, timeout=30)
    assert "Installing Debian packages: chromium" in done.stdout
    assert "apt-get ran" in done.stderr  # the fake apt-get was called (and failed, so the script stops)
    assert done.returncode != 0


def test_make_test_and_make_run_ask_for_the_packages_the_readme_lists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    packages = set(re.search(r"^RUN_PACKAGES := (.+)$", makefile, re.M).group(1).split())  # type: ignore[union-attr]
    packages |= {"chromium"}
    assert re.search(r"^test: system-packages-test ", makefile, re.M)
    assert re.search(r"^install: system-packages-run ", makefile, re.M)
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{package}`" in readme for package in packages)
