#!/usr/bin/env python3
"""Load test with bots: hosts a world on the large map and plays a mix of Lua bots.

    swift build -c release            # or pass --starlane .build-bots/debug/starlane
    python3 tools/bots.py --bots 200 --ticks 300

Starts `starlane serve` on a temporary database (loopback, a free port, Maps/large.json),
runs the sample bots of GameLogic/bots (60% miners, 25% raiders, 15% explorers) as three
`starlane bot --count N` processes (or, with --hosted, spawns them as agent processes),
and samples once a second until the world has run --ticks ticks after the bots started
(or --timeout seconds passed): world ticks/s and the interval between ticks (from the
world's log), pushes/s and stream events/s (from /metrics), and the server's CPU and
resident memory (from /proc). Then prints the leaderboard (GET /{world}/now/leaderboard)
and the per-second table, and stops everything it started. Only 127.0.0.1 is used.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r"(?:\{[^}]*\})?\s+([0-9.eE+-]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def proc_stats(pid):
    """CPU seconds (user + system) and resident memory (MiB) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = 0.0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return cpu, rss


class WorldLog:
    """Reads the world's log page by page; counts its Tick slots and their times."""

    def __init__(self, base, world):
        self.base, self.world, self.next = base, world, 0
        self.tick_times = []  # ms timestamps of the world's Tick slots

    def poll(self):
        while True:
            text = get(f"{self.base}/{self.world}/slots?from={self.next}&to={self.next + 999}")
            lines = text.strip().split("\n")[1:]  # line 1 is the header
            for line in lines:
                a = json.loads(line)["assignment"]
                self.next = a["slot"] + 1
                if any(t["name"] == "Action" and t["value"] == "Tick" for t in a["tags"]):
                    self.tick_times.append(a["timestamp"])
            if len(lines) < 1000:
                return


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--starlane", default=os.path.join(ROOT, ".build/release/starlane"))
    p.add_argument("--map", default=os.path.join(ROOT, "Maps/large.json"))
    p.add_argument("--bots", type=int, default=200)
    p.add_argument("--ticks", type=int, default=200, help="ticks to play after every bot started")
    p.add_argument("--tick-ms", type=int, default=250)
    p.add_argument("--threads", type=int, default=2, help="Lua worker threads per bot process")
    p.add_argument("--hosted", action="store_true", help="spawn the bots as agent processes instead")
    p.add_argument("--timeout", type=float, default=300, help="hard limit for the whole run, seconds")
    args = p.parse_args()
    if not os.access(args.starlane, os.X_OK):
        sys.exit(f"no starlane binary at {args.starlane}: run `swift build -c release` or pass --starlane")

    deadline = time.time() + args.timeout
    tmp = tempfile.mkdtemp(prefix="starlane-bots-")
    env = dict(os.environ, STARLANE_HOME=tmp)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = []
    server = subprocess.Popen([args.starlane, "serve", "--db", os.path.join(tmp, "node.db"), "--map", args.map,
                               "--game", os.path.join(ROOT, "GameLogic"), "--host", "127.0.0.1",
                               "--port", str(port), "--tick-ms", str(args.tick_ms)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        world = None
        while world is None and time.time() < deadline:
            line = server.stdout.readline()
            if not line:
                sys.exit("starlane serve exited before its world was ready")
            m = re.search(r'world ".*" is process (\S+)', line)
            world = m and m.group(1)
        print(f"server pid {server.pid} on {base}, world {world}")

        mix = [("miner", round(args.bots * 0.60)), ("raider", round(args.bots * 0.25))]
        mix.append(("explorer", args.bots - sum(n for _, n in mix)))
        log = WorldLog(base, world)
        log.poll()
        seconds = args.timeout  # the bot processes are stopped by us once the ticks are done
        for name, count in mix:
            if count <= 0:
                continue
            cmd = [args.starlane, "bot", os.path.join(ROOT, "GameLogic/bots", name + ".lua"), "--server", base,
                   "--world", world, "--count", str(count), "--name", name]
            if args.hosted:
                cmd.append("--hosted")
            else:
                cmd += ["--threads", str(args.threads), "--seconds", str(seconds)]
            out = open(os.path.join(tmp, name + ".log"), "w")
            started.append((name, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env), out))
            print(f"started {count} {name}s" + (" (hosted)" if args.hosted else ""))
        if args.hosted:
            for name, proc, _ in started:
                proc.wait(timeout=max(1, deadline - time.time()))

        log.poll()
        first_tick = len(log.tick_times)
        metrics0 = get(f"{base}/metrics")
        last = (time.time(), *proc_stats(server.pid), metric(metrics0, "starlane_pushes_total"),
                metric(metrics0, "starlane_stream_events_total"), len(log.tick_times))
        rows = []
        sampling_start = last[0]
        while len(log.tick_times) - first_tick < args.ticks and time.time() < deadline:
            time.sleep(1)
            log.poll()
            text = get(f"{base}/metrics")
            now = (time.time(), *proc_stats(server.pid), metric(text, "starlane_pushes_total"),
                   metric(text, "starlane_stream_events_total"), len(log.tick_times))
            dt = now[0] - last[0]
            times = log.tick_times[last[5]:now[5]]
            gaps = [b - a for a, b in zip(log.tick_times[max(0, last[5] - 1):now[5]], log.tick_times[max(1, last[5]):now[5]])]
            rows.append({
                "t": round(now[0] - sampling_start),
                "ticks/s": round(len(times) / dt, 1),
                "gap ms avg": round(sum(gaps) / len(gaps)) if gaps else None,
                "gap ms max": max(gaps) if gaps else None,
                "cpu %": round(100 * (now[1] - last[1]) / dt),
                "rss MiB": round(now[2]),
                "pushes/s": round((now[3] - last[3]) / dt),
                "events/s": round((now[4] - last[4]) / dt),
            })
            print("  ".join(f"{k} {v}" for k, v in rows[-1].items()), flush=True)
            last = now

        try:
            board = json.loads(get(f"{base}/{world}/now/leaderboard"))
        except urllib.error.HTTPError as e:  # 404: no player has joined, nothing published
            board = [] if e.code == 404 else sys.exit(f"leaderboard: {e}")
        print(f"\nleaderboard ({len(board)} rows shown of the top 100):")
        print(f"{'#':>3} {'name':<16} {'score':>7} {'credits':>8} {'ore':>5} {'planets':>7}")
        for i, r in enumerate(board[:25], 1):
            print(f"{i:>3} {r['name']:<16} {r['score']:>7} {r['credits']:>8} {r['ore']:>5} {r['planets']:>7}")
        played = len(log.tick_times) - first_tick
        if rows:
            span = sum(1 for _ in rows)
            cpu = [r["cpu %"] for r in rows]
            print(f"\n{played} ticks in {span} s with {args.bots} bots (tick {args.tick_ms} ms): "
                  f"{played / span:.1f} ticks/s, server CPU avg {sum(cpu) / len(cpu):.0f}% max {max(cpu)}%, "
                  f"RSS {rows[-1]['rss MiB']} MiB, pushes avg {sum(r['pushes/s'] for r in rows) / span:.0f}/s")
        for name, _, out in started:
            out.flush()
            with open(os.path.join(tmp, name + ".log")) as f:
                problems = [l for l in f if "stopped" in l or "failed" in l]
            if problems:
                print(f"{name}: {len(problems)} problem lines, first: {problems[0].strip()}")
    finally:
        for _, proc, out in started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc, out in started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            out.close()
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
