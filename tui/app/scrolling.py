"""Follow streamed text: stay at the end unless the user has scrolled away."""
from __future__ import annotations


def at_end(container) -> bool:
    return container.scroll_y >= container.max_scroll_y - 1


def follow_after_refresh(container) -> None:
    """Scroll to the end once the new text is laid out, unless the user moves the view before
    that (a queued scroll must not undo their scroll up)."""
    position = container.scroll_y

    def follow() -> None:
        if container.scroll_y == position:
            container.scroll_end(animate=False, immediate=True)

    container.call_after_refresh(follow)
