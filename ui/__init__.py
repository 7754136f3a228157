"""The Solara web UI (`ree ui`, or `solara run ui.app`): renders and collects input only. See `ui.app`."""
