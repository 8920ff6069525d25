"""The page-weight figure counts what a browser fetches on a first visit: the HTML's stylesheets, scripts,
icons, images and websockets, once each, and the files their CSS names."""

from bench.m_weight import _css_refs, _Refs


def test_refs_are_what_a_browser_would_fetch():
    parser = _Refs()
    parser.feed("""<html><head>
      <link rel="icon" href="/static/img/favicon.abc.svg" type="image/svg+xml">
      <link rel="stylesheet" href="/static/css/app.abc.css">
      <link rel="preload" as="script" href="/static/js/extra.abc.js">
      <link rel="canonical" href="https://pets.example.com/">
      <script src="/static/vendor/htmx/htmx.min.abc.js" defer></script>
      <script>inline(); // part of the HTML</script>
    </head><body>
      <main data-stream="/ws/feed/commons/"><img src="/media/posts/a.png" loading="lazy">
      <img src="data:image/gif;base64,R0lGOD"></main>
      <script src="/static/js/app.abc.js" defer></script>
    </body></html>""")
    assert parser.refs == [("icon", "/static/img/favicon.abc.svg"), ("css", "/static/css/app.abc.css"),
                           ("js", "/static/js/extra.abc.js"), ("js", "/static/vendor/htmx/htmx.min.abc.js"),
                           ("ws", "/ws/feed/commons/"), ("img", "/media/posts/a.png"), ("js", "/static/js/app.abc.js")]


def test_css_references_resolve_against_the_stylesheet():
    css = "a{background:url('../img/paw.abc.svg')} b{background:url(data:image/png;base64,xx)} c{mask:url(#m)}"
    assert _css_refs(css, "/static/css/app.abc.css") == ["/static/img/paw.abc.svg"]
