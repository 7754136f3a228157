"""Two small widgets that run in the browser, so the server does no work for them:

- `CountdownWidget`: the round's clock. The server sends how many milliseconds were left when it drew it
  and a stamp that changes only when the deadline does (a new round, a pause, a resume); the page counts
  down by itself. No server tick per page per second.
- `ConsoleKeyWidget`: the teacher link carries its token after '#', which browsers never send to a server.
  This reads it, wipes it from the address bar (the console is projected), trades it for the console's
  HttpOnly cookie (`POST /api/rooms/CODE/teacher/session`) and reloads; with the cookie set it only wipes.
"""

from __future__ import annotations

import ipyvue
import traitlets

COUNTDOWN = """
<template>
  <div v-if="running || paused" :class="['ree-countdown', {'ree-late': running && left < 30}]">{{ label }}</div>
</template>
<script>
module.exports = {
  data() { return { end: 0, left: 0, timer: null } },
  mounted() { this.reset(); this.timer = setInterval(this.tick, 500) },
  destroyed() { clearInterval(this.timer) },
  watch: { stamp() { this.reset() } },
  methods: {
    reset() { this.end = Date.now() + this.left_ms; this.tick() },
    tick() { this.left = Math.max(0, Math.round((this.paused ? this.left_ms : this.end - Date.now()) / 1000)) },
  },
  computed: {
    label() {
      const m = Math.floor(this.left / 60), s = this.left % 60, t = m + ':' + (s < 10 ? '0' : '') + s;
      return this.paused ? 'Paused by the teacher: the clock stands at ' + t : 'Time left in this round: ' + t;
    },
  },
}
</script>
"""

CONSOLE_KEY = """
<template>
  <div v-if="mode === 'login'" class="ree-login">{{ message }}</div>
</template>
<script>
module.exports = {
  data() { return { message: 'Opening the teacher console...' } },
  mounted() {
    const found = /key=([A-Za-z0-9_-]+)/.exec(window.location.hash || '');
    if (found) { history.replaceState(null, '', window.location.pathname + window.location.search); }
    if (this.mode !== 'login') { return; }
    if (!found) { this.message = this.no_key; return; }
    fetch('/api/rooms/' + encodeURIComponent(this.code) + '/teacher/session', {
      method: 'POST', credentials: 'same-origin', headers: {'content-type': 'application/json'},
      body: JSON.stringify({token: found[1]}),
    }).then(r => r.json().then(body => {
      if (r.ok) { window.location.reload(); } else { this.message = body.error; }
    })).catch(err => { this.message = 'The console could not be opened: ' + err; });
  },
}
</script>
"""


class CountdownWidget(ipyvue.VueTemplate):
    template = traitlets.Unicode(COUNTDOWN).tag(sync=True)
    left_ms = traitlets.Float(0.0).tag(sync=True)
    stamp = traitlets.Unicode("").tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    paused = traitlets.Bool(False).tag(sync=True)


class ConsoleKeyWidget(ipyvue.VueTemplate):
    template = traitlets.Unicode(CONSOLE_KEY).tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)
    mode = traitlets.Unicode("strip").tag(sync=True)  # "login": trade the key for the cookie; "strip": only wipe it
    no_key = traitlets.Unicode("").tag(sync=True)
