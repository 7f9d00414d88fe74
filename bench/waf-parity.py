#!/usr/bin/env python3
"""Verdict parity between nginx + ModSecurity v3 and the Gatehouse gateway, both running the same
Core Rule Set. Driven by bench/waf.sh, which starts both servers; this program only sends requests
and reads their logs.

Two runs:
  regression  every stage of the CRS regression tests (go-ftw format), sent byte for byte as go-ftw
              sends it to a server at paranoia level 4 in detect mode, judged as go-ftw judges it:
              every expect_ids rule fired and no no_expect_ids rule did. ModSecurity's fired rules
              come from its error log, Gatehouse's from the `waf` field of its access log.
  benign      libinjection's false-positive lines as a query parameter and as a JSON body, and the
              JSON order bodies of bench/, at paranoia level 1 in block mode; blocked means 403.

Each request is followed by a marker request that carries a unique token, as go-ftw does, so the
log lines between two markers belong to the request between them.

Usage: waf-parity.py regression MODSEC_PORT MODSEC_LOG GATEHOUSE_PORT GATEHOUSE_LOG SUITE_DIR OUT_PREFIX
       waf-parity.py benign MODSEC_PORT MODSEC_LOG GATEHOUSE_PORT GATEHOUSE_LOG FP_FILE OUT_PREFIX
"""
import glob
import json
import os
import re
import socket
import sys
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import yaml

REPEAT = re.compile(r'\{\{\s*"((?:[^"\\]|\\.)*)"\s*\|\s*repeat\s+(\d+)\s*\}\}')
MS_ID = re.compile(r'\[id "(\d+)"\]')
MS_UID = re.compile(r'\[unique_id "([^"]+)"\]')
MARKER_RULE = 9999990


