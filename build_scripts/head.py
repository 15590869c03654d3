"""What a page adds to its `<head>`: a source page's Highwire `citation_*` meta tags (read by
Zotero's and Mendeley's browser connectors), and on every page the links to the Atom feeds,
so that feed readers find them.

A plain function over the rendered `Site`, which the plugin's `on_post_page` calls and tests
call without a build. Every value is escaped; the feed links are relative to the page's own
address, for either `use_directory_urls` setting.
"""

from __future__ import annotations

import posixpath

from .escape import attr
from .feeds import MEDIA_TYPE
from .site_paths import Site, _relative, href


def head_tags(page_path: str, site: Site) -> str:
    """The extra `<head>` markup of the page whose source path is `page_path` (`sources/x.md`,
    or a hand-written page's path in docs/): empty when there is none."""
    lines = [site.head.get(page_path, "")]
    # `alternate feed`, not the bare `alternate`: feed readers look for the token, while
    # Material takes every `link[rel=alternate]` for a language version of the site and
    # fetches a sitemap next to it (a 404 on every page for a feed).
    for feed, title in site.feeds.items():
        if site.directory_urls is None:
            link = _relative(feed, posixpath.dirname(page_path))
        else:
            link = href(feed, page_path, site.directory_urls)
        lines.append(
            f'<link rel="alternate feed" type="{MEDIA_TYPE}" title="{attr(title)}" '
            f'href="{attr(link)}">\n'
        )
    return "".join(lines)


def insert_head(html: str, extra: str) -> str:
    """`extra` inserted before the page's `</head>` (unchanged when it has none)."""
    at = html.find("</head>")
    if not extra or at < 0:
        return html
    return html[:at] + extra + html[at:]
