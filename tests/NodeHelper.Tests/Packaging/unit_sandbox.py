#!/usr/bin/python3
"""Runs a program under the kernel-side restrictions a systemd unit file names, as systemd would set them up for it,
for machines where systemd is not PID 1: MemoryDenyWriteExecute= (the seccomp rules systemd before 254 installs,
as on Debian 12 and Ubuntu 22.04, and also prctl PR_SET_MDWE, which systemd 254 and later use where the kernel has
it), SystemCallFilter= with
SystemCallErrorNumber= (a seccomp filter built from `systemd-analyze syscall-filter`'s own sets),
SystemCallArchitectures=native and RestrictAddressFamilies=. The caller sets no_new_privs first (setpriv), as
systemd does for NoNewPrivileges=yes.

usage: unit_sandbox.py UNIT-FILE PROGRAM [ARGUMENT...]"""
import ctypes
import errno
import os
import socket
import subprocess
import sys

import seccomp


def service_lines(unit):
    section, lines = None, []
    for raw in open(unit, encoding="utf-8"):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            lines.append((key.strip(), value.strip()))
    return lines


def expand(name, seen=None):
    """A syscall or @set, expanded recursively with systemd's own definition of the set."""
    if not name.startswith("@"):
        return {name}
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    listed = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True, capture_output=True, text=True).stdout
    calls = set()
    for line in listed.splitlines()[1:]:
        item = line.strip()
        if item and not item.startswith("#"):
            calls |= expand(item, seen)
    return calls


def memory_deny_write_execute():
    """systemd 252's seccomp_memory_deny_write_execute(): EPERM for mmap with PROT_WRITE and PROT_EXEC together, for
    mprotect and pkey_mprotect adding PROT_EXEC, for shmat with SHM_EXEC. A filter of its own, as systemd's is: the
    kernel applies every filter and the strictest answer wins. Then PR_SET_MDWE where the kernel has it (6.3+)."""
    prot_write, prot_exec, shm_exec = 0x2, 0x4, 0o100000
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    refuse = seccomp.ERRNO(errno.EPERM)
    for call in ("mmap", "mmap2"):
        try:
            rules.add_rule(refuse, call, seccomp.Arg(2, seccomp.MASKED_EQ, prot_write | prot_exec, prot_write | prot_exec))
        except (RuntimeError, ValueError):
            pass  # mmap2 exists on 32-bit architectures only
    for call in ("mprotect", "pkey_mprotect"):
        rules.add_rule(refuse, call, seccomp.Arg(2, seccomp.MASKED_EQ, prot_exec, prot_exec))
    rules.add_rule(refuse, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, shm_exec, shm_exec))
    rules.load()
    # PR_SET_MDWE (65), PR_MDWE_REFUSE_EXEC_GAIN (1); EINVAL on kernels before 6.3, where the filter above is all.
    if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
        sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())


def main():
    unit, program = sys.argv[1], sys.argv[2:]
    lines = service_lines(unit)
    allowed, denied, families, error_number, native = None, set(), None, None, False
    for key, value in lines:
        if key == "SystemCallFilter":
            if value.startswith("~"):
                for item in value[1:].split():
                    denied |= expand(item)
            else:
                allowed = (allowed or set()) | set().union(*(expand(item) for item in value.split()))
        elif key == "SystemCallErrorNumber":
            error_number = getattr(errno, value)
        elif key == "SystemCallArchitectures":
            native = value == "native"
        elif key == "RestrictAddressFamilies":
            families = [getattr(socket, name) for name in value.split()]

    if ("MemoryDenyWriteExecute", "yes") in lines:
        memory_deny_write_execute()

    if allowed is not None:
        refuse = seccomp.ERRNO(error_number) if error_number else seccomp.KILL_PROCESS
        rules = seccomp.SyscallFilter(defaction=refuse)
        if not native:
            sys.exit("only SystemCallArchitectures=native is modelled")
        for call in sorted(allowed - denied - {"socket"}):
            try:
                rules.add_rule(seccomp.ALLOW, call)
            except (RuntimeError, ValueError):
                pass  # a name this kernel's architecture does not have
        if "socket" in allowed - denied:
            if families is None:
                rules.add_rule(seccomp.ALLOW, "socket")
            else:
                # Another family is refused like any call outside the filter (systemd says EAFNOSUPPORT).
                for family in families:
                    rules.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.load()

    os.execv(program[0], program)


if __name__ == "__main__":
    main()
