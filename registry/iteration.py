from collections.abc import Iterable, Iterator


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of `size` items (the last one shorter), read lazily."""
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
