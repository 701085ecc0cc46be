"""A seccomp filter for the child: the system calls an exercise answer never needs fail.

The filter is a classic BPF program, written here in a few lines of Python
rather than with libseccomp (which would add a compiled dependency to the
grader for ~60 instructions). It runs in the kernel before every system call
of the child and of everything it starts:

- any architecture other than x86-64 (32-bit ``int 0x80`` calls, the x32 ABI)
  kills the process: the numbers below would mean other calls there;
- these calls fail with EPERM: making memory no limit sees as the process's
  own (``memfd_create``, ``memfd_secret``, ``userfaultfd``), new namespaces
  (``unshare``, ``setns``, ``clone`` with a namespace flag; ``clone3`` fails
  with ENOSYS so the C library falls back to ``clone``), reading or writing
  other processes (``ptrace``, ``process_vm_readv``/``writev``, ``kcmp``,
  ``pidfd_getfd``), the kernel keyring (``keyctl``, ``add_key``,
  ``request_key``), mounting (``mount``, ``umount2``, ``pivot_root``,
  ``chroot`` and the new mount API), io_uring (whose operations seccomp
  cannot see), BPF and perf events, kernel modules, kexec, swap, reboot,
  ``acct``, ``quotactl``, file handles, ``syslog``, ``iopl``/``ioperm``,
  faking terminal input (``ioctl(TIOCSTI)``), and network sockets (``socket``
  with any family but AF_UNIX, which Python's ``multiprocessing`` uses).

:func:`program` returns the filter as bytes (``struct sock_filter[]``), the
form bubblewrap's ``--seccomp FD`` reads; :func:`install` loads it into the
calling process (used without bubblewrap, just before the child starts).
"""

import ctypes
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000
EPERM, ENOSYS = 1, 38
CLONE_NAMESPACES = 0x7E020080  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME
AF_UNIX = 1
TIOCSTI = 0x5412

# x86-64 numbers (arch/x86/entry/syscalls/syscall_64.tbl); tests compare them with libseccomp's.
DENIED = {
    "memfd_create": 319, "memfd_secret": 447, "userfaultfd": 323,
    "unshare": 272, "setns": 308,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "pidfd_getfd": 438,
    "keyctl": 250, "add_key": 248, "request_key": 249,
    "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "bpf": 321, "perf_event_open": 298,
    "init_module": 175, "finit_module": 313, "delete_module": 176,
    "kexec_load": 246, "kexec_file_load": 320,
    "swapon": 167, "swapoff": 168, "reboot": 169, "acct": 163, "quotactl": 179,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "syslog": 103,
    "iopl": 172, "ioperm": 173,
}
CLONE, CLONE3, SOCKET, IOCTL = 56, 435, 41, 16

# Classic BPF opcodes
LD_W_ABS = 0x20  # A = seccomp_data[k] (32 bits)
JEQ_K, JGE_K, JSET_K = 0x15, 0x35, 0x45
RET_K = 0x06
NR, ARCH, ARG0, ARG1 = 0, 4, 16, 24  # offsets in struct seccomp_data (low 32 bits of args)


def _op(code, k, jt=0, jf=0):
    return (code, jt, jf, k)


def instructions():
    """The filter as (code, jt, jf, k) tuples."""
    deny = _op(RET_K, RET_ERRNO | EPERM)
    program = [_op(LD_W_ABS, ARCH), _op(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
               _op(RET_K, RET_KILL_PROCESS),
               _op(LD_W_ABS, NR), _op(JGE_K, X32_SYSCALL_BIT, 0, 1), deny]
    for number in sorted(DENIED.values()):
        program += [_op(JEQ_K, number, 0, 1), deny]
    program += [_op(JEQ_K, CLONE3, 0, 1), _op(RET_K, RET_ERRNO | ENOSYS)]
    # clone with a namespace flag, socket of a family other than AF_UNIX, ioctl(TIOCSTI)
    for number, offset, test in ((CLONE, ARG0, _op(JSET_K, CLONE_NAMESPACES, 0, 1)),
                                 (SOCKET, ARG0, _op(JEQ_K, AF_UNIX, 1, 0)),
                                 (IOCTL, ARG1, _op(JEQ_K, TIOCSTI, 0, 1))):
        program += [_op(JEQ_K, number, 0, 4), _op(LD_W_ABS, offset), test, deny,
                    _op(LD_W_ABS, NR)]
    program.append(_op(RET_K, RET_ALLOW))
    return program


def supported():
    """Whether this machine's architecture is the one the filter is written for."""
    return platform.machine() == "x86_64"


def program():
    """The filter as the bytes of a ``struct sock_filter`` array."""
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in instructions())


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def prepared():
    """The filter as a ctypes ``sock_fprog``, built before fork (allocating after it is unsafe)."""
    codes = instructions()
    array = (_SockFilter * len(codes))(*[_SockFilter(*code) for code in codes])
    fprog = _SockFprog(len(codes), ctypes.cast(array, ctypes.POINTER(_SockFilter)))
    fprog._keep = array
    return fprog


def install(libc, fprog):
    """Load the prepared filter into this process (no new privileges from then on)."""
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
