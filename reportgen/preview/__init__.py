"""`reportgen preview`: the report as it will print, in the browser, refreshed on every save.

    state.py    which surveys and template sets exist; renderings, cached per file fingerprint
    poppler.py  the printed PDF → page sizes, text layer and one SVG drawing per page
    page.py     the HTML: toolbar and picker, pages, error panel
    assets.py   the page's CSS and script
    server.py   the HTTP server (127.0.0.1 only, a fixed list of routes)
    watch.py    file watching that tells open pages to refresh
"""
