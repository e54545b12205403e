"""Crawl benchmark: our full audit vs unthrottled LinkChecker on the same nginx-served site.

Generates a bilingual site (default 2,000 English posts + 300 Spanish translations ≈ 2,300 pages, ~17 links
each ≈ 40k links, one og:image per post), serves it with Debian's nginx on 127.0.0.1 (our own process, temp
prefix, free port; nginx sends the `LinkChecker` header that lifts LinkChecker's per-host throttle), then runs
`run_stage` with every check on and LinkChecker (maxrequestspersecond raised) against it. Prints medians.

    .venv/bin/python bench/bench_crawl.py [--posts 2000] [--translations 300] [--runs 3] [--big 10000] [--big-parser bs4 lxml]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import line
from pipeline.config import load_config
from pipeline.crawl.stage import run_stage
from pipeline.stages import Context
from tests.crawl_support.sitegen import (
    image_bytes,
    load_expected,
    page_html,
    sitemap_xml,
    write_config,
    write_post,
)

LINKS_PER_PAGE = 17


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def generate(root: Path, base: str, posts: int, translations: int) -> tuple[Path, int]:
    """Markdown + config under root, the built HTML under root/www; returns (config, page count)."""
    content = root / "content"
    slugs = [f"post-{i:05d}" for i in range(posts)]
    for slug in slugs:
        meta = {
            "title": f"Notes on {slug}",
            "description": f"What we learned about {slug}, in enough words for a description.",
            "permalink": f"/articles/{slug}/",
            "image": f"/images/{slug}.jpg",
            "translationKey": slug,
        }
        write_post(content, f"posts/{slug}.md", meta, f"Body of {slug}.\n")
    for slug in slugs[:translations]:
        meta = {
            "title": f"Notas sobre {slug}",
            "description": f"Lo que aprendimos sobre {slug}, con palabras suficientes.",
            "permalink": f"/es/articles/{slug}/",
            "image": f"/images/{slug}.jpg",
            "translationKey": slug,
            "translation": {"status": "approved"},
        }
        write_post(content, f"es/posts/{slug}.md", meta, f"Cuerpo de {slug}.\n")
    config = write_config(
        root,
        base,
        {"en": "ltr", "es": "ltr"},
        {"max_pages": 100_000, "concurrency": 16},
        database_url=f"sqlite:///{root / 'state.db'}",
    )
    _, expected = load_expected(config)
    www = root / "www"
    rng = random.Random(7)
    jpeg = image_bytes(1200, 630)
    (www / "images").mkdir(parents=True)
    paths = [p.url.removeprefix(base) for p in expected.pages]
    for page in expected.pages:
        path = page.url.removeprefix(base)
        links = [
            (target, f"Read {target.strip('/').rsplit('/', 1)[-1]}")
            for target in rng.sample(paths, LINKS_PER_PAGE)
        ]
        out = www / path.strip("/") / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(page_html(page, links))
        if page.og_image and page.lang == "en":
            (www / page.og_image.removeprefix(base).lstrip("/")).write_bytes(jpeg)
    index = "".join(f'<a href="{p}">{p}</a>\n' for p in paths)
    (www / "index.html").write_text(
        f"<html lang='en'><head><title>Home</title></head><body>{index}</body></html>"
    )
    (www / "sitemap.xml").write_bytes(sitemap_xml(p.url for p in expected.pages))
    (www / "robots.txt").write_text(f"User-agent: *\nDisallow:\nSitemap: {base}/sitemap.xml\n")
    return config, len(expected.pages)


def start_nginx(nginx: str, root: Path, www: Path, port: int) -> subprocess.Popen[bytes]:
    prefix = root / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    temp = {name: prefix / name for name in ("client", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf.write_text(
        f"""
worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/html html; image/jpeg jpg; application/xml xml; text/plain txt; }}
  default_type application/octet-stream;
  client_body_temp_path {temp["client"]}; proxy_temp_path {temp["proxy"]};
  fastcgi_temp_path {temp["fastcgi"]}; uwsgi_temp_path {temp["uwsgi"]}; scgi_temp_path {temp["scgi"]};
  keepalive_requests 100000;
  server {{
    listen 127.0.0.1:{port};
    root {www};
    index index.html;
    add_header LinkChecker "unthrottle" always;
  }}
}}
"""
    )
    proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")])
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"# nginx did not start; see {prefix / 'error.log'}")


def run_ours(config_path: Path, base: str, parser: str = "bs4") -> tuple[float, int, int]:
    config = load_config(config_path, overrides={"crawl": {"parser": parser}}, environ={})
    start = time.perf_counter()
    result = run_stage(Context(config), base_url=base)
    seconds = time.perf_counter() - start
    if result.status != "done":
        raise SystemExit(f"# our crawl failed: {result.reason}")
    return seconds, result.counts["pages"], len(result.findings)


def run_linkchecker(root: Path, base: str) -> tuple[float, int]:
    exe = Path(sys.executable).parent / "linkchecker"
    rc = root / "linkcheckerrc"
    rc.write_text("[checking]\nmaxrequestspersecond=100000\nthreads=10\n[filtering]\ncheckextern=0\n")
    os.chmod(root, 0o755)
    start = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "--config", str(rc), "--no-status", "-r", "-1", base + "/"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    match = re.search(r"(\d+) links? in (\d+) URLs? checked", proc.stdout)
    if not match:
        raise SystemExit(f"# linkchecker gave no summary: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    return seconds, int(match.group(2))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--translations", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--big", type=int, default=10_000, help="also time ours alone on a site of this many pages"
    )
    ap.add_argument("--big-parser", nargs="+", default=["bs4", "lxml"], choices=("bs4", "lxml"))
    args = ap.parse_args()
    nginx = find_nginx()
    if nginx is None:
        print("# skipped: nginx not found (apt-get install nginx-light)")
        return 0
    if not (Path(sys.executable).parent / "linkchecker").exists():
        print("# skipped: linkchecker not installed in the venv (pip install linkchecker)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o755)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        config, pages = generate(root / "site", base, args.posts, args.translations)
        for d in (root, root / "site"):
            os.chmod(d, 0o755)
        proc = start_nginx(nginx, root, root / "site" / "www", port)
        try:
            ours = {p: [run_ours(config, base, p) for _ in range(args.runs)] for p in ("bs4", "lxml")}
            theirs = [run_linkchecker(root, base) for _ in range(args.runs)]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        theirs_s = statistics.median(r[0] for r in theirs)
        first = ours["bs4"][0]
        print(
            f"# site: {pages} pages, ~{pages * LINKS_PER_PAGE} links; ours crawled {first[1]} pages + og:images "
            f"({first[2]} findings), LinkChecker checked {theirs[0][1]} URLs; {args.runs} run(s) each, medians"
        )
        line("crawl_linkchecker_wall", theirs_s, "s")
        line("crawl_linkchecker_pages_per_s", pages / theirs_s, "pages/s")
        for parser, runs in ours.items():
            ours_s = statistics.median(r[0] for r in runs)
            line(f"crawl_ours_{parser}_wall", ours_s, "s", theirs_s / ours_s)
            line(f"crawl_ours_{parser}_pages_per_s", pages / ours_s, "pages/s", theirs_s / ours_s)
        if args.big:
            big_root = root / "big"
            big_port = free_port()
            big_base = f"http://127.0.0.1:{big_port}"
            big_config, big_pages = generate(big_root, big_base, args.big, 0)
            for d in (big_root,):
                os.chmod(d, 0o755)
            big_proc = start_nginx(nginx, big_root, big_root / "www", big_port)
            try:
                big = {p: run_ours(big_config, big_base, p) for p in args.big_parser}
            finally:
                big_proc.terminate()
                big_proc.wait(timeout=10)
            for parser, (big_s, crawled, _) in big.items():
                print(f"# big site: {big_pages} pages, crawled {crawled} with {parser} (goal: under 60 s)")
                line(f"crawl_ours_{parser}_{big_pages}_pages_wall", big_s, "s")
                line(f"crawl_ours_{parser}_{big_pages}_pages_per_s", big_pages / big_s, "pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
