#!/usr/bin/env python3
"""Creates a deterministic git repository with COMMITS commits (git fast-import) for the
secrets benchmark: a few thousand source files edited over time on main and two other
branches, with fake credentials added in some commits and removed in later ones.
usage: gen_history.py REPO_DIR COMMITS"""
import os, random, string, subprocess, sys

repo, commits = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
AN = string.ascii_letters + string.digits
words = "user order product cart price total item customer address payment shipping config value handler".split()
subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
files = {}
def body(path):
    n = rnd.randint(20, 120)
    return "\n".join(f"    ${rnd.choice(words)}_{rnd.randint(0, 99)} = apply_filters( '{rnd.choice(words)}', {rnd.randint(0, 9999)} ); // {rnd.choice(words)} {rnd.choice(words)}" for _ in range(n)) + "\n"
def secret(i):
    k = i % 4
    if k == 0: return f"define( 'DB_PASSWORD', '{''.join(rnd.choice(AN) for _ in range(16))}' );\n"
    if k == 1: return f"$token = 'ghp_{''.join(rnd.choice(AN) for _ in range(36))}';\n"
    if k == 2: return f"$key = 'sk_live_{''.join(rnd.choice(AN) for _ in range(24))}';\n"
    return f"DATABASE_URL=postgres://app:{''.join(rnd.choice(AN) for _ in range(14))}@db.internal/app\n"

p = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"], stdin=subprocess.PIPE)
w = p.stdin.write
mark = 0
last = {"main": None, "feature": None, "release": None}
t0 = 1700000000
for c in range(commits):
    branch = "main" if c % 10 < 8 else ("feature" if c % 10 == 8 else "release")
    changes = []
    for _ in range(rnd.randint(1, 3)):
        path = f"src/module{rnd.randint(0, 99)}/file{rnd.randint(0, 39)}.php"
        content = "<?php\n" + body(path)
        if c % 97 == 13:
            content = "<?php\n" + secret(c) + content[6:]
        changes.append((path, content))
    w(f"commit refs/heads/{branch}\n".encode())
    mark += 1
    w(f"mark :{mark}\n".encode())
    ts = t0 + c * 600
    w(f"author Dev {c % 17} <dev{c % 17}@example.com> {ts} +0000\ncommitter Dev {c % 17} <dev{c % 17}@example.com> {ts} +0000\n".encode())
    msg = f"change {c}\n".encode()
    w(f"data {len(msg)}\n".encode() + msg)
    if last[branch] is not None:
        w(f"from :{last[branch]}\n".encode())
    elif branch != "main" and last["main"] is not None:
        w(f"from :{last['main']}\n".encode())
    for path, content in changes:
        data = content.encode()
        w(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    last[branch] = mark
p.stdin.close()
p.wait()
subprocess.run(["git", "-C", repo, "checkout", "-q", "main"], check=True)
subprocess.run(["git", "-C", repo, "tag", "v1", "release"], check=True)
print(f"{commits} commits in {repo}")
