#!/usr/bin/env python3
"""Run one command; print its wall time and the peak memory of its process tree.

    measure.py [-C DIR] [-o STDOUT_FILE] -- COMMAND [ARGS...]

Prints one line on stdout: "WALL_S PEAK_RSS_KB MAX_PROC_RSS_KB", and exits
with the command's status (its stdout goes to STDOUT_FILE, default
/dev/null; its stderr is left alone).

Why not /usr/bin/time -f %M alone: `dataform compile` does its work in a
worker process that the CLI SIGKILLs and leaves to init, so GNU time sees
neither its memory nor its CPU, and %M is only the largest single process
anyway. So the command runs under /usr/bin/time (for the exact %M of the
command itself, with time's small start-up RSS as baseline, like the other
benches), in a session of its own, and this process makes itself a child
subreaper so that orphaned descendants come back to it. Every 10 ms it sums
VmRSS over the session's processes (time itself left out):

  PEAK_RSS_KB      the largest of: that sampled sum (the memory the whole tree
                   held at once), %M, and the ru_maxrss of any orphan
  MAX_PROC_RSS_KB  the largest single process: %M or an orphan's ru_maxrss
                   (exact, kept by the kernel)

The wall time runs from the fork to the command's own exit (what a user
waits for), not to the reaping of orphans it left behind.
"""
import ctypes
import os
import signal
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36
INTERVAL = 0.01
TIME = "/usr/bin/time"


def session_rss_kb(sid):
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == sid:
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                stat = f.read()
            # fields after the ")" that closes comm: state ppid pgrp session ...
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[3]) != sid:
                continue
            with open("/proc/%s/status" % d, "rb") as f:
                for line in f:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total


def main(argv):
    cwd = None
    out = os.devnull
    args = argv[1:]
    while args and args[0] != "--":
        if args[0] == "-C" and len(args) > 1:
            cwd, args = args[1], args[2:]
        elif args[0] == "-o" and len(args) > 1:
            out, args = args[1], args[2:]
        else:
            sys.exit("usage: measure.py [-C DIR] [-o FILE] -- COMMAND [ARGS...]")
    if not args or len(args) < 2:
        sys.exit("usage: measure.py [-C DIR] [-o FILE] -- COMMAND [ARGS...]")
    cmd = args[1:]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("measure.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

    if not os.access(TIME, os.X_OK):
        sys.exit("measure.py: need GNU time at %s (apt-get install time)" % TIME)
    tfd, tpath = tempfile.mkstemp(prefix="measure.")
    os.close(tfd)
    cmd = [TIME, "-f", "%M", "-o", tpath, "--"] + cmd
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if cwd:
                os.chdir(cwd)
            os.dup2(fd, 1)
            os.execvp(cmd[0], cmd)
        except OSError as e:
            sys.stderr.write("measure.py: %s: %s\n" % (cmd[0], e))
        os._exit(127)
    os.close(fd)

    peak = 0
    max_proc = 0
    status = None
    wall = None
    while True:
        # reap whatever has ended: the command itself, or orphans it left us
        while True:
            try:
                p, st, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                p = -1
            if p <= 0:
                break
            if p != pid:  # an orphan (time's own ru_maxrss is not the command's)
                max_proc = max(max_proc, ru.ru_maxrss)
            else:
                wall = time.monotonic() - t0
                status = st
        if p == -1:  # no children left at all
            break
        if status is None:
            peak = max(peak, session_rss_kb(pid))
        elif time.monotonic() - t0 - wall > 5:
            # orphans that outlive the command by 5 s: end them
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(INTERVAL)

    try:
        with open(tpath) as f:
            lines = f.read().split()
        max_proc = max(max_proc, int(lines[-1]))
    except (OSError, ValueError, IndexError):
        pass  # killed by a signal: time wrote "Command terminated by signal"
    os.unlink(tpath)
    print("%.3f %d %d" % (wall, max(peak, max_proc), max_proc))
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
