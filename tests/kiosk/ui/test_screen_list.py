"""The screens are listed once (kiosk.ui.app.SCREENS): each names its own .kv file, and
every .kv file is loaded, the shared widgets first."""

from __future__ import annotations

from kiosk.ui.app import KV_DIR, SCREENS, kv_files


def test_every_kv_file_is_loaded_once_widgets_first() -> None:
    loaded = kv_files()
    assert loaded[0].name == "widgets.kv"
    assert sorted(loaded) == sorted(KV_DIR.glob("*.kv"))


def test_each_screen_has_its_own_name_and_layout() -> None:
    names = [screen.kv for screen in SCREENS]
    assert "" not in names and len(set(names)) == len(names)
