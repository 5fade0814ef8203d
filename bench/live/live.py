#!/usr/bin/env python3
"""Helpers of bench/live.sh (standard library only): split the status file into batches, post them,
probe read latencies while they are posted, and sum up. Loopback only: the base URL must be
http://127.0.0.1:PORT.

  live.py split STATUS_CSV OUT_DIR BATCH [--json]   batches 000000.csv (header + rows) or .json (arrays)
  live.py post BASE DIR EXT OUT_TSV [--check-every N --checks FILE --resend N]
  live.py probe BASE STORE_IDS STOP_FILE OUT_TSV [--each N --pause-ms MS --seconds S]
  live.py checks FILE                               samples, evidenced, equal after 1 s, worst ms to the first look
  live.py stats TSV                                 n, p50, p99, max (ms) per kind
"""

import csv
import datetime
import http.client
import json
import math
import os
import random
import sys
import time
import urllib.parse


def connect(base):
    url = urllib.parse.urlsplit(base)
    if url.scheme != "http" or url.hostname != "127.0.0.1":
        sys.exit(f"live.py: only http://127.0.0.1 is allowed, not {base}")
    return http.client.HTTPConnection(url.hostname, url.port, timeout=300)


def micros(text):
    """A status file timestamp ('2024-10-17 23:36:59.970885 UTC') or an API one ('...Z') as Unix microseconds."""
    text = text.strip().removesuffix(" UTC").removesuffix("Z").replace("T", " ")
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S"
    at = datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def split(status_csv, out_dir, batch, as_json):
    os.makedirs(out_dir, exist_ok=True)
    with open(status_csv, encoding="utf-8-sig", newline="") as f:
        header = f.readline()
        number = 0
        while True:
            lines = [line for _, line in zip(range(batch), f)]
            if not lines:
                break
            path = os.path.join(out_dir, f"{number:06d}.{'json' if as_json else 'csv'}")
            with open(path, "w", encoding="utf-8", newline="") as out:
                if as_json:
                    names = next(csv.reader([header]))
                    rows = [dict(zip(names, r)) for r in csv.reader(lines)]
                    json.dump(rows, out, separators=(",", ":"))
                else:
                    out.write(header)
                    out.writelines(lines)
            number += 1
    print(number)


def batch_polls(path):
    """(store_id, status, timestamp) of a CSV batch, for the incident checks."""
    with open(path, encoding="utf-8", newline="") as f:
        return [tuple(r) for r in csv.reader(f)][1:]


