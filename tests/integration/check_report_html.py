#!/usr/bin/env python3
"""check_report_html.py [options] REPORT_HTML SCREENSHOT_PNG

Opens qqgen's report.html in headless Chromium (Debian's `chromium` package)
and checks, in the rendered page, that it is self-contained, error-free and
that its charts really rendered; writes a full-page screenshot to
SCREENSHOT_PNG for people to look at.

Chromium is driven over the DevTools protocol with --remote-debugging-pipe
(the browser reads NUL-terminated JSON commands on fd 3 and writes replies
and events on fd 4). Standard library only.

Fails (exit 1, one "FAIL:" line per problem) on:
  - a script exception (Runtime.exceptionThrown), console.error/assert
    (Runtime.consoleAPICalled), an error-level browser log entry
    (Log.entryAdded), a failed load (Network.loadingFailed), a dialog;
  - any request other than the report itself and data: URLs: every such
    request is reported, and non-file ones are blocked before they leave
    (Fetch interception; host names do not resolve either), so the check
    never touches the network; a file:// sub-resource fails too (the report
    must be one file);
  - the report.html contract (what qqgen's generator writes):
      <main id="qqgen-report" data-schema="qqgen-report-html/1"> around it all;
      <section id="verdict" data-verdict="pass|fail"> with rows
        <tr class="check" data-pass="true|false"> (a "pass" verdict with a
        failing row is inconsistent);
      <figure class="chart timeseries" id="chart-..."> with one <svg>, in it a
        <g class="series" data-name="..."> per series holding <polyline>s or
        <path>s of >= 2 points and rendered length > 0 (getTotalLength), a
        stroke, drawn inside its svg, >= 2 <text> labels, and a <figcaption>; required:
        chart-rates, chart-users, chart-latency, chart-failures (others such as
        chart-memory and chart-bandwidth are checked the same when present);
      >= 1 <figure class="chart histogram" id="dist-..."> with <rect class="bar">
        elements, at least one of non-zero rendered height;
      >= 1 <table class="summary"> with rows;
      every chart's svg rendered larger than 50x50 px; ids unique.
  - --expect-verdict pass|fail: a different data-verdict.
Exit 0 when all holds. Everything is bounded by --timeout (60 s); Chromium
(its whole process group) is killed on every way out.
"""
import argparse
import base64
import ctypes
import fcntl
import json
import os
import pathlib
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

SCHEMA = "qqgen-report-html/1"
REQUIRED_CHARTS = ["chart-rates", "chart-users", "chart-latency", "chart-failures"]
VIEWPORT = (1280, 900)
MAX_SCREENSHOT_HEIGHT = 16000
MIN_SVG_PX = 50

# Chromium switches. --no-sandbox: Chromium refuses to start as root with its
# sandbox ("Running as root without --no-sandbox is not supported"), and user
# namespaces are often unavailable in containers; the page is our own file.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--remote-debugging-pipe",
    "--disable-dev-shm-usage",          # small /dev/shm in containers
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--mute-audio",
    "--hide-scrollbars",
    "--font-render-hinting=none",
    # No name resolves: nothing the page does (WebSocket included, which the
    # Fetch interception does not see) can reach a network by name.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
]


try:
    PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    PRCTL = None


class Infra(Exception):
    """The check could not be carried out (not a finding about the report)."""


