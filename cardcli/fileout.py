"""The one writer of output files: ``export anki -o``, ``import -o``, ``exam mock --print``.

* A new file is created exclusively: the whole content goes to a temp file beside it, which is
  then hard-linked to the name (``link`` fails if the name exists, so two writers racing for one
  name never both "win": the second is told the file exists). On a file system without hard
  links, ``O_CREAT | O_EXCL`` does the same.
* An existing file is replaced only when it carries the caller's *signature* (bytes only cardcli
  writes, at the start of the file: :func:`starts_with`), or with ``--force``; always atomically
  (temp file, ``fsync``, ``os.replace``), keeping its permissions.
* Never through a symbolic link, and never into a folder, FIFO (opening it would wait for a
  reader forever), device or socket: those are refused without being opened.
* ``EFBIG`` (a file-size limit, ``ulimit -f``), ``ENOSPC`` and the like are one-line errors; the
  temp file is removed.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from cardcli.errors import CardcliError, UsageError

__all__ = ["write_atomic", "write_output", "starts_with", "read_regular", "HEAD_BYTES", "NotRegular", "TooBig"]

#: how much of an existing file a signature check sees
HEAD_BYTES = 4096

#: a signature check: the first HEAD_BYTES of an existing file -> may cardcli replace it?
Signature = Callable[[bytes], bool]


def starts_with(*prefixes: bytes) -> Signature:
    """A signature check: the file begins with one of ``prefixes``."""
    return lambda head: any(head.startswith(p) for p in prefixes)


def _os_error(path: Path, e: OSError, verb: str = "write") -> CardcliError:
    if e.errno == errno.EFBIG:
        return CardcliError(f"cannot {verb} {path}: the file would exceed the size limit for files "
                            "(`ulimit -f`); nothing was written")
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return CardcliError(f"cannot {verb} {path}: the disk is full; nothing was written")
    return CardcliError(f"cannot {verb} {path}: {e.strerror or e}")


def _stat(path: Path, flag: str, special_hint: str) -> os.stat_result | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _os_error(path, e) from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise UsageError(f"{path} is a symbolic link; cardcli does not write through links: "
                         f"give the real file name with {flag}")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{path} is a folder; give a file name with {flag}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path} is not a regular file (a FIFO, device or socket); {special_hint}")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} does not exist; create it or choose another {flag}")
    return st


def _head(path: Path) -> tuple[bytes, os.stat_result]:
    """The first bytes of the regular file at ``path`` (never following a link or waiting on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise _os_error(path, e, "read") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{path} is not a regular file; choose another name")
        return f.read(HEAD_BYTES), st


def _temp(path: Path, data: bytes, mode: int) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _exists(path: Path, flag: str) -> UsageError:
    return UsageError(f"{path} exists (another cardcli wrote it meanwhile); choose another {flag} or use --force")


def _create(path: Path, data: bytes, mode: int, flag: str) -> None:
    """``path`` must not exist: created whole, or not at all (``FileExistsError`` -> usage error)."""
    tmp = _temp(path, data, mode)
    try:
        try:
            os.link(tmp, path)
            return
        except FileExistsError:
            raise _exists(path, flag) from None
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK,
                               errno.ENOSYS, errno.EACCES):
                raise
    finally:
        Path(tmp).unlink(missing_ok=True)
    # no hard links here (some FUSE, FAT, network file systems): create exclusively and write
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    except FileExistsError:
        raise _exists(path, flag) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes, *, signature: Signature | None, force: bool = False,
                 flag: str = "-o", refuse: str | None = None, special_hint: str | None = None) -> None:
    """Write ``data`` to ``path`` (see the module doc).

    ``signature`` says which existing files cardcli wrote and may replace (None: none); ``force``
    replaces any regular file. ``refuse`` is the message for an existing file that may not be
    replaced; ``flag`` names the option in messages.
    """
    hint = special_hint or f"choose another {flag}"
    st = _stat(path, flag, hint)
    umask = os.umask(0)
    os.umask(umask)
    try:
        if st is None:
            _create(path, data, 0o666 & ~umask, flag)
            return
        head, seen = _head(path)
        if not force and (signature is None or not signature(head)):
            raise UsageError(refuse or f"{path} exists and was not written by cardcli; choose another {flag} "
                                       "or use --force to replace it")
        tmp = _temp(path, data, seen.st_mode & 0o777)
        try:
            now = os.lstat(path)  # the file checked is still the one at the name
            if (now.st_ino, now.st_dev) != (seen.st_ino, seen.st_dev) or not stat.S_ISREG(now.st_mode):
                raise UsageError(f"{path} changed while cardcli was writing; nothing was replaced, try again")
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except FileNotFoundError:
        raise UsageError(f"{path} disappeared while cardcli was writing; nothing was written, try again") from None
    except OSError as e:
        raise _os_error(path, e) from None


def write_atomic(path: Path, data: bytes, may_replace: Callable[[Path, bytes], None],
                 special_hint: str = "choose another -o") -> None:
    """The older interface: ``may_replace(path, head)`` raises to refuse an existing file."""

    def signature(head: bytes) -> bool:
        may_replace(path, head)
        return True

    write_output(path, data, signature=signature, special_hint=special_hint)


class NotRegular(OSError):
    """The path is a FIFO, device, socket or folder: not read (a FIFO would block, a device never end)."""


class TooBig(OSError):
    """The file holds more than the caller's limit (only ``limit + 1`` bytes were read)."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; never blocks on a FIFO
    and never reads more than ``limit + 1`` bytes from anything (a pipe, ``/dev/zero``)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file (a FIFO, device, socket or folder)")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooBig(errno.EFBIG, f"larger than {limit:,} bytes")
    return data
