"""Parse errors that point at the exact spot a trader has to fix."""

from __future__ import annotations


class ParseError(ValueError):
    """A statement that could not be parsed.

    ``line`` and ``col`` are 1-based; ``token`` is the offending text ("" at the end of a
    line); ``expected`` says what would have been accepted there ("" when the problem is
    not a missing piece, e.g. two flags that conflict). ``more`` holds the errors found on
    later lines of the same batch, so a file is reported in one go.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int,
        col: int,
        token: str = "",
        expected: str = "",
        source_line: str = "",
        more: tuple[ParseError, ...] = (),
    ) -> None:
        super().__init__(f"line {line}, col {col}: {message}")
        self.message = message
        self.line = line
        self.col = col
        self.token = token
        self.expected = expected
        self.source_line = source_line
        self.more = more

    def with_more(self, more: tuple[ParseError, ...]) -> ParseError:
        return ParseError(
            self.message,
            line=self.line,
            col=self.col,
            token=self.token,
            expected=self.expected,
            source_line=self.source_line,
            more=more,
        )

    @property
    def errors(self) -> tuple[ParseError, ...]:
        """This error followed by the ones on later lines."""
        return (self, *self.more)

    def render_one(self) -> str:
        # the caret line copies tabs so the caret lands under the column in a terminal too
        prefix = "".join("\t" if c == "\t" else " " for c in self.source_line[: self.col - 1])
        return f"{self}\n  {self.source_line}\n  {prefix}^"

    def render(self) -> str:
        """Every error of the batch, each with its source line and a caret under the column."""
        return "\n".join(e.render_one() for e in self.errors)
