"""Runs a command with a pseudo-terminal as its stdin/stdout/stderr.

Usage: python3 pty_run.py <type-after-ms|-1> <text> <command...>
If the first argument is >= 0, <text> is typed into the terminal after that
many milliseconds. Prints everything the command wrote to the terminal and
exits with the command's exit status.
"""
import os
import pty
import select
import sys
import time

delay_ms, text, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

out = b""
start = time.monotonic()
typed = delay_ms < 0
while True:
    if not typed and (time.monotonic() - start) * 1000 >= delay_ms:
        os.write(fd, text.encode())
        typed = True
    ready, _, _ = select.select([fd], [], [], 0.02)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    elif time.monotonic() - start > 30:
        break
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
