"""The Kivy touchscreen app. Import `kiosk.ui.boot` and call `prepare_kivy()` before any
module here that imports Kivy: Kivy reads its settings from the environment at import."""