# Runs in the rendered page; returns what Python judges. Kept free of
# judgement so every problem is reported by the same code path.
INSPECT_JS = r"""
(() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return {w: r.width, h: r.height}; };
  const txt = (el) => (el && el.textContent || '').replace(/\s+/g, ' ').trim();
  const topSvgs = (fig) => [...fig.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
  const main = document.querySelector('main#qqgen-report');
  const inMain = (el) => !!main && main.contains(el);
  const out = {
    title: document.title,
    main: main ? {schema: main.getAttribute('data-schema')} : null,
    verdict: null, timeseries: [], histograms: [], tables: [], duplicateIds: [], otherCharts: [],
    doc: {w: document.documentElement.scrollWidth,
          h: Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)},
  };
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  out.duplicateIds = [...seen].filter(([, n]) => n > 1).map(([id]) => id);

  const v = document.querySelector('section#verdict');
  if (v) {
    out.verdict = {value: v.getAttribute('data-verdict'), inMain: inMain(v), size: rect(v),
      checks: [...v.querySelectorAll('tr.check')].map(tr => ({pass: tr.getAttribute('data-pass'), text: [...tr.cells].map(txt).join(' | ').slice(0, 160)}))};
  }

  for (const fig of document.querySelectorAll('figure.chart.timeseries')) {
    const svgs = topSvgs(fig), svg = svgs[0];
    const c = {id: fig.id, inMain: inMain(fig), svgCount: svgs.length, size: svg ? rect(svg) : null,
               caption: txt(fig.querySelector('figcaption')), ticks: 0, series: []};
    if (svg) {
      c.ticks = [...svg.querySelectorAll('text')].filter(t => txt(t) !== '').length;
      for (const g of svg.querySelectorAll('g.series')) {
        const s = {name: g.getAttribute('data-name'), lines: []};
        for (const el of g.querySelectorAll('polyline, path')) {
          const cs = getComputedStyle(el);
          let points;
          if (el.tagName.toLowerCase() === 'polyline') points = el.points.numberOfItems;
          else points = Math.floor(((el.getAttribute('d') || '').match(/-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/gi) || []).length / 2);
          let length = 0;
          try { length = el.getTotalLength(); } catch (e) { length = -1; }
          // How far the drawn line sticks out of its svg's box (it would be clipped).
          const r = el.getBoundingClientRect(), b = svg.getBoundingClientRect();
          const outside = Math.max(0, b.left - r.left, r.right - b.right, b.top - r.top, r.bottom - b.bottom);
          s.lines.push({tag: el.tagName.toLowerCase(), points, length, outside,
                        stroke: cs.stroke, display: cs.display, visibility: cs.visibility});
        }
        c.series.push(s);
      }
    }
    out.timeseries.push(c);
  }

  for (const fig of document.querySelectorAll('figure.chart.histogram')) {
    const svgs = topSvgs(fig), svg = svgs[0];
    const bars = [...fig.querySelectorAll('rect.bar')];
    out.histograms.push({id: fig.id, inMain: inMain(fig), svgCount: svgs.length, size: svg ? rect(svg) : null,
      caption: txt(fig.querySelector('figcaption')), bars: bars.length,
      nonzeroBars: bars.filter(b => { const r = b.getBoundingClientRect(); return r.height > 0 && r.width > 0; }).length});
  }

  out.otherCharts = [...document.querySelectorAll('figure.chart')]
    .filter(f => !f.matches('.timeseries, .histogram')).map(f => f.id || '(no id)');

  for (const t of document.querySelectorAll('table.summary')) {
    out.tables.push({inMain: inMain(t), rows: t.querySelectorAll('tr').length, size: rect(t)});
  }
  return out;
})()
"""

SETTLE_JS = """
new Promise(resolve => {
  const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
  (document.fonts ? document.fonts.ready : Promise.resolve()).then(frames, frames);
})
"""


