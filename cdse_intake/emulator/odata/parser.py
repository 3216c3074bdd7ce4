"""A recursive-descent parser for CDSE's ``$filter`` grammar (cdse-api.md §1.5).

::

    expr       := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | comparison
    comparison := operand [("eq"|"ne"|"gt"|"ge"|"lt"|"le") operand]
    operand    := "(" expr ")" | literal | call | path
    call       := NAME "(" [arg ("," arg)*] ")"        arg := [NAME "="] expr
    path       := NAME ("/" NAME)* ["/" ("any"|"all") "(" [NAME ":" expr] ")"]

Precedence is ``not`` > ``and`` > ``or``; comparisons bind tighter than all three. ``not`` takes a
whole comparison (``not Name eq 'x'`` is ``not (Name eq 'x')``), the only reading that makes sense
for the properties CDSE has. Operators and literals ``true``/``false``/``null`` are lower case, as
in OData.
"""

from __future__ import annotations

from .errors import FilterError
from .lexer import Token, tokenize
from .nodes import COMPARE_OPS, BoolOp, Call, Compare, Lambda, Literal, NamedArg, Node, Not, Path

__all__ = ["parse_filter"]

KEYWORDS = COMPARE_OPS | {"and", "or", "not"}
_LITERAL_KINDS = {"string", "number", "datetime", "guid", "geography"}


def parse_filter(text: str) -> Node:
    """The syntax tree of ``text``; FilterError (400) pointing at the first problem."""
    if not text.strip():
        raise FilterError("the filter is empty")
    try:
        return _Parser(text).parse()
    except RecursionError:
        raise FilterError("parentheses or 'not' are nested too deeply") from None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    # -- helpers -------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.text in words

    def at_punct(self, ch: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == ch

    def fail(self, expected: str, tok: Token | None = None) -> FilterError:
        tok = tok or self.tok
        found = "the end of the filter" if tok.kind == "end" else repr(_shown(tok))
        hint = ""
        prev = self.tokens[self.i - 1] if self.i > 0 else None
        if prev is not None and prev.kind == "datetime" and tok.kind == "number":
            hint = "; a '+' in a time zone offset must be URL-encoded as %2B"
        elif tok.kind == "ident" and tok.text.lower() in KEYWORDS and tok.text not in KEYWORDS:
            hint = f"; operators are lower case ({tok.text.lower()!r})"
        return FilterError(f"expected {expected}, found {found}{hint}", tok.pos, self.text)

    def expect_punct(self, ch: str, expected: str | None = None) -> Token:
        if not self.at_punct(ch):
            raise self.fail(expected or repr(ch))
        return self.advance()

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            if self.at_punct(")"):
                raise FilterError("unbalanced ')'", self.tok.pos, self.text)
            raise self.fail("'and', 'or' or the end of the filter")
        return node

    def expr(self) -> Node:
        operands = [self.and_expr()]
        pos = self.tok.pos
        while self.at_word("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands), pos)

    def and_expr(self) -> Node:
        operands = [self.unary()]
        pos = self.tok.pos
        while self.at_word("and"):
            self.advance()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands), pos)

    def unary(self) -> Node:
        if self.at_word("not"):
            pos = self.advance().pos
            return Not(self.unary(), pos)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        if self.tok.kind == "ident" and self.tok.text in COMPARE_OPS:
            op_tok = self.advance()
            right = self.operand()
            return Compare(op_tok.text, left, right, op_tok.pos)  # type: ignore[arg-type]
        return left

    def operand(self) -> Node:
        tok = self.tok
        if self.at_punct("("):
            self.advance()
            node = self.expr()
            if not self.at_punct(")"):
                raise self.fail(f"')' to close the '(' at position {tok.pos}")
            self.advance()
            return node
        if tok.kind in _LITERAL_KINDS:
            self.advance()
            return Literal(tok.kind, tok.text, tok.pos)
        if tok.kind == "ident":
            if tok.text in ("true", "false"):
                self.advance()
                return Literal("bool", tok.text, tok.pos)
            if tok.text == "null":
                self.advance()
                return Literal("null", tok.text, tok.pos)
            if tok.text in KEYWORDS:
                raise self.fail("a property, a function or a value")
            if self.peek().kind == "punct" and self.peek().text == "(":
                return self.call()
            return self.path()
        raise self.fail("a property, a function or a value")

    def call(self) -> Call:
        name_tok = self.advance()
        open_tok = self.expect_punct("(")
        args: list[Node | NamedArg] = []
        if not self.at_punct(")"):
            while True:
                args.append(self.argument())
                if self.at_punct(","):
                    self.advance()
                    continue
                if not self.at_punct(")"):
                    raise self.fail(f"',' or ')' to close the '(' at position {open_tok.pos}")
                break
        self.advance()
        return Call(name_tok.text, tuple(args), name_tok.pos)

    def argument(self) -> Node | NamedArg:
        tok = self.tok
        nxt = self.peek()
        if tok.kind == "ident" and nxt.kind == "punct" and nxt.text == "=":
            self.advance()
            self.advance()
            return NamedArg(tok.text, self.expr(), tok.pos)
        return self.expr()

    def path(self) -> Path | Lambda:
        first = self.advance()
        segments = [first.text]
        while self.at_punct("/"):
            self.advance()
            tok = self.tok
            if tok.kind != "ident" or tok.text in KEYWORDS:
                raise self.fail(f"a property name after '{'/'.join(segments)}/'")
            nxt = self.peek()
            if tok.text in ("any", "all") and nxt.kind == "punct" and nxt.text == "(":
                return self.lambda_(Path(tuple(segments), first.pos))
            segments.append(self.advance().text)
        return Path(tuple(segments), first.pos)

    def lambda_(self, collection: Path) -> Lambda:
        kind_tok = self.advance()
        open_tok = self.expect_punct("(")
        if self.at_punct(")"):
            self.advance()
            if kind_tok.text == "all":
                raise FilterError("all() needs a condition", kind_tok.pos, self.text)
            return Lambda(collection, "any", None, None, kind_tok.pos)
        var = self.tok
        if var.kind != "ident" or var.text in KEYWORDS:
            raise self.fail(f"a lambda variable name in {kind_tok.text}(<var>:<condition>)")
        self.advance()
        self.expect_punct(":", f"':' after the lambda variable {var.text!r}")
        body = self.expr()
        if not self.at_punct(")"):
            raise self.fail(f"')' to close the '(' at position {open_tok.pos}")
        self.advance()
        return Lambda(collection, kind_tok.text, var.text, body, kind_tok.pos)  # type: ignore[arg-type]


def _shown(tok: Token) -> str:
    if tok.kind == "string":
        return "'" + tok.text.replace("'", "''") + "'"
    if tok.kind == "geography":
        return "geography'" + tok.text[:40] + "'"
    return tok.text
