"""Drives a command in a real pseudo-terminal, as a person would type into it.

stdin: {"argv": [...], "cwd": dir, "env": {...}, "steps": [[text to wait for, keys to type], ...]}
stdout: everything the terminal showed; exit status: the command's (124 when a wait timed out).
"""
import json
import os
import pty
import select
import sys
import time

request = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(request["cwd"])
    env = dict(os.environ, **request.get("env", {}), TERM="xterm", COLUMNS="200", LINES="50")
    os.execvpe(request["argv"][0], request["argv"], env)

seen = b""


def read_for(seconds):
    global seen
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            seen += chunk
    return True


cursor = 0
for wait_for, keys in request["steps"]:
    needle = wait_for.encode()
    deadline = time.time() + 60
    while seen.find(needle, cursor) < 0 and time.time() < deadline:
        if not read_for(0.1):
            break
    found = seen.find(needle, cursor)
    if found < 0:
        sys.stdout.write(seen.decode("utf8", "replace"))
        sys.stdout.write(f"\n[pty-session: timed out waiting for {wait_for!r}]\n")
        os.kill(pid, 9)
        sys.exit(124)
    cursor = found + len(needle)
    time.sleep(0.2)
    os.write(fd, keys.encode())

while read_for(0.2):
    pass
_, code = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf8", "replace"))
sys.exit(os.waitstatus_to_exitcode(code))
