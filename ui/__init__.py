"""The Solara web UI (renders and collects input only). Pages arrive with the classroom and what-if issues."""