def get_json(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return json.loads(body)


def post(base, directory, ext, out_tsv, check_every=0, checks_file=None, resend=0):
    """Posts every batch in file order, one connection, one at a time; times each request alone.
    Every check_every-th batch (CSV only) is followed by an incident check (not timed). A 503
    (nothing applied, "send it again") is sent again after its Retry-After, up to `resend` times in
    all; the batch's time then includes the waits."""
    content_type = {"csv": "text/csv", "json": "application/json"}[ext]
    files = sorted(f for f in os.listdir(directory) if f.endswith("." + ext))
    conn = connect(base)
    check_conn = connect(base)
    totals = {"accepted": 0, "unchanged": 0, "rejected": 0, "conflicts": 0}
    resent = 0
    checks = []
    with open(out_tsv, "w") as out:
        for number, name in enumerate(files):
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                body = f.read()
            started = time.perf_counter()
            while True:
                conn.request("POST", "/polls", body=body, headers={"Content-Type": content_type})
                response = conn.getresponse()
                answer = response.read()
                if response.status != 503 or resent >= resend:
                    break
                resent += 1
                print(f"live.py: POST /polls ({name}) answered 503, sending it again", file=sys.stderr)
                time.sleep(float(response.getheader("Retry-After", "1")))
            answered = time.perf_counter()
            seconds = answered - started
            if response.status != 200:
                sys.exit(f"live.py: POST /polls ({name}) answered {response.status}: {answer[:500]!r}")
            result = json.loads(answer)
            for k in totals:
                totals[k] += result[k]
            polls = result["accepted"] + result["unchanged"] + result["rejected"] + result["conflicts"]
            out.write(f"{number}\t{polls}\t{seconds:.6f}\t{result['accepted']}\n")
            if check_every and ext == "csv" and number % check_every == check_every - 1:
                checks.extend(check_incidents(check_conn, path, answered))
    if checks_file:
        with open(checks_file, "w") as f:
            for store_id, at, after, evidenced, same in checks:
                f.write(f"{store_id}\t{at}\t{after:.6f}\t{int(evidenced)}\t{int(same)}\n")
    if resend:
        totals["resent"] = resent
    print(json.dumps(totals))


def incidents_of(conn, store_id):
    return get_json(conn, f"/stores/{urllib.parse.quote(store_id)}/incidents?limit=5")["incidents"]


def check_incidents(conn, path, answered):
    """Right after a batch's answer (posting waits meanwhile, so nothing else writes): the incidents
    of up to 3 stores whose last poll in the batch was inactive, looked at at once and again 1 s
    later. Current at the answer = both looks equal. Also tells whether an incident is evidenced by
    that poll (a poll outside business hours makes none)."""
    last_inactive = {}
    for store_id, status, timestamp in batch_polls(path):
        last_inactive[store_id] = micros(timestamp) if status == "inactive" else None
    candidates = [(s, at) for s, at in last_inactive.items() if at is not None][-3:]
    first = []
    for store_id, at in candidates:
        after = time.perf_counter() - answered
        first.append((store_id, at, after, incidents_of(conn, store_id)))
    time.sleep(1.0)
    results = []
    for store_id, at, after, seen in first:
        evidenced = any(micros(i["first_poll"]) <= at <= micros(i["last_poll"]) for i in seen)
        results.append((store_id, at, after, evidenced, seen == incidents_of(conn, store_id)))
    return results


def summarize_checks(checks_file):
    samples = evidenced = same = 0
    worst = 0.0
    with open(checks_file) as f:
        for line in f:
            _, _, after, has, equal = line.rstrip("\n").split("\t")
            samples += 1
            evidenced += has == "1"
            same += equal == "1"
            worst = max(worst, float(after) * 1000)
    print(f"{samples} {evidenced} {same} {worst:.1f}")


def probe(base, store_ids, stop_file, out_tsv, each=300, pause_ms=20, seconds=600):
    """Round robin over the store page, its 24 h timeline, its last 90 days (random stores) and the open incidents,
    until each was asked `each` times or the stop file appears. Each request's time alone."""
    with open(store_ids) as f:
        ids = [line.strip() for line in f if line.strip()]
    rng = random.Random(11)
    conn = connect(base)
    kinds = ["store", "timeline", "days", "open_incidents"]
    counts = dict.fromkeys(kinds, 0)
    deadline = time.monotonic() + seconds
    with open(out_tsv, "w") as out:
        while min(counts.values()) < each and not os.path.exists(stop_file) and time.monotonic() < deadline:
            for kind in kinds:
                store = urllib.parse.quote(rng.choice(ids))
                path = {"store": f"/stores/{store}", "timeline": f"/stores/{store}/timeline", "days": f"/stores/{store}/days",
                        "open_incidents": "/incidents?open=true"}[kind]
                started = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                seconds_taken = time.perf_counter() - started
                # A store not written yet answers 404: timed too, but told apart.
                if response.status not in (200, 404):
                    sys.exit(f"live.py: GET {path} answered {response.status}")
                out.write(f"{kind}\t{response.status}\t{seconds_taken:.6f}\n")
                counts[kind] += 1
                time.sleep(pause_ms / 1000)


def stats(tsv):
    values = {}
    with open(tsv) as f:
        for line in f:
            kind, status, seconds = line.split("\t")
            values.setdefault(kind, []).append((float(seconds), status))
    for kind, samples in values.items():
        ms = sorted(s * 1000 for s, _ in samples)
        ok = sum(1 for _, status in samples if status == "200")

        def pct(p):  # nearest rank
            return ms[max(0, math.ceil(p / 100 * len(ms)) - 1)]

        print(f"{kind} {len(ms)} {ok} {pct(50):.1f} {pct(99):.1f} {ms[-1]:.1f}")


def main(argv):
    command, args = argv[0], argv[1:]
    options = {}
    positional = []
    i = 0
    while i < len(args):
        if args[i].startswith("--"):
            if args[i] == "--json":
                options["json"] = True
            else:
                options[args[i][2:].replace("-", "_")] = args[i + 1]
                i += 1
        else:
            positional.append(args[i])
        i += 1
    if command == "split":
        split(positional[0], positional[1], int(positional[2]), options.get("json", False))
    elif command == "post":
        post(*positional, check_every=int(options.get("check_every", 0)), checks_file=options.get("checks"),
             resend=int(options.get("resend", 0)))
    elif command == "checks":
        summarize_checks(*positional)
    elif command == "probe":
        probe(*positional, each=int(options.get("each", 300)), pause_ms=float(options.get("pause_ms", 20)),
              seconds=float(options.get("seconds", 600)))
    elif command == "stats":
        stats(*positional)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
