"""Writes N syscall events in kspect's JSON-lines schema (docs/runtime-events.md) to
stdout: three long-running workloads (two in containers) opening, reading, writing,
connecting and closing, and about one sensitive-file read in 500 events.
Deterministic, so runs compare."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
rng = random.Random(7)
out = sys.stdout
t = 1_750_000_000_000_000_000


def emit(ev):
    global t
    t += 20_000
    ev["time"] = t
    out.write(json.dumps(ev, separators=(",", ":")) + "\n")


WORKLOADS = [
    (2101, "/usr/sbin/nginx", ("a1b2c3d4e5f6", "web", "docker.io/library/nginx:1.27"),
     ["/etc/nginx/nginx.conf", "/usr/share/nginx/html/index.html"], ["/var/log/nginx/access.log"]),
    (2201, "/usr/lib/postgresql/16/bin/postgres", ("0f9e8d7c6b5a", "db", "docker.io/library/postgres:16"),
     ["/var/lib/postgresql/data/base/1"], ["/var/lib/postgresql/data/pg_wal/1"]),
    (1201, "/usr/bin/kubelet", None,
     ["/var/lib/kubelet/config.yaml", "/proc/meminfo"], ["/var/log/kubelet.log"]),
]

emit({"type": "execve", "res": 0, "proc": {"pid": 900, "ppid": 1, "exepath": "/usr/bin/containerd-shim-runc-v2"}})
for pid, exe, c, _, _ in WORKLOADS:
    ev = {"type": "execve", "res": 0, "args": {"filename": exe},
          "proc": {"pid": pid, "ppid": 900 if c else 1, "exepath": exe, "args": [], "cwd": "/"},
          "user": {"uid": 0, "name": "root", "loginuid": -1}}
    if c:
        ev["container"] = {"id": c[0], "name": c[1], "image": c[2], "type": "containerd"}
    emit(ev)

for _ in range(n - 1 - len(WORKLOADS)):
    pid, exe, c, reads, writes = rng.choice(WORKLOADS)
    r = rng.random()
    if r < 0.3:
        f = rng.choice(reads)
        emit({"type": "openat", "tid": pid, "res": 7,
              "args": {"fd": 7, "dirfd": "AT_FDCWD", "name": f, "flags": "O_RDONLY|O_CLOEXEC", "mode": "0"},
              "fd": {"num": 7, "type": "file", "name": f}})
    elif r < 0.5:
        emit({"type": "write", "tid": pid, "res": 512, "args": {"fd": 8, "size": 512},
              "fd": {"num": 8, "type": "file", "name": rng.choice(writes)}})
    elif r < 0.7:
        emit({"type": "read", "tid": pid, "res": 1024, "args": {"fd": 12, "size": 4096},
              "fd": {"num": 12, "type": "ipv4", "l4proto": "tcp", "cip": "10.244.1.7", "cport": 51234,
                     "sip": "10.244.2.3", "sport": 8080, "is_server": True}})
    elif r < 0.85:
        emit({"type": "connect", "tid": pid, "res": 0, "args": {"fd": 13, "addr": "10.96.0.1:443"},
              "fd": {"num": 13, "type": "ipv4", "l4proto": "tcp", "cip": "10.244.2.3", "cport": 40000,
                     "sip": "10.96.0.1", "sport": 443, "connected": True}})
    elif r < 0.998:
        emit({"type": "close", "tid": pid, "res": 0, "args": {"fd": 7},
              "fd": {"num": 7, "type": "file", "name": rng.choice(reads)}})
    else:
        emit({"type": "openat", "tid": 2101, "res": 9,
              "args": {"fd": 9, "dirfd": "AT_FDCWD", "name": "/etc/shadow", "flags": "O_RDONLY", "mode": "0"},
              "fd": {"num": 9, "type": "file", "name": "/etc/shadow"}})