def stage_bytes(inp):
    """The bytes go-ftw sends for a stage input."""
    if "encoded_request" in inp:
        import base64
        return base64.b64decode(inp["encoded_request"].strip())
    method = str(inp.get("method", "GET"))
    uri = str(inp.get("uri", "/"))
    version = str(inp.get("version", "HTTP/1.1"))
    headers = [(str(k), str(v)) for k, v in (inp.get("headers") or {}).items()]
    body = b""
    if "data" in inp and inp["data"] is not None:
        data = REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), str(inp["data"]))
        body = data.encode("utf-8")
    if inp.get("autocomplete_headers", True):
        if body and not any(k.lower() == "content-length" for k, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        headers.append(("Connection", "close"))
    head = f"{method} {uri} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("utf-8") + body


def exchange(port, data, timeout=3.0):
    """Sends raw bytes and reads one response; returns its status code, or None when none came."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf = b""
    try:
        s.sendall(data)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                head = buf[:end].decode("latin-1").lower()
                m = re.search(r"\r\ncontent-length:\s*(\d+)", head)
                if m and len(buf) - end - 4 >= int(m.group(1)):
                    break
                if "transfer-encoding: chunked" in head and buf.endswith(b"0\r\n\r\n"):
                    break
    except OSError:
        pass
    finally:
        s.close()
    m = re.match(rb"HTTP/\d(?:\.\d)? (\d{3})", buf)
    rid = re.search(rb"\r\nx-request-id:[ \t]*([^\r\n]+)", buf.split(b"\r\n\r\n", 1)[0], re.I)
    return (int(m.group(1)) if m else None), (rid.group(1).decode("latin-1").strip() if rid else None)


def marker_bytes(token):
    return (f"GET /__parity/{token} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: parity-marker\r\n"
            f"Accept: */*\r\nX-Parity-Marker: {token}\r\nConnection: close\r\n\r\n").encode()


class Tail:
    """Reads a log file from where it was last read."""

    def __init__(self, path):
        self.path = path
        self.offset = os.path.getsize(path) if os.path.exists(path) else 0
        self.pending = ""

    def lines(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        text = self.pending + data.decode("utf-8", "replace")
        parts = text.split("\n")
        self.pending = parts.pop()
        return parts


class ModSecurity:
    def __init__(self, port, log):
        self.port, self.tail = port, Tail(log)

    def send(self, data):
        status, _ = exchange(self.port, data)
        token = uuid.uuid4().hex
        exchange(self.port, marker_bytes(token))
        seen = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for line in self.tail.lines():
                if f"parity-marker {token}" in line:
                    uid = MS_UID.search(line)
                    mine = uid.group(1) if uid else None
                    ids = {int(i) for u, i in seen if u != mine}
                    ids.discard(MARKER_RULE)
                    return status, ids
                m, u = MS_ID.search(line), MS_UID.search(line)
                if m:
                    seen.append((u.group(1) if u else None, m.group(1)))
            time.sleep(0.002)
        raise SystemExit(f"ModSecurity marker {token} never reached {self.tail.path}")


class Gatehouse:
    """Gatehouse answers with X-Request-Id and logs it as requestId: the record of a request is found
    by its id (events of concurrent connections may reach the access log in any order). A request
    that got no answer is followed by a marker, and the records before the marker's are its own."""

    def __init__(self, port, log):
        self.port, self.tail = port, Tail(log)
        self.early = {}

    def send(self, data):
        status, rid = exchange(self.port, data)
        token = None
        if rid is None:
            token = uuid.uuid4().hex
            exchange(self.port, marker_bytes(token))
        records = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if rid is not None and rid in self.early:
                rec = self.early.pop(rid)
                return status, set((rec.get("waf") or {}).get("rules", []))
            for line in self.tail.lines():
                if not line.startswith("{"):
                    continue
                rec = json.loads(line)
                if token is not None and rec.get("path") == f"/__parity/{token}":
                    ids = set()
                    for r in records:
                        ids.update((r.get("waf") or {}).get("rules", []))
                    return status, ids
                if rec.get("requestId"):
                    self.early[rec["requestId"]] = rec
                records.append(rec)
            time.sleep(0.002)
        raise SystemExit(f"Gatehouse record of request {rid or token} never reached {self.tail.path}")


POOL = ThreadPoolExecutor(2)


def both(ms, gh, data):
    """Sends the same request to both servers at once (each keeps its own order); their answers."""
    a, b = POOL.submit(ms.send, data), POOL.submit(gh.send, data)
    return a.result(), b.result()


def regression(ms, gh, suite, out):
    per_file = {}
    disagreements = []
    both_fail = []
    judged = unjudged = 0
    for path in sorted(glob.glob(os.path.join(suite, "*", "*.yaml"))):
        rule_file = os.path.basename(os.path.dirname(path))
        row = per_file.setdefault(rule_file, [0, 0, 0])
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for test in (doc or {}).get("tests") or []:
            for n, stage in enumerate(test.get("stages", []), 1):
                log = (stage.get("output") or {}).get("log") or {}
                if "expect_ids" not in log and "no_expect_ids" not in log:
                    unjudged += 1
                    continue
                data = stage_bytes(stage["input"])
                verdicts = []
                for status, fired in both(ms, gh, data):
                    ok = all(i in fired for i in log.get("expect_ids", [])) and \
                        not any(i in fired for i in log.get("no_expect_ids", []))
                    verdicts.append((ok, status, fired))
                judged += 1
                row[0] += 1
                row[1] += verdicts[0][0]
                row[2] += verdicts[1][0]
                if not verdicts[0][0] and not verdicts[1][0]:
                    both_fail.append(f"{rule_file}/{os.path.basename(path)} test {test.get('test_id')} stage {n}: "
                                     f"expect {log.get('expect_ids', [])} no_expect {log.get('no_expect_ids', [])}; "
                                     f"ModSecurity status {verdicts[0][1]}, Gatehouse status {verdicts[1][1]}")
                if verdicts[0][0] != verdicts[1][0]:
                    named = set(log.get("expect_ids", [])) | set(log.get("no_expect_ids", []))
                    disagreements.append(
                        f"{rule_file}/{os.path.basename(path)} test {test.get('test_id')} stage {n}: "
                        f"expect {log.get('expect_ids', [])} no_expect {log.get('no_expect_ids', [])}; "
                        f"ModSecurity {'pass' if verdicts[0][0] else 'FAIL'} (status {verdicts[0][1]}, "
                        f"named ids fired {sorted(named & verdicts[0][2])}); "
                        f"Gatehouse {'pass' if verdicts[1][0] else 'FAIL'} (status {verdicts[1][1]}, "
                        f"named ids fired {sorted(named & verdicts[1][2])})")
    lines = ["CRS regression suite, paranoia level 4, detect mode, judged as go-ftw judges",
             "| rule file | stages | ModSecurity v3 passed | Gatehouse passed |", "|---|---|---|---|"]
    tot = [0, 0, 0]
    for name, (n, a, b) in sorted(per_file.items()):
        tot = [tot[0] + n, tot[1] + a, tot[2] + b]
        lines.append(f"| {name} | {n} | {a} ({100.0 * a / n:.1f} %) | {b} ({100.0 * b / n:.1f} %) |")
    lines.append(f"| all | {tot[0]} | {tot[1]} ({100.0 * tot[1] / tot[0]:.2f} %) | {tot[2]} ({100.0 * tot[2] / tot[0]:.2f} %) |")
    lines.append(f"{unjudged} stages without expect_ids/no_expect_ids not judged; {len(disagreements)} disagreements"
                 f" (list in {out}-disagreements.txt)")
    lines.append(f"{len(both_fail)} stages fail on both: " + "; ".join(both_fail))
    with open(out + "-disagreements.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(disagreements) + "\n")
    with open(out + ".txt", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    for d in disagreements:
        print("  " + d)


BENCH_BODIES = {
    # bench/injection.sh and bench/micro/InjectionCost.java
    "order 1 KB (bench/injection.sh)": '{"id":"6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f","customer":{"name":"Jane Doe","email":"jane.doe@example.com","phone":"+1 415 555 0100","address":{"street":"1 Market Street","city":"San Francisco","zip":"94105","country":"US"}},"items":[{"sku":"SKU-12345","title":"Blue cotton t-shirt, size M","quantity":2,"price":19.99},{"sku":"SKU-67890","title":"Running shoes (men\'s), size 43","quantity":1,"price":89.5},{"sku":"SKU-11111","title":"Gift card","quantity":1,"price":25}],"notes":"Please leave the parcel at the door if nobody answers. Thanks!","coupon":"SPRING-2024","createdAt":"2024-03-01T12:34:56Z","channel":"web","tags":["priority","gift","returning-customer"],"payment":{"method":"card","last4":"4242","currency":"USD"},"shipping":{"method":"express","carrier":"UPS","instructions":"Ring twice; call 555-0100 when outside."},"marketing":{"optIn":true,"source":"newsletter","campaign":"spring_sale_2024","medium":"email","segment":"loyal"},"referrer":"https://www.example.com/products/shoes?utm_source=newsletter"}',
    # bench/s1.sh (the note pads the body to 200 bytes)
    "order 200 B (bench/s1.sh)": None,
    # bench/micro/SchemaValidationCost.java
    "order (bench/micro/SchemaValidationCost.java)": '{"customer":"ann","items":[{"sku":"ABC-1","price":9.5,"qty":2},{"sku":"XYZ-22","price":19.99,"qty":1},{"sku":"QQQ-3","price":0,"qty":10}]}',
}


def s1_body():
    body = {"orderId": "ord-000123", "customer": "c-42", "currency": "EUR",
            "items": [{"sku": "sku-1", "qty": 2, "price": 19.99}, {"sku": "sku-2", "qty": 1, "price": 5.5}]}
    text = json.dumps(body, separators=(",", ":"))
    body["note"] = "x" * (200 - len(text) - len(',"note":""'))
    return json.dumps(body, separators=(",", ":"))


def query_bytes(value):
    q = urllib.parse.quote_plus(value, safe="*")
    return (f"GET /pl1/api/search?q={q} HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: orders-client/1.0\r\n"
            f"Accept: application/json\r\nConnection: close\r\n\r\n").encode()


def json_bytes(body):
    b = body.encode("utf-8")
    return (f"POST /pl1/api/orders HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: orders-client/1.0\r\n"
            f"Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: {len(b)}\r\n"
            f"Connection: close\r\n\r\n").encode() + b


def benign(ms, gh, fp_file, out):
    with open(fp_file, encoding="utf-8") as f:
        values = [l.rstrip("\n") for l in f if l.strip()]
    cases = []
    for v in values:
        cases.append(("query", v, query_bytes(v)))
    for v in values:
        cases.append(("json", v, json_bytes(json.dumps({"q": v}, ensure_ascii=False))))
    BENCH_BODIES["order 200 B (bench/s1.sh)"] = s1_body()
    for name, body in BENCH_BODIES.items():
        cases.append(("order", name, json_bytes(body)))
    counts = {}
    rows = []
    for form, value, data in cases:
        (ms_status, ms_ids), (gh_status, gh_ids) = both(ms, gh, data)
        c = counts.setdefault(form, [0, 0, 0])
        c[0] += 1
        c[1] += ms_status == 403
        c[2] += gh_status == 403
        if ms_status == 403 or gh_status == 403:
            who = "both" if ms_status == gh_status == 403 else ("ModSecurity only" if ms_status == 403 else "Gatehouse only")
            rows.append(f"{who:16} {form:5} {value!r}: ModSecurity {ms_status} {sorted(ms_ids)}; "
                        f"Gatehouse {gh_status} {sorted(gh_ids)}")
    lines = ["Benign traffic, paranoia level 1, block mode (blocked = 403)",
             "| input | values | blocked by ModSecurity v3 | blocked by Gatehouse |", "|---|---|---|---|"]
    names = {"query": "libinjection false positives as query parameter",
             "json": "libinjection false positives as JSON body", "order": "JSON order bodies of bench/"}
    for form in ("query", "json", "order"):
        n, a, b = counts.get(form, [0, 0, 0])
        lines.append(f"| {names[form]} | {n} | {a} | {b} |")
    with open(out + ".txt", "w", encoding="utf-8") as f:
        f.write("\n".join(lines + rows) + "\n")
    print("\n".join(lines))
    for r in rows:
        print("  " + r)


def main():
    mode = sys.argv[1]
    ms = ModSecurity(int(sys.argv[2]), sys.argv[3])
    gh = Gatehouse(int(sys.argv[4]), sys.argv[5])
    if mode == "regression":
        regression(ms, gh, sys.argv[6], sys.argv[7])
    elif mode == "benign":
        benign(ms, gh, sys.argv[6], sys.argv[7])
    else:
        raise SystemExit(f"unknown mode {mode!r}: expected regression or benign")


if __name__ == "__main__":
    main()
