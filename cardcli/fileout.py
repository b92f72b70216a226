"""Writing an output file safely: through a temp file and ``os.replace``, never through a link.

Used by ``cardcli export anki -o`` and ``cardcli import``. Anything at the target that is not a
regular file is refused without being opened: a symbolic link (it would be replaced by a file,
or, followed, write into a file elsewhere), a folder, a FIFO (opening it would wait for a reader
forever), a device or a socket. An existing regular file is replaced only when the caller's
``may_replace`` accepts it (it sees the file's first bytes and raises to refuse).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from cardcli.errors import CardcliError, UsageError

__all__ = ["write_atomic", "HEAD_BYTES"]

#: how much of an existing file ``may_replace`` gets to see
HEAD_BYTES = 4096


def write_atomic(path: Path, data: bytes, may_replace: Callable[[Path, bytes], None],
                 special_hint: str = "choose another -o") -> None:
    """Write ``data`` to ``path`` (keeping an existing file's permissions); see the module doc.
    ``special_hint`` ends the message that refuses a FIFO, device or socket."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise CardcliError(f"cannot write {path}: {e.strerror or e}") from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise UsageError(f"{path} is a symbolic link; cardcli does not write through links: "
                         f"give the real file name with -o")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{path} is a folder; give a file name with -o")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path} is not a regular file (a FIFO, device or socket); {special_hint}")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} does not exist; create it or choose another -o")
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask
    if st is not None:
        try:  # O_NOFOLLOW | O_NONBLOCK: never follow a link or wait on a FIFO swapped in meanwhile
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise UsageError(f"{path} is not a regular file; choose another -o")
                head = f.read(HEAD_BYTES)
            mode = st.st_mode & 0o777
        except OSError as e:
            raise CardcliError(f"cannot read {path}: {e.strerror or e}") from None
        may_replace(path, head)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise CardcliError(f"cannot write {path}: {e.strerror or e}") from None
