"""Page and API routes; each module exposes ``router`` and is listed in ``ecocity.web.app.ROUTERS``."""
