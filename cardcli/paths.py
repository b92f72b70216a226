"""Where things live: the state dir, the bundled decks, user decks."""

from __future__ import annotations

import os
from pathlib import Path

from cardcli.errors import CardcliError

__all__ = ["StateDirError", "state_dir", "bundled_decks_dir", "user_deck_paths", "db_path"]

APP_NAME = "cardcli"


class StateDirError(CardcliError):
    """The state dir (``$CARDCLI_HOME``) is not a folder cardcli can create or use."""


def state_dir(create: bool = True) -> Path:
    """``$CARDCLI_HOME`` if set, else the platform's user data dir (created unless ``create`` is False)."""
    env = os.environ.get("CARDCLI_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise StateDirError(f"state dir {path} ($CARDCLI_HOME) is a file, not a folder; "
                                "set CARDCLI_HOME to a folder") from None
        except OSError as e:
            raise StateDirError(f"state dir {path} ($CARDCLI_HOME) cannot be created ({e.strerror or e}); "
                                "set CARDCLI_HOME to a folder you can write") from None
    return path


def db_path() -> Path:
    """The review-history SQLite file."""
    return state_dir() / "cardcli.sqlite3"


def bundled_decks_dir() -> Path:
    """The decks shipped with cardcli.

    In a wheel they sit inside the package (``cardcli/_cards``); in a source checkout or an
    editable install they are the top-level ``cards/`` folder.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_cards"
    if packaged.is_dir():
        return packaged
    return here.parent / "cards"


def user_deck_paths(options: list[Path] | None = None) -> list[Path]:
    """User decks: ``--decks`` options first, then ``$CARDCLI_DECKS`` (os.pathsep-separated)."""
    paths = [Path(p).expanduser() for p in (options or [])]
    env = os.environ.get("CARDCLI_DECKS", "")
    paths += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    return paths
