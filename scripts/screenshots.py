"""`make screenshots`: pictures of the service for people to look at (not committed, not a test).

Builds a demo database in a temporary folder, serves it, signs in as each demo role and saves each
role's main pages at 390 and 1280 pixels wide, then the first page of every kind of PDF as PNG
(with `pdftoppm`). Each page's horizontal overflow is printed, so a table that runs off a phone's
screen shows up here before anyone trips over it.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--only ROLE]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
WIDTHS = (390, 1280)

# Each demo role and the pages it lives in ("{urn}" is the demo's first school).
ROLE_PAGES: dict[str, list[str]] = {
    "admin@demo.invalid": ["/", "/admin/users", "/admin/term-dates", "/admin/audit", "/admin/tiers", "/allocations"],
    "adviser@demo.invalid": ["/", "/caseload", "/schools", "/schools/{urn}", "/schools/{urn}/visits", "/my-actions"],
    "sia@demo.invalid": ["/", "/overview", "/plans", "/escalation-watch", "/schools/{urn}", "/governor-reports"],
    "team@demo.invalid": ["/", "/my-actions"],
    "head@demo.invalid": ["/", "/my-schools", "/schools/{urn}"],
    "governor@demo.invalid": ["/", "/governor"],
}


# Where the PDFs are linked from, one hop away at most; the first PDF of each kind is kept.
PDF_START = ["/plans", "/governor-reports", "/allocations", "/schools/{urn}/visits", "/schools/{urn}/reviews",
             "/schools/{urn}/notices", "/schools/{urn}/governor-reports"]
PDF_LINK = re.compile(r'href="(/[^"]*(?:\.pdf|/pdf))"')
PAGE_LINK = re.compile(r'href="(/(?:plans|visits|reviews|notices|governor-reports)/\d+[^"#?]*)"')


def collect_pdfs(page: Any, base: str, urn: str, out: Path) -> list[Path]:
    """The first PDF of each kind the signed-in account can reach from the start pages."""
    seen: dict[str, Path] = {}
    for start in PDF_START:
        html = page.context.request.get(base + start.replace("{urn}", urn)).text()
        hops = PAGE_LINK.findall(html)[:3]
        pages = [html] + [page.context.request.get(base + hop).text() for hop in hops]
        for text in pages:
            for link in PDF_LINK.findall(text):
                kind = re.sub(r"\d+", "N", link)
                if kind in seen:
                    continue
                response = page.context.request.get(base + link)
                if response.ok and response.body()[:4] == b"%PDF":
                    path = out / ("pdf-" + slug(re.sub(r"\d+", "", link)).strip("-").replace("--", "-") + ".pdf")
                    path.write_bytes(response.body())
                    seen[kind] = path
    return list(seen.values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lea(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(ROOT / ".venv/bin/lea-support"), *args], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def wait_for(port: int, seconds: float = 30) -> None:
    """Until the server answers its health check."""
    import http.client

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server did not answer on port {port}")


def slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--only", help="one demo account, e.g. adviser@demo.invalid")
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LEA_SUPPORT_ENV="development", DATABASE_URL=f"sqlite:///{tmp}/demo.db",
                   LEA_SUPPORT_INSTANCE=tmp)
        lea(env, "db", "upgrade")
        lea(env, "demo", "--if-empty")
        port = free_port()
        server = subprocess.Popen([str(ROOT / ".venv/bin/lea-support"), "run", "--port", str(port)], env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        overflowing: list[str] = []
        pdfs: list[Path] = []
        try:
            wait_for(port)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for email, paths in ROLE_PAGES.items():
                    if args.only and email != args.only:
                        continue
                    role = email.split("@")[0]
                    for width in WIDTHS:
                        context = browser.new_context(viewport={"width": width, "height": 900})
                        page = context.new_page()
                        page.goto(base + "/sign-in")
                        page.fill("input[name=email]", email)
                        page.fill("input[name=password]", "demo-sign-in-2026")
                        with page.expect_navigation():
                            page.click("button[type=submit]")
                        page.goto(base + "/schools" if "governor" not in email and "head" not in email else base + "/")
                        urn = page.evaluate("""() => { const a = [...document.querySelectorAll('a[href^="/schools/"]')]
                            .map(x => x.getAttribute('href').match(/^\\/schools\\/(\\d+)/)).find(Boolean);
                            return a ? a[1] : '' }""")
                        for path in paths:
                            url = path.replace("{urn}", urn or "0")
                            response = page.goto(base + url)
                            wide = page.evaluate("document.documentElement.scrollWidth")
                            name = f"{role}-{slug(url)}-{width}.png"
                            page.screenshot(path=str(out / name), full_page=True)
                            status = response.status if response else "?"
                            flag = "  OVERFLOWS" if wide > width else ""
                            if flag:
                                overflowing.append(f"{name} ({wide} px)")
                            print(f"{status} {role:9} {width:5} {url:40} {wide:5} px wide{flag}")
                        if email == "sia@demo.invalid" and width == WIDTHS[-1]:
                            pdfs = collect_pdfs(page, base, urn, Path(tmp))
                        context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
        for pdf in pdfs:
            shutil.copy(pdf, out / pdf.name)
            if shutil.which("pdftoppm"):
                subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(out / pdf.stem)], check=True)
            print(f"PDF {pdf.name}")
    print(f"Screenshots in {out}")
    if overflowing:
        print("Wider than the screen: " + ", ".join(overflowing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