def find_chromium(explicit):
    # The real binary rather than Debian's /usr/bin/chromium wrapper: the
    # wrapper adds its own switches (extensions, gpu rasterization) and sources
    # /etc/chromium.d, which is noisy on some machines.
    candidates = [explicit] if explicit else [os.environ.get("CHROMIUM"), "/usr/lib/chromium/chromium",
                                              shutil.which("chromium"), shutil.which("chromium-browser"),
                                              shutil.which("google-chrome")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise Infra("no Chromium found (install Debian's `chromium` package, tools/setup does; or pass --chromium PATH)")


class Browser:
    """Chromium over --remote-debugging-pipe, one page session (flattened)."""

    def __init__(self, exe, deadline, stderr_path):
        self.deadline = deadline
        self.profile = tempfile.mkdtemp(prefix="qqgen-chromium-")
        # Our ends: write commands to to_w, read events from from_r. Chromium's
        # ends must be fds 3 (reads) and 4 (writes) in the child: park them on
        # high numbers so the dup2 in the child cannot clobber one with the other.
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        child_r = fcntl_dup_high(to_r)
        child_w = fcntl_dup_high(from_w)
        os.close(to_r)
        os.close(from_w)

        parent = os.getpid()

        def wire_fds():
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)
            # Should this script be SIGKILLed (where `finally` cannot run), the
            # kernel kills the browser too; its helpers follow it.
            if PRCTL is not None:
                PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:
                os._exit(1)

        self.stderr = open(stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [exe, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=self.stderr, stderr=self.stderr,
                pass_fds=(3, 4), preexec_fn=wire_fds, start_new_session=True)
        except (OSError, subprocess.SubprocessError) as e:
            raise Infra(f"cannot start {exe}: {e}") from None
        finally:
            os.close(child_r)
            os.close(child_w)
        self.buf = b""
        self.next_id = 0
        self.session = None
        self.handlers = []

    def close(self):
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            try:  # polite first: Browser.close lets it flush the profile and exit
                self._write({"id": 999999, "method": "Browser.close"})
                proc.wait(timeout=3)
            except (OSError, Infra, subprocess.TimeoutExpired):
                pass
        if proc is not None:
            # The whole process group we created (zygote, renderer, gpu helpers).
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for fd in (getattr(self, "to_w", None), getattr(self, "from_r", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.to_w = self.from_r = None
        if getattr(self, "stderr", None):
            self.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _write(self, msg):
        data = json.dumps(msg).encode() + b"\0"
        while data:
            _, w, _ = select.select([], [self.to_w], [], max(0.0, self.deadline - time.monotonic()))
            if not w:
                raise Infra("timed out writing to Chromium")
            n = os.write(self.to_w, data)
            data = data[n:]

    def _read_message(self, until):
        while b"\0" not in self.buf:
            left = min(until, self.deadline) - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.from_r], [], [], left)
            if not r:
                return None
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                try:
                    status = self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    status = "none yet"
                raise Infra(f"Chromium closed the DevTools pipe (exit status {status})")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def _dispatch(self, msg):
        for h in self.handlers:
            h(msg["method"], msg.get("params", {}), msg.get("sessionId"))

    def send(self, method, params=None, session=True, wait=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self._write(msg)
        if not wait:
            return None
        my_id = self.next_id
        while True:
            m = self._read_message(self.deadline)
            if m is None:
                raise Infra(f"timed out waiting for Chromium's answer to {method}")
            if "method" in m:
                self._dispatch(m)
            elif m.get("id") == my_id:
                if "error" in m:
                    raise Infra(f"{method} failed: {m['error'].get('message')} {m['error'].get('data', '')}".strip())
                return m.get("result", {})

    def pump(self, until, stop=lambda: False):
        """Handles events until `until` (monotonic) or until stop() holds."""
        while not stop():
            m = self._read_message(until)
            if m is None:
                return
            if "method" in m:
                self._dispatch(m)


def fcntl_dup_high(fd):
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)


def remote_object_text(obj):
    if "value" in obj:
        return str(obj["value"])
    return obj.get("description") or obj.get("unserializableValue") or obj.get("type", "?")


class Findings:
    def __init__(self):
        self.failures = []
        self.notes = []

    def fail(self, msg):
        self.failures.append(msg)

    def note(self, msg):
        self.notes.append(msg)


def watch_page(browser, findings, report_url, state):
    requests = {}        # Network requestId -> url
    blocked = set()      # Network requestIds we blocked or reported as foreign
    reported_urls = set()

    def allowed(url):
        url = urllib.parse.unquote(url.split("#", 1)[0])
        return url.startswith("data:") or url in (urllib.parse.unquote(report_url), "about:blank")

    def on_event(method, p, session):
        if session != browser.session:
            return
        if method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exc = d.get("exception", {})
            where = f"{d.get('url', '')}:{d.get('lineNumber', 0) + 1}:{d.get('columnNumber', 0) + 1}"
            what = (exc.get("description") or remote_object_text(exc) if exc else d.get("text", "?")).split("\n")[0]
            findings.fail(f"script error: {what} (at {where})")
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(remote_object_text(a) for a in p.get("args", []))
            if p.get("type") in ("error", "assert"):
                findings.fail(f"console.{p.get('type')}: {text}")
            elif p.get("type") == "warning":
                findings.note(f"console.warn: {text}")
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            if e.get("level") == "error" and e.get("url") in reported_urls and "BLOCKED_BY_CLIENT" in e.get("text", ""):
                pass  # our own blocking of a request already reported
            elif e.get("level") == "error":
                findings.fail(f"browser log error ({e.get('source')}): {e.get('text')} {e.get('url', '')}".strip())
            elif e.get("level") == "warning":
                findings.note(f"browser log warning ({e.get('source')}): {e.get('text')}")
        elif method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            requests[p.get("requestId")] = url
            state["requests"] += 1
            if not allowed(url) and url not in reported_urls:
                blocked.add(p.get("requestId"))
                reported_urls.add(url)
                kind = "file:// sub-resource (the report must be a single file)" if url.startswith("file:") \
                    else "request outside the report (blocked)"
                findings.fail(f"{kind}: {url[:200]}")
        elif method == "Network.loadingFailed":
            rid = p.get("requestId")
            if rid not in blocked and requests.get(rid) not in reported_urls:
                findings.fail(f"failed to load {requests.get(rid, '?')[:200]}: {p.get('errorText')}"
                              f"{' (' + p['blockedReason'] + ')' if p.get('blockedReason') else ''}")
        elif method == "Network.webSocketCreated":
            findings.fail(f"request outside the report: WebSocket {p.get('url')}")
        elif method == "Fetch.requestPaused":
            url = p.get("request", {}).get("url", "")
            if allowed(url) or url.startswith("file:"):   # file:// sub-resources are reported above
                browser.send("Fetch.continueRequest", {"requestId": p["requestId"]}, wait=False)
            else:
                if p.get("networkId"):
                    blocked.add(p["networkId"])
                if url not in reported_urls:
                    reported_urls.add(url)
                    findings.fail(f"request outside the report (blocked): {url[:200]}")
                browser.send("Fetch.failRequest", {"requestId": p["requestId"], "errorReason": "BlockedByClient"},
                             wait=False)
        elif method == "Page.javascriptDialogOpening":
            findings.fail(f"the page opened a dialog ({p.get('type')}): {p.get('message', '')[:200]}")
            browser.send("Page.handleJavaScriptDialog", {"accept": False}, wait=False)
        elif method == "Page.loadEventFired":
            state["loaded"] = True
        elif method == "Inspector.targetCrashed":
            findings.fail("the page's renderer crashed")
            state["crashed"] = True

    browser.handlers.append(on_event)


def judge(info, findings, expect_verdict):
    lines = []
    if not info.get("main"):
        findings.fail('no <main id="qqgen-report">')
    elif info["main"].get("schema") != SCHEMA:
        findings.fail(f'<main id="qqgen-report"> has data-schema={info["main"].get("schema")!r}, want {SCHEMA!r}')
    for d in info.get("duplicateIds", []):
        findings.fail(f"duplicate id {d!r}")

    v = info.get("verdict")
    if not v:
        findings.fail('no <section id="verdict">')
    else:
        checks = v["checks"]
        failing = [c for c in checks if c["pass"] == "false"]
        bad_attr = [c for c in checks if c["pass"] not in ("true", "false")]
        lines.append(f"  verdict: {v['value']} ({len(checks)} checks, {len(failing)} failing)")
        for c in failing:
            lines.append(f"    failing check: {c['text']}")
        if v["value"] not in ("pass", "fail"):
            findings.fail(f"verdict: data-verdict={v['value']!r}, want pass or fail")
        if not v["inMain"]:
            findings.fail("verdict section is outside <main id=\"qqgen-report\">")
        if not checks:
            findings.fail('verdict: no <tr class="check"> rows')
        for c in bad_attr:
            findings.fail(f"verdict: check row with data-pass={c['pass']!r}: {c['text']}")
        if v["value"] == "pass" and failing:
            findings.fail(f"verdict: data-verdict=\"pass\" but {len(failing)} check row(s) have data-pass=\"false\"")
        if v["value"] == "fail" and checks and not failing:
            findings.note('verdict: data-verdict="fail" but every check row passes')
        if expect_verdict and v["value"] != expect_verdict:
            findings.fail(f"verdict: {v['value']!r}, expected {expect_verdict!r}")

    charts = {c["id"]: c for c in info.get("timeseries", [])}
    for req in REQUIRED_CHARTS:
        if req not in charts:
            findings.fail(f'required chart missing: <figure class="chart timeseries" id="{req}">')
    for c in info.get("timeseries", []):
        cid = c["id"] or "(no id)"
        if not c["id"].startswith("chart-"):
            findings.fail(f"time chart {cid}: id must start with chart-")
        if not c["inMain"]:
            findings.fail(f"time chart {cid}: outside <main id=\"qqgen-report\">")
        if c["svgCount"] != 1:
            findings.fail(f"time chart {cid}: {c['svgCount']} <svg> elements, want exactly 1")
        if c["size"] is None:
            lines.append(f"  {cid:<18} timeseries  no svg")
            continue
        w, h = c["size"]["w"], c["size"]["h"]
        if w <= MIN_SVG_PX or h <= MIN_SVG_PX:
            findings.fail(f"time chart {cid}: svg rendered {w:.0f}x{h:.0f} px, want both > {MIN_SVG_PX}")
        if not c["series"]:
            findings.fail(f'time chart {cid}: no <g class="series">')
        if c["ticks"] < 2:
            findings.fail(f"time chart {cid}: {c['ticks']} non-empty <text> tick labels, want >= 2")
        if not c["caption"]:
            findings.fail(f"time chart {cid}: no (or empty) <figcaption>")
        names = [s["name"] for s in c["series"]]
        for n in sorted({n for n in names if names.count(n) > 1 and n}):
            findings.fail(f"time chart {cid}: series name {n!r} used twice")
        desc = []
        for s in c["series"]:
            sname = s["name"]
            if not sname:
                findings.fail(f"time chart {cid}: a series without data-name")
            if not s["lines"]:
                findings.fail(f"time chart {cid}: series {sname!r} has no <polyline> or <path>")
            for ln in s["lines"]:
                if ln["points"] < 2:
                    findings.fail(f"time chart {cid}: series {sname!r}: <{ln['tag']}> with {ln['points']} point(s), want >= 2")
                if not ln["length"] > 0:
                    findings.fail(f"time chart {cid}: series {sname!r}: <{ln['tag']}> has rendered length {ln['length']:.1f}")
                if ln["outside"] > 2:
                    findings.fail(f"time chart {cid}: series {sname!r}: <{ln['tag']}> reaches {ln['outside']:.0f} px "
                                  f"outside its svg (clipped)")
                if ln["stroke"] in ("none", "") or ln["display"] == "none" or ln["visibility"] == "hidden":
                    findings.fail(f"time chart {cid}: series {sname!r}: <{ln['tag']}> is invisible "
                                  f"(stroke {ln['stroke']}, display {ln['display']}, visibility {ln['visibility']})")
            pts = sum(ln["points"] for ln in s["lines"])
            length = sum(max(ln["length"], 0) for ln in s["lines"])
            desc.append(f"{sname} ({pts} pts, {length:.0f} px)")
        lines.append(f"  {cid:<18} timeseries  {w:.0f}x{h:.0f} px  {len(c['series'])} series, {c['ticks']} labels: "
                     + ", ".join(desc))

    hists = info.get("histograms", [])
    if not hists:
        findings.fail('no histogram: want >= 1 <figure class="chart histogram" id="dist-...">')
    for hg in hists:
        hid = hg["id"] or "(no id)"
        if not hg["id"].startswith("dist-"):
            findings.fail(f"histogram {hid}: id must start with dist-")
        if not hg["inMain"]:
            findings.fail(f"histogram {hid}: outside <main id=\"qqgen-report\">")
        if hg["svgCount"] != 1:
            findings.fail(f"histogram {hid}: {hg['svgCount']} <svg> elements, want exactly 1")
        size = "no svg"
        if hg["size"]:
            w, h = hg["size"]["w"], hg["size"]["h"]
            size = f"{w:.0f}x{h:.0f} px"
            if w <= MIN_SVG_PX or h <= MIN_SVG_PX:
                findings.fail(f"histogram {hid}: svg rendered {w:.0f}x{h:.0f} px, want both > {MIN_SVG_PX}")
        if hg["bars"] == 0:
            findings.fail(f'histogram {hid}: no <rect class="bar">')
        elif hg["nonzeroBars"] == 0:
            findings.fail(f"histogram {hid}: all {hg['bars']} bars have zero rendered size")
        lines.append(f"  {hid:<18} histogram   {size}  {hg['bars']} bars ({hg['nonzeroBars']} non-zero)")

    for other in info.get("otherCharts", []):
        findings.note(f"figure.chart {other} is neither timeseries nor histogram: not checked")

    tables = info.get("tables", [])
    if not tables:
        findings.fail('no <table class="summary">')
    for i, t in enumerate(tables):
        if t["rows"] == 0 or t["size"]["h"] <= 0:
            findings.fail(f"summary table #{i + 1}: empty ({t['rows']} rows, {t['size']['h']:.0f} px high)")
        if not t["inMain"]:
            findings.fail(f"summary table #{i + 1}: outside <main id=\"qqgen-report\">")
    lines.append(f"  summary tables: {len(tables)} ({', '.join(str(t['rows']) + ' rows' for t in tables)})")
    return lines


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def run(args, findings):
    start = time.monotonic()
    deadline = start + args.timeout
    report = os.path.abspath(args.report)
    if not os.path.isfile(report):
        raise Infra(f"{args.report}: no such file")
    report_url = pathlib.Path(report).as_uri()
    exe = find_chromium(args.chromium)
    state = {"loaded": False, "crashed": False, "requests": 0}

    stderr_file = tempfile.NamedTemporaryFile(prefix="qqgen-chromium-", suffix=".log", delete=False)
    stderr_file.close()
    browser = None
    try:
        browser = Browser(exe, deadline, stderr_file.name)
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)
        browser.session = browser.send("Target.attachToTarget",
                                       {"targetId": target["targetId"], "flatten": True},
                                       session=False)["sessionId"]
        watch_page(browser, findings, report_url, state)
        for domain in ("Runtime", "Log", "Network", "Page", "Inspector"):
            browser.send(f"{domain}.enable")
        # Everything that is not a file: or data: URL is stopped before it leaves.
        browser.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False})
        nav = browser.send("Page.navigate", {"url": report_url})
        if nav.get("errorText"):
            raise Infra(f"navigating to {report_url}: {nav['errorText']}")
        browser.pump(deadline, stop=lambda: state["loaded"] or state["crashed"])
        if state["crashed"]:
            raise Infra("the renderer crashed while loading the report")
        if not state["loaded"]:
            raise Infra(f"the page did not finish loading within {args.timeout:.0f} s")
        browser.send("Runtime.evaluate", {"expression": SETTLE_JS, "awaitPromise": True})
        res = browser.send("Runtime.evaluate", {"expression": INSPECT_JS, "returnByValue": True})
        if "exceptionDetails" in res:
            raise Infra(f"inspecting the page failed: {res['exceptionDetails'].get('exception', {}).get('description')}")
        info = res["result"]["value"]

        # Full-page screenshot: make the viewport as tall as the document.
        height = min(max(int(info["doc"]["h"]), VIEWPORT[1]), MAX_SCREENSHOT_HEIGHT)
        if info["doc"]["h"] > MAX_SCREENSHOT_HEIGHT:
            findings.note(f"screenshot cut at {MAX_SCREENSHOT_HEIGHT} px (the page is {info['doc']['h']} px high)")
        width = max(int(info["doc"]["w"]), VIEWPORT[0])
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Runtime.evaluate", {"expression": SETTLE_JS, "awaitPromise": True})
        shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        with open(args.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        # Late errors (timers, deferred work) still count.
        browser.pump(min(deadline, time.monotonic() + 0.3))
    except Infra as e:
        # Chromium's own words help when it is Chromium that failed (its
        # D-Bus complaints on machines without a session bus are noise).
        with open(stderr_file.name, errors="replace") as f:
            tail = [ln for ln in f.read().splitlines() if "dbus" not in ln.lower() and ln.strip()][-12:]
        if tail:
            raise Infra(f"{e}\n  Chromium ({exe}) stderr, last lines:\n    " + "\n    ".join(tail)) from None
        raise
    finally:
        if browser is not None:
            browser.close()
        os.unlink(stderr_file.name)

    lines = judge(info, findings, args.expect_verdict)
    print(f"check_report_html: {args.report} ({os.path.getsize(report)} bytes, schema "
          f"{(info.get('main') or {}).get('schema')}), page {info['doc']['w']}x{info['doc']['h']} px, "
          f"{state['requests']} request(s)")
    print("\n".join(lines))
    dims = png_size(args.screenshot)
    if dims is None:
        findings.fail(f"screenshot {args.screenshot} is not a PNG")
    else:
        print(f"  screenshot: {args.screenshot} ({dims[0]}x{dims[1]} px, {os.path.getsize(args.screenshot)} bytes)")
    for n in findings.notes:
        print(f"  note: {n}")
    for msg in findings.failures:
        print(f"FAIL: {msg}")
    elapsed = time.monotonic() - start
    if findings.failures:
        print(f"check_report_html: FAIL ({len(findings.failures)} problem(s), {elapsed:.1f} s)")
        return 1
    print(f"check_report_html: PASS ({elapsed:.1f} s)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[1].strip(),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", metavar="REPORT_HTML")
    ap.add_argument("screenshot", metavar="SCREENSHOT_PNG")
    ap.add_argument("--expect-verdict", choices=["pass", "fail"], help="also require this data-verdict")
    ap.add_argument("--chromium", help="Chromium binary (default: $CHROMIUM, /usr/lib/chromium/chromium, chromium on PATH)")
    ap.add_argument("--timeout", type=float, default=60.0, help="overall limit in seconds (default 60)")
    args = ap.parse_args()

    def on_signal(signum, _frame):
        raise SystemExit(f"check_report_html: FAIL: interrupted by signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    findings = Findings()
    try:
        return run(args, findings)
    except Infra as e:
        for msg in findings.failures:  # what the page did before the check broke off
            print(f"FAIL: {msg}")
        print(f"FAIL: {e}")
        print("check_report_html: FAIL (the check could not run)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
