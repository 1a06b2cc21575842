"""The web channel (`cchc run web`): chat page, portal widget, JSON API and admin dashboard.

One subpackage so the channel's pieces stay together and each stays small:
  app.py       the aiohttp server, its middlewares and the citizen routes
  admin.py     the admin dashboard (login, documents, usage)
  security.py  signing, sessions, password hashes, rate limits and the login guard
  render.py    `Reply` objects as JSON for the chat page
  charts.py    inline SVG charts for the dashboard
  static/      the page's HTML, CSS and scripts (no build step)
"""
