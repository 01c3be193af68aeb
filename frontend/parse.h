// Entry points of the frontend's syntax layer: tokens (for `nnc emit
// --stage=tokens`), parsing a buffer into an AST, and printing an AST.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace nnc {

struct TokenInfo {
    std::string kind;   // "identifier", "integer", "float", "string", "newline", "eof", or the keyword/punctuation itself ("fn", "+=", "..")
    std::string text;   // source text of the token (decoded value for strings)
    SourceRange range;
};

// Lexes a whole buffer. Bad characters are reported to `diags` and skipped.
// The tokens are those the parser sees: newlines only where they end a
// statement, and a final "eof".
std::vector<TokenInfo> tokenize(const SourceManager& sm, uint32_t file, DiagnosticEngine& diags);

// One token per line, `line:col kind 'text'`, e.g. `1:4 identifier 'f'`.
void print_tokens(const std::vector<TokenInfo>& tokens, std::ostream& out);

// Parses a buffer. Syntax errors are reported to `diags` (several per file
// where the parser can recover); the result is null when any were reported.
std::unique_ptr<ast::Program> parse(const SourceManager& sm, uint32_t file, DiagnosticEngine& diags);

// True when `text` is an incomplete statement (open braces/brackets/parens
// or a trailing operator), so the REPL should read another line.
bool needs_more_input(const std::string& text);

// S-expression-like dump used by `nnc emit --stage=ast` and tests, one node per
// line, indented, with `line:col` ranges, e.g.
//   (fn f @1:1
//     (param x f32[N] @1:6)
void print_ast(const ast::Program& p, std::ostream& out);

}  // namespace nnc
